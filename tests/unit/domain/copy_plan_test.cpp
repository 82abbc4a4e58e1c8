#include "domain/copy_plan.hpp"

#include <catch2/catch.hpp>

#include "domain/utc_time.hpp"

using namespace bk::domain;  // NOLINT(google-build-using-namespace)

namespace {
PendingCopy row(std::string id, std::string made_at, std::string copied_at = {}) {
    PendingCopy p;
    p.snapshot_id = std::move(id);
    p.source = "main";
    p.destination = "offsite";
    p.target = "shop";
    p.made_at = std::move(made_at);
    p.copied_at = std::move(copied_at);
    return p;
}

RepositoryConfig repo(std::string url, std::string copy_to = {}) {
    RepositoryConfig r;
    r.url = std::move(url);
    r.copy_to = std::move(copy_to);
    return r;
}
}  // namespace

TEST_CASE("the copy lag is the age of the oldest snapshot not yet copied", "[copy]") {
    const auto now = parse_utc("2026-12-07T12:00:00.000Z");
    const std::vector<PendingCopy> rows{
        row("a", "2026-12-07T09:00:00.000Z", "2026-12-07T09:01:00.000Z"),  // copied: not counted
        row("b", "2026-12-07T10:00:00.000Z"),
        row("c", "2026-12-07T11:00:00.000Z"),
    };
    auto lag = copy_lag("main", "offsite", rows, now, std::chrono::hours(1));
    CHECK(lag.pending == 2);
    CHECK(lag.lag_seconds == 2 * 3600);
    CHECK(lag.oldest_made_at == "2026-12-07T10:00:00.000Z");
    CHECK(lag.overdue());
    // Another pair's rows are not this pair's.
    auto other = copy_lag("main", "elsewhere", rows, now, std::chrono::hours(1));
    CHECK(other.pending == 0);
    CHECK(other.lag_seconds == 0);
    CHECK_FALSE(other.overdue());
}

TEST_CASE("a copy is overdue only past its threshold and never with nothing pending", "[copy]") {
    const auto now = parse_utc("2026-12-07T12:00:00.000Z");
    const std::vector<PendingCopy> rows{row("b", "2026-12-07T11:59:58.000Z")};
    CHECK_FALSE(copy_lag("main", "offsite", rows, now, std::chrono::seconds(2)).overdue());
    CHECK(copy_lag("main", "offsite", rows, now + 1, std::chrono::seconds(2)).overdue());
    CHECK_FALSE(copy_lag("main", "offsite", {}, now + 100, std::chrono::seconds(2)).overdue());
    // An unreadable time is never a made-up lag.
    CHECK(copy_lag("main", "offsite", {row("x", "garbage")}, now, std::chrono::seconds(2))
              .lag_seconds == 0);
}

TEST_CASE("copy_to must name another repository without a cycle", "[copy]") {
    std::map<std::string, RepositoryConfig> repos{{"main", repo("/r/main", "offsite")},
                                                  {"offsite", repo("rest:http://h/r")}};
    CHECK(copy_problems(repos).empty());
    repos["main"].copy_to = "nowhere";
    auto missing = copy_problems(repos);
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].repository == "main");
    CHECK_THAT(missing[0].message, Catch::Contains("\"nowhere\" is not a repository"));
    repos["main"].copy_to = "main";
    REQUIRE(copy_problems(repos).size() == 1);
    CHECK_THAT(copy_problems(repos)[0].message, Catch::Contains("itself"));
    repos["main"].copy_to = "offsite";
    repos["offsite"].copy_to = "main";
    auto cycle = copy_problems(repos);
    REQUIRE(cycle.size() == 2);
    CHECK_THAT(cycle[0].message, Catch::Contains("cycle"));
}

TEST_CASE("a copy between repositories that need one variable with two values is refused",
          "[copy]") {
    std::map<std::string, RepositoryConfig> repos{{"a", repo("s3:http://one/b", "b")},
                                                  {"b", repo("s3:http://two/b")}};
    repos["a"].env["AWS_ACCESS_KEY_ID"] = Secret("KEY-ONE-7", "test");
    repos["b"].env["AWS_ACCESS_KEY_ID"] = Secret("KEY-TWO-9", "test");
    auto p = copy_problems(repos);
    REQUIRE(p.size() == 1);
    CHECK_THAT(p[0].message, Catch::Contains("AWS_ACCESS_KEY_ID"));
    // The values are never in the message.
    CHECK_THAT(p[0].message, !Catch::Contains("KEY-ONE-7") && !Catch::Contains("KEY-TWO-9"));
    repos["b"].env["AWS_ACCESS_KEY_ID"] = Secret("KEY-ONE-7", "test");
    CHECK(copy_problems(repos).empty());
}

TEST_CASE("a copy between two sftp repositories is refused", "[copy]") {
    std::map<std::string, RepositoryConfig> repos{{"a", repo("sftp:u@h1:/r", "b")},
                                                  {"b", repo("sftp:u@h2:/r")}};
    auto p = copy_problems(repos);
    REQUIRE(p.size() == 1);
    CHECK_THAT(p[0].message, Catch::Contains("sftp.command"));
}
