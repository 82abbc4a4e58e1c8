// `restore --new-container` leaves a copy of the target's server on the app's network for the
// user; `restore --cleanup` removes what such restores left, and only that: a copy is removed
// when the audit trail holds the restore of that target that made it, never on its label alone.
#include "application/restore_cleanup.hpp"

#include <catch2/catch.hpp>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "application/backup_runner.hpp"
#include "application/restore.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

domain::Target shop() {
    auto c = bk::testing::labelled_target("shop-db");
    c.target->container_name = "shop-db-1";
    c.target->network = "shop_default";
    return *c.target;
}

struct Rig : bk::testing::RunRig {
    bk::testing::FakeRestoredCopies copies;

    /// A backup of shop-db, then `restore shop-db --new-container`.
    app::RestoreReport restore_new_container() {
        auto r = runner();
        REQUIRE(bk::testing::run_task(r.run(shop(), "manual", "")).status ==
                domain::RunStatus::success);
        auto service = restore_service(r);
        app::RestoreRequest request;
        request.new_container = true;
        request.safety_backup = false;
        return bk::testing::run_task(service.restore(shop(), request, "manual"));
    }
    /// The copy as the engine lists it: the labels its restore gave it.
    static domain::RestoredCopy listed(const app::RestoreReport& report, const std::string& id) {
        domain::RestoredCopy c;
        c.container_id = id;
        c.name = report.new_container;
        c.target = report.target;
        c.run_id = report.run_id;
        c.restored_at = "2026-12-01T10:00:00Z";
        c.state = "running";
        c.networks = {"shop_default"};
        c.volumes = {"0123abcd"};
        return c;
    }
};

}  // namespace

TEST_CASE("restore --new-container: the report and the audit name the copy and its network",
          "[restore][cleanup]") {
    Rig rig;
    auto report = rig.restore_new_container();
    CHECK(rig.restorer.clones == 1);
    CHECK(report.new_container.starts_with("shop-db-1-restored-"));
    CHECK(report.new_container_network == "shop_default");
    // The fake loads nothing: the restore fails after the copy was made, which stays for
    // inspection, and the step still names it (name and short id).
    CHECK(report.status == domain::RunStatus::failed);
    auto steps = rig.audit->steps(report.run_id);
    REQUIRE(steps.has_value());
    bool named = false;
    for (const auto& s : *steps) {
        if (s.name == "new container")
            named = s.detail ==
                    app::new_container_detail(report.new_container, "copy-" + report.run_id);
    }
    CHECK(named);
}

TEST_CASE("restore --cleanup removes the copies its restores made and keeps the rest",
          "[restore][cleanup]") {
    Rig rig;
    auto report = rig.restore_new_container();
    REQUIRE(!report.new_container.empty());
    const auto made = Rig::listed(report, "copy-" + report.run_id);
    rig.copies.copies.push_back(made);

    // Labelled as a copy of shop-db, but no restore here made it.
    auto stranger = made;
    stranger.container_id = "other-id";
    stranger.name = "someone-else";
    rig.copies.copies.push_back(stranger);
    auto unknown_run = made;
    unknown_run.container_id = "unknown-run";
    unknown_run.name = "unknown-run";
    unknown_run.run_id = "20260101T000000-nope";
    rig.copies.copies.push_back(unknown_run);
    auto older = made;
    older.container_id = "older";
    older.name = "older";
    older.run_id.clear();
    rig.copies.copies.push_back(older);
    // A copy of another target is not even listed.
    auto elsewhere = made;
    elsewhere.container_id = "elsewhere";
    elsewhere.target = "blog-db";
    rig.copies.copies.push_back(elsewhere);

    auto plan = bk::testing::run_task(app::plan_cleanup(rig.copies, *rig.audit, "shop-db"));
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() == 4);
    CHECK((*plan)[0].removable);
    CHECK((*plan)[0].reason.empty());
    CHECK_FALSE((*plan)[1].removable);
    CHECK((*plan)[1].reason.find("made another container") != std::string::npos);
    CHECK_FALSE((*plan)[2].removable);
    CHECK((*plan)[2].reason.find("no restore of shop-db") != std::string::npos);
    CHECK_FALSE((*plan)[3].removable);
    CHECK((*plan)[3].reason.find("names no restore run") != std::string::npos);

    auto done = bk::testing::run_task(app::clean_up(rig.copies, std::move(*plan)));
    REQUIRE(done.size() == 4);
    CHECK(done[0].outcome == app::CopyFate::removed);
    CHECK(done[1].outcome == app::CopyFate::kept);
    CHECK(rig.copies.removed == std::vector<std::string>{"copy-" + report.run_id});
    CHECK(rig.copies.copies.size() == 4);  // the strangers and the other target's copy

    // Run again: nothing of ours is left.
    auto again = bk::testing::run_task(app::plan_cleanup(rig.copies, *rig.audit, "shop-db"));
    REQUIRE(again.has_value());
    for (const auto& c : *again)
        CHECK_FALSE(c.removable);
}

TEST_CASE("restore --cleanup keeps a copy whose run is of another target or still running",
          "[restore][cleanup]") {
    Rig rig;
    auto report = rig.restore_new_container();
    // The same run id claimed for another target's copy.
    auto claimed = Rig::listed(report, "copy-" + report.run_id);
    claimed.target = "blog-db";
    rig.copies.copies.push_back(claimed);
    auto plan = bk::testing::run_task(app::plan_cleanup(rig.copies, *rig.audit, "blog-db"));
    REQUIRE(plan.has_value());
    REQUIRE(plan->size() == 1);
    CHECK_FALSE(plan->front().removable);
    CHECK(plan->front().reason.find("no restore of blog-db") != std::string::npos);

    // A restore that is still loading into its copy: the copy is not taken from under it.
    domain::RunRecord running;
    running.id = "20261201T100000-live";
    running.kind = "restore";
    running.target = "shop-db";
    running.status = domain::RunStatus::running;
    running.started_at = "2026-12-01T10:00:00Z";
    REQUIRE(rig.audit->begin_run(running).has_value());
    domain::StepRecord step{running.id, "new container", running.started_at};
    step.outcome = domain::StepOutcome::ok;
    step.detail = app::new_container_detail("shop-db-1-restored-live", "live-id");
    REQUIRE(rig.audit->add_step(step).has_value());
    domain::RestoredCopy live;
    live.container_id = "live-id";
    live.name = "shop-db-1-restored-live";
    live.target = "shop-db";
    live.run_id = running.id;
    rig.copies.copies = {live};
    auto busy = bk::testing::run_task(app::plan_cleanup(rig.copies, *rig.audit, "shop-db"));
    REQUIRE(busy.has_value());
    REQUIRE(busy->size() == 1);
    CHECK_FALSE(busy->front().removable);
    CHECK(busy->front().reason.find("still running") != std::string::npos);
    auto done = bk::testing::run_task(app::clean_up(rig.copies, std::move(*busy)));
    CHECK(done.front().outcome == app::CopyFate::kept);
    CHECK(rig.copies.removed.empty());
}

TEST_CASE("restore --cleanup with nothing left plans nothing", "[restore][cleanup]") {
    Rig rig;
    auto plan = bk::testing::run_task(app::plan_cleanup(rig.copies, *rig.audit, "shop-db"));
    REQUIRE(plan.has_value());
    CHECK(plan->empty());
    auto done = bk::testing::run_task(app::clean_up(rig.copies, std::move(*plan)));
    CHECK(done.empty());
}
