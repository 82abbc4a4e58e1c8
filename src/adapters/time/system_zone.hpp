#pragma once
// The config's IANA time zone from the system's tz database (/usr/share/zoneinfo, Debian's
// tzdata), as the scheduler's UtcOffset.

#include <string>

#include "core/task.hpp"
#include "domain/schedule.hpp"

namespace bk::adapters::time {

/// Makes `zone` the process's local zone (TZ) and returns its offset function. Errors:
/// invalid_config when the zone is unknown.
Result<domain::UtcOffset> system_zone(const std::string& zone);

}  // namespace bk::adapters::time
