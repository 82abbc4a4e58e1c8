// RepositoryChecks over a fake repository and a real audit store: the rotation moves on only
// after a pass, and a backup run's retention is refused (skipped, the run successful) while the
// repository's last check failed.
#include "application/repository_checks.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

struct Rig : bk::testing::RunRig {
    domain::NullLogger log;
    Rig() {
        config.repositories["default"].check_subsets = 3;
        config.repositories["default"].check_cron = "@weekly";
    }
    app::RepositoryChecks checks() {
        return app::RepositoryChecks(config, lookup(), *audit, log, {});
    }
};

domain::CheckSummary failed_check() {
    domain::CheckSummary s;
    s.ok = false;
    s.packs_read = 5;
    s.total_packs = 80;
    s.error = "Pack ID does not match\nFatal: repository contains errors";
    return s;
}

}  // namespace

TEST_CASE("checks read subsets 1 to N in turn and a failed subset is read again",
          "[unit][checks]") {
    Rig rig;
    auto checks = rig.checks();
    for (int i = 0; i < 4; ++i) {
        auto done = bk::testing::run_task(checks.run("default"));
        CHECK(done.kind == app::CheckOutcome::Kind::passed);
    }
    rig.repo.check_result = failed_check();
    auto bad = bk::testing::run_task(checks.run("default"));
    CHECK(bad.kind == app::CheckOutcome::Kind::failed);
    rig.repo.check_result = domain::CheckSummary{true, 10, 80, "", 0.1};
    auto again = bk::testing::run_task(checks.run("default"));
    CHECK(again.kind == app::CheckOutcome::Kind::passed);
    const std::vector<std::pair<int, int>> expected{{1, 3}, {2, 3}, {3, 3}, {1, 3}, {2, 3}, {2, 3}};
    CHECK(rig.repo.checks_run == expected);

    auto states = checks.states({"default"});
    REQUIRE(states.has_value());
    REQUIRE(states->size() == 1);
    const auto& s = states->front();
    REQUIRE(s.last);
    CHECK(s.last->ok);
    CHECK(s.next_subset == 3);
    CHECK(s.read_fraction == Approx(20.0 / 80));
    CHECK(s.next_due > 0);
    CHECK_FALSE(checks.states({"nope"}).has_value());
}

TEST_CASE("a busy repository is not a failed check and moves nothing", "[unit][checks]") {
    Rig rig;
    rig.repo.check_result = Failure{errc::repo_locked, "repository default is locked"};
    auto checks = rig.checks();
    auto done = bk::testing::run_task(checks.run("default"));
    CHECK(done.kind == app::CheckOutcome::Kind::busy);
    auto recorded = rig.audit->checks("default", 10);
    REQUIRE(recorded.has_value());
    CHECK(recorded->empty());
    CHECK_FALSE(app::maintenance_refused(*rig.audit, "default"));
}

TEST_CASE("a run keeps its backup and skips retention while its repository's last check failed",
          "[unit][checks][runner][retention]") {
    Rig rig;
    auto target = *bk::testing::labelled_target("shop-db", "default").target;
    target.retention.last = 3;
    auto checks = rig.checks();
    rig.repo.check_result = failed_check();
    (void)bk::testing::run_task(checks.run("default"));

    auto runner = rig.runner();
    const auto report = bk::testing::run_task(runner.run(target, "manual", ""));
    CHECK(report.status == domain::RunStatus::success);
    CHECK(rig.repo.snapshots_stored.size() == 1);
    CHECK(rig.repo.forgets.empty());
    CHECK(report.retention == domain::RetentionOutcome::skipped);
    CHECK_THAT(report.retention_detail, Catch::Contains("refused: repository default"));
    CHECK_THAT(report.retention_detail, Catch::Contains("backupctl check --now default"));

    // A passing check (of the same subset) clears it: the next run's retention runs.
    rig.repo.check_result = domain::CheckSummary{true, 10, 80, "", 0.1};
    (void)bk::testing::run_task(checks.run("default"));
    const auto next = bk::testing::run_task(runner.run(target, "manual", ""));
    CHECK(next.retention == domain::RetentionOutcome::ok);
    CHECK(rig.repo.forgets.size() == 1);
}
