#include "domain/utc_time.hpp"

#include <catch2/catch.hpp>

using namespace bk::domain;

TEST_CASE("UTC times: written and read back", "[utc]") {
    CHECK(format_utc(1795748400) == "2026-11-27T03:00:00Z");
    CHECK(format_utc(-1).empty());
    CHECK(parse_utc("2026-11-27T03:00:00Z") == 1795748400);
    CHECK(parse_utc("2026-11-27T03:00:00.250Z") == 1795748400);
    CHECK(parse_utc("yesterday") == -1);
    CHECK(utc_timestamp("2026-11-27T03:00:00.250Z") ==
          Approx(1795748400.25).epsilon(0).margin(0.001));
    CHECK(seconds_between("2026-11-27T03:00:00.250Z", "2026-11-27T03:01:01.000Z") ==
          Approx(60.75).epsilon(0).margin(0.001));
    CHECK(seconds_between("", "2026-11-27T03:01:01.000Z") == 0);

    const auto now = utc_now();
    REQUIRE(now.size() == 24);
    CHECK(now.back() == 'Z');
    CHECK(parse_utc(now) <= unix_now());
    CHECK(unix_now() - parse_utc(now) < 5);
}
