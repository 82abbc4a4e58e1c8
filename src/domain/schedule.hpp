#pragma once
// Cron schedules: 5 fields (minute hour day-of-month month day-of-week) with lists, ranges, steps
// and month/day names, or @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).

#include <bitset>
#include <string>
#include <string_view>

#include "domain/parsed.hpp"

namespace bk::domain {

struct CronSchedule {
    std::string text;  ///< as written
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;      ///< 1..31
    std::bitset<13> months;    ///< 1..12
    std::bitset<7> weekdays;   ///< 0 = Sunday
    bool any_day{true};        ///< day-of-month was "*"
    bool any_weekday{true};    ///< day-of-week was "*"

    /// Classic cron: when both day fields are restricted, a day matching either runs.
    [[nodiscard]] bool matches(int minute, int hour, int day, int month, int weekday) const;
};

Parsed<CronSchedule> parse_cron(std::string_view text);

}  // namespace bk::domain
