#pragma once
// Cron schedules: 5 fields (minute hour day-of-month month day-of-week) with lists, ranges, steps
// and month/day names, or @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).

#include <bitset>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "domain/parsed.hpp"

namespace bk::domain {

struct CronSchedule {
    std::string text;  ///< as written
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;     ///< 1..31
    std::bitset<13> months;   ///< 1..12
    std::bitset<7> weekdays;  ///< 0 = Sunday
    bool any_day{true};       ///< day-of-month was "*"
    bool any_weekday{true};   ///< day-of-week was "*"

    /// Classic cron: when both day fields are restricted, a day matching either runs.
    [[nodiscard]] bool matches(int minute, int hour, int day, int month, int weekday) const;
};

Parsed<CronSchedule> parse_cron(std::string_view text);

/// A time zone as the scheduler needs it: the offset from UTC, in seconds, at a UTC instant.
using UtcOffset = std::function<std::int64_t(std::int64_t utc_seconds)>;

/// The first due instant (UTC seconds, on a minute) strictly after `after`, with the schedule
/// read in local time. Across DST: a local time skipped by a spring-forward runs once, at the
/// first instant after the gap; a local time repeated by a fall-back runs once, on its first
/// pass. -1 when nothing is due within five years (parse_cron refuses a day that no
/// month of the schedule has, such as "0 0 31 2 *").
std::int64_t next_due(const CronSchedule& cron, std::int64_t after, const UtcOffset& offset);

/// Roughly how often it is due: the gap between the next two due instants after `after`.
std::int64_t interval_after(const CronSchedule& cron, std::int64_t after, const UtcOffset& offset);

}  // namespace bk::domain
