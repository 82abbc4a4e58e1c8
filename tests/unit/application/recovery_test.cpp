// Crash recovery decides from liveness alone: everything of a dead instance is cleaned (runs
// crashed, containers removed, stopped targets started, restic unlocked), nothing of a live one.
#include "application/recovery.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "support/fakes.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

domain::RunRecord running_run(const std::string& id, const std::string& instance) {
    domain::RunRecord r;
    r.id = id;
    r.target = "t-" + id;
    r.trigger = "schedule";
    r.status = domain::RunStatus::running;
    r.started_at = "2026-11-26T10:00:00.000Z";
    r.instance = instance;
    r.pid = 4242;
    return r;
}

}  // namespace

TEST_CASE("recovery cleans what a dead instance left and nothing of a live one", "[recovery]") {
    bk::testing::TempDir dir;
    auto audit = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
    REQUIRE(audit.has_value());
    auto& log = **audit;
    REQUIRE(log.begin_run(running_run("r-dead", "dead1")).has_value());
    REQUIRE(log.begin_run(running_run("r-live", "live1")).has_value());
    REQUIRE(log.begin_run(running_run("r-self", "self")).has_value());
    // The dead instance stopped a target for its files backup and died before starting it.
    REQUIRE(log.record_effect({"r-dead",
                               "dead1",
                               "container_stopped",
                               "app-id",
                               "shop-app-1",
                               "2026-11-26T10:00:01.000Z"})
                .has_value());
    // The live one has stopped another target right now.
    REQUIRE(log.record_effect({"r-live",
                               "live1",
                               "container_stopped",
                               "web-id",
                               "shop-web-1",
                               "2026-11-26T10:00:02.000Z"})
                .has_value());
    // Both joined an app network with the operator's container for a project's hooks.
    REQUIRE(log.record_effect({"r-dead",
                               "dead1",
                               "network_joined",
                               "shop_default",
                               "op-dead",
                               "2026-11-26T10:00:03.000Z"})
                .has_value());
    REQUIRE(log.record_effect({"r-live",
                               "live1",
                               "network_joined",
                               "web_default",
                               "op-live",
                               "2026-11-26T10:00:04.000Z"})
                .has_value());

    bk::testing::FakeInstances instances;
    instances.files.insert("dead1");
    instances.live.insert("live1");
    instances.files.insert("live1");
    bk::testing::FakeJanitor janitor;
    janitor.containers = {{"c-dead", "backupctl-dump-a", "dead1", "r-dead"},
                          {"c-live", "backupctl-dump-b", "live1", "r-live"},
                          {"c-orphan", "backupctl-dump-c", "gone-without-audit", "r-x"}};
    janitor.running = {{"app-id", false}, {"web-id", false}};
    bk::testing::FakeRepository repo;
    app::RepositoryLookup lookup = [&repo](std::string) -> Task<Result<domain::BackupRepository*>> {
        co_return static_cast<domain::BackupRepository*>(&repo);
    };

    auto report = bk::testing::run_task(
        app::recover(log, janitor, instances, lookup, {"default", "offsite"}));

    CHECK(report.crashed_runs == 1);
    CHECK(report.removed_containers == 2);  // the dead instance's and the orphan's
    CHECK(report.restarted_targets == 1);
    CHECK(report.networks_left == 1);
    CHECK(janitor.left == std::set<std::string>{"shop_default/op-dead"});
    CHECK(report.unlocked_repositories == 2);
    CHECK(report.problems.empty());
    CHECK(janitor.removed == std::set<std::string>{"c-dead", "c-orphan"});
    CHECK(janitor.started == std::set<std::string>{"app-id"});
    CHECK(repo.unlocks == 2);
    CHECK(instances.forgotten == std::set<std::string>{"dead1"});

    auto runs = log.history("", false, 10);
    REQUIRE(runs.has_value());
    std::map<std::string, domain::RunRecord> by_id;
    for (const auto& r : *runs)
        by_id[r.id] = r;
    CHECK(by_id["r-dead"].status == domain::RunStatus::crashed);
    CHECK_THAT(by_id["r-dead"].error, Catch::Contains("pid 4242"));
    CHECK(by_id["r-live"].status == domain::RunStatus::running);
    CHECK(by_id["r-self"].status == domain::RunStatus::running);
    auto open = log.open_effects();
    REQUIRE(open.has_value());
    REQUIRE(open->size() == 2);  // the live instance's stop and network join stay open
    CHECK(open->front().run_id == "r-live");
    CHECK(open->back().run_id == "r-live");

    // Run again: nothing left to do, and no restic call without a reason.
    auto again = bk::testing::run_task(app::recover(log, janitor, instances, lookup, {"default"}));
    CHECK_FALSE(again.found_anything());
    CHECK(repo.unlocks == 2);
}
