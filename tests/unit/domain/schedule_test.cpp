#include "domain/schedule.hpp"

#include <catch2/catch.hpp>

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
    CHECK(c->matches(0, 2, 1, 1, 0));   // the 1st, a Sunday
    CHECK(c->matches(0, 2, 3, 1, 1));   // a Monday, the 3rd
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
    for (const char* m : {"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly",
                          "@annually"}) {
        CHECK(parse_cron(m));
    }
    auto daily = parse_cron("@daily");
    CHECK(daily->matches(0, 0, 17, 6, 3));
    CHECK_FALSE(daily->matches(0, 1, 17, 6, 3));
}

TEST_CASE("cron errors say which field and why", "[cron]") {
    CHECK(parse_cron("0 3 * *").error == "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
    CHECK(parse_cron("61 3 * * *").error == "minute: 61 is out of range 0-59");
    CHECK(parse_cron("0 3 32 * *").error == "day-of-month: 32 is out of range 1-31");
    CHECK(parse_cron("0 3 * 13 *").error == "month: 13 is out of range 1-12");
    CHECK(parse_cron("0 3 * * funday").error == "day-of-week: \"funday\" is not a value");
    CHECK(parse_cron("0 5-2 * * *").error == "hour: range 5-2 runs backwards");
    CHECK(parse_cron("*/0 * * * *").error == "minute: bad step \"0\"");
    CHECK(parse_cron("0,,5 * * * *").error.find("empty list item") != std::string::npos);
    CHECK(parse_cron("@often").error.find("unknown macro") != std::string::npos);
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
