// What `backupctl health` reports of the targets: a failed last backup or drill and an overdue
// target fail, an empty drill and a suspect backup warn, a stopped target warns (its old failure
// named, neither failing nor overdue), a skipped run hides no failure, and a missing notifier
// warns.
#include "application/target_health.hpp"

#include <catch2/catch.hpp>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "support/fakes.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using Level = app::HealthFinding::Level;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

struct Store {
    bk::testing::TempDir dir;
    std::unique_ptr<adapters::audit::SqliteAuditLog> audit;
    int n{0};
    Store() {
        auto opened = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(opened.has_value());
        audit = std::move(*opened);
    }
    void run(const std::string& target,
             const std::string& status,
             const std::string& at,
             const std::string& kind = "backup",
             const std::string& error = {}) {
        domain::RunRecord r;
        r.id = "r" + std::to_string(++n);
        r.kind = kind;
        r.target = target;
        r.trigger = "schedule";
        r.status = *domain::parse_run_status(status);
        r.started_at = at;
        r.finished_at = at;
        r.error = error;
        REQUIRE(audit->finish_run(r).has_value());
    }
};

domain::Target target(const std::string& name, bool stopped = false) {
    auto c = bk::testing::labelled_target(name);
    if (stopped)
        c = bk::testing::stopped(c);
    auto t = *c.target;
    t.container_state = c.state;
    t.stopped_since = c.stopped_since;
    t.cron = "0 3 * * *";
    return t;
}

const domain::UtcOffset kUtc = [](std::int64_t) -> std::int64_t { return 0; };

std::vector<app::HealthFinding> of(const std::vector<app::HealthFinding>& all,
                                   const std::string& name) {
    std::vector<app::HealthFinding> out;
    for (const auto& f : all) {
        if (f.check == "target " + name)
            out.push_back(f);
    }
    return out;
}

}  // namespace

TEST_CASE("health: a failed last backup or drill fails, a skipped run hides nothing", "[health]") {
    Store s;
    s.run("ok", "success", "2027-01-15T03:00:05.000Z");
    s.run("broken", "success", "2027-01-14T03:00:05.000Z");
    s.run("broken", "failed", "2027-01-15T03:00:05.000Z", "backup", "pg_dump: connection refused");
    s.run("broken", "skipped", "2027-01-15T04:00:05.000Z");  // another process held the lock
    s.run("crashy", "crashed", "2027-01-15T03:00:05.000Z");
    s.run("drilled", "success", "2027-01-15T03:00:05.000Z");
    s.run("drilled", "failed", "2027-01-15T04:00:05.000Z", "verify", "row counts differ");
    const auto all =
        app::target_findings({target("ok"), target("broken"), target("crashy"), target("drilled")},
                             *s.audit,
                             kNow,
                             kUtc);

    CHECK(of(all, "ok").empty());
    REQUIRE(of(all, "broken").size() == 1);
    CHECK(of(all, "broken")[0].level == Level::fail);
    CHECK_THAT(of(all, "broken")[0].message,
               Catch::StartsWith("last backup failed at 2027-01-15T03:00:05.000Z (run r3): "
                                 "pg_dump: connection refused"));
    REQUIRE(of(all, "crashy").size() == 1);
    CHECK(of(all, "crashy")[0].level == Level::fail);
    REQUIRE(of(all, "drilled").size() == 1);
    CHECK(of(all, "drilled")[0].level == Level::fail);
    CHECK_THAT(of(all, "drilled")[0].message,
               Catch::StartsWith("last restore drill failed") && Catch::Contains("row counts"));
}

TEST_CASE("health: overdue past twice the interval fails, a never backed up target does not",
          "[health]") {
    Store s;
    s.run("fresh", "success", "2027-01-14T03:00:05.000Z");  // 29 h ago, daily: within 2 days
    s.run("stale", "success", "2027-01-12T03:00:05.000Z");  // 3 days ago
    const auto all = app::target_findings(
        {target("fresh"), target("stale"), target("never")}, *s.audit, kNow, kUtc);

    CHECK(of(all, "fresh").empty());
    CHECK(of(all, "never").empty());  // catch-up runs it; its failures are told
    REQUIRE(of(all, "stale").size() == 1);
    CHECK(of(all, "stale")[0].level == Level::fail);
    CHECK(of(all, "stale")[0].message ==
          "overdue: last success 2027-01-12T03:00:05.000Z (76h59m ago), due every 24h00m");
    CHECK(app::overdue_interval(target("stale"), "2027-01-12T03:00:05.000Z", kNow, kUtc) ==
          std::optional<std::int64_t>(86400));
    CHECK_FALSE(app::overdue_interval(target("fresh"), "2027-01-14T03:00:05.000Z", kNow, kUtc));
}

TEST_CASE("health: a stopped target warns with since when, never fails or is overdue",
          "[health][stopped]") {
    Store s;
    // The failed runs of the days before the stopped state existed, and an old success.
    s.run("down", "success", "2026-11-01T03:00:05.000Z");
    s.run("down",
          "failed",
          "2026-11-21T03:00:05.000Z",
          "backup",
          "target container down is not running (exited)");
    auto down = target("down", true);
    auto disabled = target("off", true);
    disabled.enabled = false;
    const auto all = app::target_findings({down, disabled}, *s.audit, kNow, kUtc);

    CHECK(of(all, "off").empty());
    REQUIRE(of(all, "down").size() == 1);
    const auto f = of(all, "down")[0];  // a copy: of() returns a new vector
    CHECK(f.level == Level::warn);
    CHECK_THAT(f.message,
               Catch::StartsWith("stopped since 2026-11-20T10:00:00Z (container down is exited); "
                                 "no scheduled backup until it runs again") &&
                   Catch::Contains("its last backup failed at 2026-11-21T03:00:05.000Z"));
}

TEST_CASE("health: no notifier configured is a warning", "[health]") {
    domain::OperatorConfig config;
    auto none = app::notifier_finding(config);
    REQUIRE(none.has_value());
    CHECK(none->level == Level::warn);
    CHECK(none->check == "notifiers");
    config.notifiers["ops"] = domain::NotifierConfig{};
    CHECK_FALSE(app::notifier_finding(config).has_value());
}

TEST_CASE("health: a drill that restored an empty database warns, it proves nothing", "[health]") {
    Store s;
    s.run("empty", "success", "2027-01-15T03:00:05.000Z");
    s.run("empty",
          "passed-empty",
          "2027-01-15T04:00:05.000Z",
          "verify",
          "the database had no tables or rows: the drill proves nothing (shop (no tables))");
    const auto all = app::target_findings({target("empty")}, *s.audit, kNow, kUtc);
    REQUIRE(of(all, "empty").size() == 1);
    CHECK(of(all, "empty")[0].level == Level::warn);
    CHECK_THAT(of(all, "empty")[0].message,
               Catch::StartsWith("last restore drill r2 restored an empty database") &&
                   Catch::Contains("shop (no tables)"));
}

TEST_CASE("health: a suspect last backup warns with how to accept it, and is not overdue",
          "[health][anomaly]") {
    Store s;
    s.run("shop", "success", "2027-01-10T03:00:05.000Z");
    s.run("shop", "suspect", "2027-01-15T03:00:05.000Z", "backup", "suspect: app: table t gone");
    const auto all = app::target_findings({target("shop")}, *s.audit, kNow, kUtc);
    REQUIRE(of(all, "shop").size() == 1);
    CHECK(of(all, "shop")[0].level == Level::warn);
    CHECK_THAT(of(all, "shop")[0].message,
               Catch::StartsWith("last backup r2 is suspect (suspect: app: table t gone)") &&
                   Catch::Contains("backupctl accept r2"));
}
