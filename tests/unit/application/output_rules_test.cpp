// Outputs that cannot mislead (issue 18): a restore's safety backup is never "the last backup";
// a drill of a database with no table or no row ends passed-empty (or failed, when the config
// says so); snapshots carry their time in UTC, kind, database, size and marks (safety, suspect);
// a run's steps are printed as text.
#include <catch2/catch.hpp>

#include <filesystem>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "application/backup_runner.hpp"
#include "application/restore.hpp"
#include "application/snapshot_listing.hpp"
#include "domain/snapshot_tags.hpp"
#include "drivers/cli/views.hpp"
#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

// A whole pg_dump of a database without tables: what the drill restores.
const std::string kEmptyPgDump = "--\n-- PostgreSQL database dump complete\n--\n\n";

struct Rig : bk::testing::RunRig {
    domain::Target target = *bk::testing::labelled_target("shop-db").target;

    Rig() {
        dumper.payload = kEmptyPgDump;
        restorer.load_ok = true;
    }
    app::RunReport run(const std::string& trigger) {
        auto r = runner();
        return bk::testing::run_task(r.run(target, trigger, ""));
    }
    app::VerifyReport drill() {
        auto r = runner();
        auto restore = restore_service(r);
        const domain::SnapshotChoice newest;
        return bk::testing::run_task(restore.verify(target, newest, "manual"));
    }
    std::vector<app::SnapshotEntry> snapshots() {
        const std::vector<std::string> tags{domain::snapshot_tag("target", target.name)};
        auto list = bk::testing::run_task(repo.snapshots(tags));
        REQUIRE(list.has_value());
        return app::describe_snapshots(*list, audit.get(), target.name);
    }
};

}  // namespace

TEST_CASE("a safety backup is never the last backup, the last success or in the size trend",
          "[unit][output]") {
    Rig rig;
    auto scheduled = rig.run("schedule");
    REQUIRE(scheduled.status == domain::RunStatus::success);
    auto safety = rig.run(domain::kSafetyTrigger);
    REQUIRE(safety.status == domain::RunStatus::success);
    REQUIRE(rig.repo.snapshots_stored.size() == 2);
    CHECK(rig.repo.snapshots_stored[1].tags.back() == domain::kSafetyTag);

    auto last = rig.audit->last_run("shop-db", "backup");
    REQUIRE(last.has_value());
    REQUIRE(last->has_value());
    CHECK((*last)->id == scheduled.run_id);
    auto success = rig.audit->last_success("shop-db");
    REQUIRE(success.has_value());
    CHECK(*success == scheduled.finished_at);
    domain::RunQuery q;
    q.target = "shop-db";
    q.kind = "backup";
    q.no_safety = true;
    auto trend = rig.audit->runs(q);
    REQUIRE(trend.has_value());
    REQUIRE(trend->size() == 1);
    CHECK(trend->front().id == scheduled.run_id);
    q.no_safety = false;  // history still lists it
    CHECK(rig.audit->runs(q)->size() == 2);

    // Before any backup of its own, a target with only a safety backup has no last success.
    Rig fresh;
    REQUIRE(fresh.run(domain::kSafetyTrigger).status == domain::RunStatus::success);
    CHECK(fresh.audit->last_success("shop-db")->empty());
    CHECK_FALSE(fresh.audit->last_run("shop-db", "backup")->has_value());
}

TEST_CASE("a drill of a database without tables ends passed-empty and says it proves nothing",
          "[unit][output]") {
    Rig rig;
    REQUIRE(rig.run("schedule").status == domain::RunStatus::success);
    auto drill = rig.drill();
    INFO(drill.error);
    CHECK(drill.status == domain::DrillResult::passed_empty);
    CHECK(drill.error.find("the drill proves nothing") != std::string::npos);
    CHECK(drill.error.find("app (no tables)") != std::string::npos);
    auto last = rig.audit->last_run("shop-db", "verify");
    REQUIRE(last.has_value());
    REQUIRE(last->has_value());
    CHECK((*last)->status == domain::RunStatus::passed_empty);
    CHECK((*last)->error == drill.error);
}

TEST_CASE("a drill whose tables hold no row ends passed-empty, with rows it passes",
          "[unit][output]") {
    Rig rig;
    rig.dumper.rows = {{"public.users", 0}, {"public.orders", 0}};
    rig.restorer.rows = rig.dumper.rows;
    REQUIRE(rig.run("schedule").status == domain::RunStatus::success);
    auto empty = rig.drill();
    CHECK(empty.status == domain::DrillResult::passed_empty);
    CHECK(empty.error.find("app (no rows)") != std::string::npos);

    rig.dumper.rows = {{"public.users", 2}, {"public.orders", 0}};
    rig.restorer.rows = rig.dumper.rows;
    REQUIRE(rig.run("schedule").status == domain::RunStatus::success);
    auto real = rig.drill();
    INFO(real.error);
    CHECK(real.status == domain::DrillResult::passed);
    CHECK(real.error.empty());
    auto record = rig.audit->run(real.run_id);
    REQUIRE(record.has_value());
    REQUIRE(record->has_value());
    CHECK((*record)->status == domain::RunStatus::success);
}

TEST_CASE("defaults.drill_empty: fail makes an empty drill a failure", "[unit][output]") {
    Rig rig;
    rig.config.defaults.drill_empty = "fail";
    REQUIRE(rig.run("schedule").status == domain::RunStatus::success);
    auto drill = rig.drill();
    CHECK(drill.status == domain::DrillResult::failed);
    CHECK(drill.error.find("the drill proves nothing") != std::string::npos);
    CHECK(rig.audit->run(drill.run_id)->value().status == domain::RunStatus::failed);
}

TEST_CASE("snapshots: newest first, UTC times, kind, database, size and the marks",
          "[unit][output]") {
    Rig rig;
    auto first = rig.run("schedule");  // snap0001: good
    REQUIRE(first.status == domain::RunStatus::success);
    REQUIRE(rig.run(domain::kSafetyTrigger).status ==
            domain::RunStatus::success);  // snap0002: safety
    auto third = rig.run("schedule");     // snap0003: its run crashed
    REQUIRE(third.status == domain::RunStatus::success);
    auto crashed = rig.audit->run(third.run_id);
    REQUIRE(crashed->has_value());
    auto record = **crashed;
    record.status = domain::RunStatus::crashed;
    record.error = "operator died";
    REQUIRE(rig.audit->finish_run(record).has_value());
    // A drill of snap0001 that failed.
    domain::RunRecord drill;
    drill.id = "drill-1";
    drill.kind = "verify";
    drill.target = "shop-db";
    drill.trigger = "manual";
    drill.status = domain::RunStatus::failed;
    drill.started_at = "2026-12-02T00:00:00.000Z";
    drill.finished_at = "2026-12-02T00:01:00.000Z";
    drill.snapshots = "snap0001";
    drill.error = "row counts app: public.users 0 rows, 2 at backup";
    REQUIRE(rig.audit->finish_run(drill).has_value());

    const auto list = rig.snapshots();
    REQUIRE(list.size() == 3);
    CHECK(list[0].id == "snap0003");
    CHECK(list[1].id == "snap0002");
    CHECK(list[2].id == "snap0001");
    // restic's local time with its offset, in UTC
    CHECK(list[2].time == "2026-12-01T00:00:01Z");
    CHECK(app::human_utc(list[2].time) == "2026-12-01 00:00:01 UTC");
    for (const auto& s : list) {
        CHECK(s.kind == "database");
        CHECK(s.item == "app");
        REQUIRE(s.bytes.has_value());
        CHECK(*s.bytes == kEmptyPgDump.size());
    }
    CHECK(list[0].marks == std::vector<std::string>{"suspect"});
    CHECK(list[0].why.find("ended crashed: operator died") != std::string::npos);
    CHECK(list[1].marks == std::vector<std::string>{"safety"});
    CHECK(list[2].marks == std::vector<std::string>{"suspect"});
    CHECK(list[2].why.find("drill drill-1 failed") != std::string::npos);
    CHECK(list[2].run_id == first.run_id);

    const auto text = drivers::cli::render_snapshots(list);
    INFO(text);
    CHECK(text.find("2026-12-01 00:00:01 UTC") != std::string::npos);
    CHECK(text.find("MARK") != std::string::npos);
    CHECK(text.find("safety") != std::string::npos);
    CHECK(text.find("snap0001 suspect: its drill drill-1 failed") != std::string::npos);

    // A later drill of snap0001 that passed: no longer suspect.
    drill.id = "drill-2";
    drill.status = domain::RunStatus::success;
    drill.error.clear();
    drill.started_at = "2026-12-03T00:00:00.000Z";
    drill.finished_at = "2026-12-03T00:01:00.000Z";
    REQUIRE(rig.audit->finish_run(drill).has_value());
    CHECK(rig.snapshots()[2].marks.empty());
}

TEST_CASE("snapshots the audit does not know keep their listing, without size or mark",
          "[unit][output]") {
    Rig rig;
    REQUIRE(rig.run("schedule").status == domain::RunStatus::success);
    const std::vector<std::string> tags{domain::snapshot_tag("target", "shop-db")};
    auto list = bk::testing::run_task(rig.repo.snapshots(tags));
    REQUIRE(list.has_value());
    const auto described = app::describe_snapshots(*list, nullptr, "shop-db");
    REQUIRE(described.size() == 1);
    CHECK_FALSE(described[0].bytes.has_value());
    CHECK(described[0].marks.empty());
    CHECK(described[0].item == "app");
}

TEST_CASE("history --run prints the run's steps as text", "[unit][output]") {
    Rig rig;
    auto run = rig.run("schedule");
    REQUIRE(run.status == domain::RunStatus::success);
    auto steps = rig.audit->steps(run.run_id);
    REQUIRE(steps.has_value());
    const auto text = drivers::cli::render_steps(*steps);
    INFO(text);
    CHECK(text.find("STEP") != std::string::npos);
    CHECK(text.find("dump app") != std::string::npos);
    CHECK(text.find("snapshot snap0001") != std::string::npos);
    CHECK(text.find("retention") != std::string::npos);
    CHECK(drivers::cli::render_steps({}).find("no steps recorded") != std::string::npos);
}
