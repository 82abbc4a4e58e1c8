#include "domain/schedule.hpp"

#include <catch2/catch.hpp>

#include "adapters/time/system_zone.hpp"
#include "domain/duration.hpp"
#include "domain/retention.hpp"
#include "domain/suggest.hpp"

using namespace bk::domain;  // NOLINT(google-build-using-namespace)

TEST_CASE("cron fields, lists, ranges, steps and names", "[cron]") {
    auto c = parse_cron("*/15 2-4,22 1,15 jan-mar mon-fri");
    REQUIRE(c);
    CHECK(c->minutes.count() == 4);
    CHECK(c->minutes.test(45));
    CHECK(c->hours.count() == 4);
    CHECK(c->hours.test(22));
    CHECK(c->months.count() == 3);
    CHECK(c->weekdays.count() == 5);
    CHECK_FALSE(c->any_day);
    // Both day fields restricted: either matches (classic cron).
    CHECK(c->matches(0, 2, 1, 1, 0));  // the 1st, a Sunday
    CHECK(c->matches(0, 2, 3, 1, 1));  // a Monday, the 3rd
    CHECK_FALSE(c->matches(0, 2, 3, 1, 0));
    CHECK_FALSE(c->matches(5, 2, 1, 1, 1));

    auto sunday7 = parse_cron("0 0 * * 7");
    REQUIRE(sunday7);
    CHECK(sunday7->weekdays.test(0));
    auto step_from = parse_cron("5/20 * * * *");
    REQUIRE(step_from);
    CHECK(step_from->minutes.count() == 3);
    CHECK(step_from->minutes.test(45));
}

TEST_CASE("cron macros", "[cron]") {
    for (const char* m :
         {"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"}) {
        CHECK(parse_cron(m));
    }
    auto daily = parse_cron("@daily");
    CHECK(daily->matches(0, 0, 17, 6, 3));
    CHECK_FALSE(daily->matches(0, 1, 17, 6, 3));
}

TEST_CASE("cron errors say which field and why", "[cron]") {
    CHECK(parse_cron("0 3 * *").error ==
          "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
    CHECK(parse_cron("61 3 * * *").error == "minute: 61 is out of range 0-59");
    CHECK(parse_cron("0 3 32 * *").error == "day-of-month: 32 is out of range 1-31");
    CHECK(parse_cron("0 3 * 13 *").error == "month: 13 is out of range 1-12");
    CHECK(parse_cron("0 3 * * funday").error == "day-of-week: \"funday\" is not a value");
    CHECK(parse_cron("0 5-2 * * *").error == "hour: range 5-2 runs backwards");
    CHECK(parse_cron("*/0 * * * *").error == "minute: bad step \"0\"");
    CHECK(parse_cron("0,,5 * * * *").error.find("empty list item") != std::string::npos);
    CHECK(parse_cron("@often").error.find("unknown macro") != std::string::npos);
}

TEST_CASE("a schedule whose day never falls in its months is refused, as it would never run",
          "[cron]") {
    CHECK(parse_cron("0 0 31 2 *").error ==
          "day-of-month \"31\" never falls in month \"2\": the schedule would never run");
    CHECK_FALSE(parse_cron("0 0 30,31 feb *"));
    CHECK_FALSE(parse_cron("0 0 31 4,6,9,11 *"));
    // possible: 29 February (leap years), 31 in one month of a list, a weekday as well (either
    // matches), a step that reaches a short month's days
    CHECK(parse_cron("0 0 29 2 *"));
    CHECK(parse_cron("0 0 31 2,3 *"));
    CHECK(parse_cron("0 0 31 2 mon"));
    CHECK(parse_cron("0 0 */10 2 *"));
}

TEST_CASE("retention parses, prints and rejects", "[retention]") {
    auto r = parse_retention("last=3, daily=7,weekly=4,monthly=6");
    REQUIRE(r);
    CHECK(r->last == 3);
    CHECK(r->monthly == 6);
    CHECK(r->to_string() == "last=3,daily=7,weekly=4,monthly=6");
    CHECK(parse_retention("").error.find("empty") != std::string::npos);
    CHECK(parse_retention("daily").error == "\"daily\" is not key=count");
    CHECK(parse_retention("last=2,last=3").error == "last is given twice");
    CHECK(parse_retention("hourly=-1").error.find("is not a count") != std::string::npos);
    CHECK(parse_retention("montly=3").error == "unknown key \"montly\"; did you mean \"monthly\"?");
}

TEST_CASE("durations", "[duration]") {
    CHECK(*parse_duration("90s") == std::chrono::seconds(90));
    CHECK(*parse_duration("1h30m") == std::chrono::minutes(90));
    CHECK(*parse_duration("2d") == std::chrono::hours(48));
    CHECK(*parse_duration("1w") == std::chrono::hours(168));
    CHECK_FALSE(parse_duration("1 hour"));
    CHECK_FALSE(parse_duration("10"));
    CHECK_FALSE(parse_duration("h"));
    CHECK(parse_duration("5y").error.find("unknown unit 'y'") != std::string::npos);
    CHECK(format_duration(std::chrono::minutes(90)) == "1h30m");
}

TEST_CASE("nearest suggestions", "[suggest]") {
    const std::vector<std::string_view> words{"cron", "retention", "repository", "db.name"};
    CHECK(nearest("crom", words) == "cron");
    CHECK(nearest("retension", words) == "retention");
    CHECK(nearest("db.nmae", words) == "db.name");
    CHECK_FALSE(nearest("zzzzzz", words));
    CHECK(edit_distance("backupclt", "backupctl") == 1);
}

namespace {

// 2026-03-29 and 2026-10-25 are Europe/Berlin's switch days: 01:00 UTC both times.
constexpr std::int64_t kSpring = 1774746000;  // 2026-03-29T01:00:00Z
constexpr std::int64_t kAutumn = 1792890000;  // 2026-10-25T01:00:00Z

// A controllable zone shaped like Europe/Berlin in 2026: +1 h, +2 h between the switches.
std::int64_t berlin_like(std::int64_t utc) {
    return (utc >= kSpring && utc < kAutumn) ? 7200 : 3600;
}

std::int64_t utc(int y, int mo, int d, int h, int mi) {
    // days from civil (Howard Hinnant)
    y -= mo <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(mo > 2 ? mo - 3 : mo + 9) + 2) / 5 +
                         static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = era * 146097 + static_cast<std::int64_t>(doe) - 719468;
    return days * 86400 + h * 3600 + mi * 60;
}

std::vector<std::int64_t> dues(const char* text,
                               std::int64_t from,
                               int count,
                               const UtcOffset& tz) {
    auto c = parse_cron(text);
    REQUIRE(c);
    std::vector<std::int64_t> out;
    std::int64_t t = from;
    for (int i = 0; i < count; ++i) {
        t = next_due(*c, t, tz);
        out.push_back(t);
    }
    return out;
}

}  // namespace

TEST_CASE("next due time in UTC: minutes, days, month ends, impossible dates", "[cron][due]") {
    const UtcOffset zero = [](std::int64_t) { return std::int64_t{0}; };
    CHECK(dues("*/15 * * * *", utc(2026, 11, 26, 10, 7), 3, zero) ==
          std::vector<std::int64_t>{
              utc(2026, 11, 26, 10, 15), utc(2026, 11, 26, 10, 30), utc(2026, 11, 26, 10, 45)});
    // strictly after: a due time equal to `after` is not returned again
    CHECK(dues("0 3 * * *", utc(2026, 11, 26, 3, 0), 1, zero)[0] == utc(2026, 11, 27, 3, 0));
    CHECK(dues("@monthly", utc(2026, 12, 15, 0, 0), 2, zero) ==
          std::vector<std::int64_t>{utc(2027, 1, 1, 0, 0), utc(2027, 2, 1, 0, 0)});
    CHECK(dues("0 0 29 2 *", utc(2026, 3, 1, 0, 0), 1, zero)[0] == utc(2028, 2, 29, 0, 0));
    CHECK(dues("@weekly", utc(2026, 11, 26, 12, 0), 1, zero)[0] ==
          utc(2026, 11, 29, 0, 0));          // Sunday
    auto parsed = parse_cron("0 0 30 * *");  // made impossible by hand: parse_cron refuses it
    REQUIRE(parsed);
    CronSchedule never = *parsed;
    never.months.reset();
    never.months.set(2);
    CHECK(next_due(never, utc(2026, 1, 1, 0, 0), zero) == -1);
    auto daily = parse_cron("@daily");
    REQUIRE(daily);
    CHECK(interval_after(*daily, utc(2026, 11, 26, 12, 0), zero) == 86400);
}

TEST_CASE("schedules in local time across DST: a skipped time runs once, a repeated one once",
          "[cron][due][dst]") {
    const UtcOffset tz = berlin_like;
    // Plain local time: 03:00 Berlin is 02:00 UTC in winter, 01:00 UTC in summer.
    CHECK(dues("0 3 * * *", utc(2026, 3, 27, 12, 0), 3, tz) ==
          std::vector<std::int64_t>{
              utc(2026, 3, 28, 2, 0), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 1, 0)});
    // 02:30 does not exist on 2026-03-29: it runs once at the first instant after the gap
    // (03:00 CEST = 01:00 UTC), then normally.
    CHECK(dues("30 2 * * *", utc(2026, 3, 28, 12, 0), 2, tz) ==
          std::vector<std::int64_t>{utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)});
    // Every 15 minutes through the gap: nothing runs twice, the gap's four times collapse into one.
    const auto q = dues("*/15 * * * *", utc(2026, 3, 29, 0, 30), 4, tz);
    CHECK(q == std::vector<std::int64_t>{utc(2026, 3, 29, 0, 45),
                                         utc(2026, 3, 29, 1, 0),
                                         utc(2026, 3, 29, 1, 15),
                                         utc(2026, 3, 29, 1, 30)});
    // 02:30 happens twice on 2026-10-25 (CEST, then CET): it runs on the first pass only.
    CHECK(dues("30 2 * * *", utc(2026, 10, 24, 12, 0), 2, tz) ==
          std::vector<std::int64_t>{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)});
    // Asked from inside the second pass (a restart at 02:40 CET), 02:50 is not run again.
    CHECK(dues("50 2 * * *", utc(2026, 10, 25, 1, 40), 1, tz)[0] == utc(2026, 10, 26, 1, 50));
    // Hourly: the repeated 02:00 (01:00 UTC) is not run again.
    const auto h = dues("0 * * * *", utc(2026, 10, 24, 23, 30), 4, tz);
    CHECK(h == std::vector<std::int64_t>{utc(2026, 10, 25, 0, 0),
                                         utc(2026, 10, 25, 2, 0),
                                         utc(2026, 10, 25, 3, 0),
                                         utc(2026, 10, 25, 4, 0)});
}

TEST_CASE("the system's Europe/Berlin agrees with the controllable zone", "[cron][due][dst][tz]") {
    auto berlin = bk::adapters::time::system_zone("Europe/Berlin");
    REQUIRE(berlin.has_value());
    for (std::int64_t t : {kSpring - 60,
                           kSpring,
                           kSpring + 60,
                           kAutumn - 60,
                           kAutumn,
                           kAutumn + 60,
                           utc(2026, 7, 1, 12, 0),
                           utc(2026, 12, 1, 12, 0)}) {
        INFO(t);
        CHECK((*berlin)(t) == berlin_like(t));
    }
    CHECK(dues("30 2 * * *", utc(2026, 3, 28, 12, 0), 2, *berlin) ==
          std::vector<std::int64_t>{utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)});
    auto bad = bk::adapters::time::system_zone("Mars/Olympus_Mons");
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("Mars/Olympus_Mons"));
    REQUIRE(bk::adapters::time::system_zone("UTC").has_value());
}
