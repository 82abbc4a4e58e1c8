#pragma once
// UTC times as the audit trail, the API and the messages write them: ISO 8601 with a `Z`.

#include <cstdint>
#include <string>

namespace bk::domain {

/// Now, UTC seconds since the epoch.
std::int64_t unix_now();
/// Now, UTC, ISO 8601 with milliseconds: "2026-11-27T03:00:00.123Z".
std::string utc_now();
/// "2026-11-27T03:00:00Z" of UTC seconds; empty for a negative time.
std::string format_utc(std::int64_t seconds);
/// Seconds since the epoch of an ISO 8601 UTC time as utc_now() writes it; -1 when unreadable.
std::int64_t parse_utc(const std::string& iso);
/// The same with its milliseconds; 0 when unreadable.
double utc_timestamp(const std::string& iso);
/// Seconds from `a` to `b` (milliseconds included); 0 when either is unreadable.
double seconds_between(const std::string& a, const std::string& b);

}  // namespace bk::domain
