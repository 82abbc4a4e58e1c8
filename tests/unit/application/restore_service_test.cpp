// Restore and the drill with fakes behind every port (docs/restore.md): into a live target a
// safety backup comes first and a failed one restores nothing; a damaged snapshot (gpg's verdict
// at the end, a dump without its completion marker) is never loaded into a live target, and into
// a new container its load is aborted before the commit; only the target's own snapshots are
// taken; a drill loads into a scratch server, compares the row counts recorded at backup and
// removes the server whatever happened.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "application/restore.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/kinds.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

// Whole pg_dumps (their completion marker last), of the state backed up and of a later one.
const std::string kDumpMonday =
    "-- monday\nCOPY public.users (id) FROM stdin;\n1\n2\n\\.\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";
const std::string kDumpNow =
    "-- now\nCOPY public.users (id) FROM stdin;\n1\n\\.\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";

struct Rig : bk::testing::RunRig {
    domain::Target target = *bk::testing::labelled_target("shop-db").target;

    Rig() {
        restorer.load_ok = true;
        dumper.payload = kDumpMonday;
        dumper.rows = {{"public.users", 2}};
    }
    app::RunReport back_up(domain::Target t) {
        auto r = runner();
        return bk::testing::run_task(r.run(std::move(t), "schedule", ""));
    }
    app::RestoreReport restore(app::RestoreRequest request) {
        auto r = runner();
        auto service = restore_service(r);
        return bk::testing::run_task(service.restore(target, std::move(request), "manual"));
    }
    app::VerifyReport drill() {
        auto r = runner();
        auto service = restore_service(r);
        const domain::SnapshotChoice newest;
        return bk::testing::run_task(service.verify(target, newest, "manual"));
    }
};

}  // namespace

TEST_CASE("a restore into the live target backs it up first, then loads its newest snapshot",
          "[unit][restore]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    rig.dumper.payload = kDumpNow;  // the state the restore replaces
    const auto report = rig.restore({});

    INFO(report.error);
    CHECK(report.status == domain::RunStatus::success);
    CHECK_FALSE(report.safety_snapshot_run.empty());
    REQUIRE(rig.repo.snapshots_stored.size() == 2);
    const auto& safety = rig.repo.snapshots_stored[1];
    CHECK(safety.data == kDumpNow);
    CHECK(std::find(safety.tags.begin(), safety.tags.end(), domain::kSafetyTag) !=
          safety.tags.end());
    // The backup, not the newer safety snapshot, is what "latest" restores, into the target.
    CHECK(rig.restorer.loaded == kDumpMonday);
    CHECK(rig.restorer.loaded_into == std::vector<std::string>{"shop-db"});
    CHECK(rig.restorer.aborted == 0);
    auto record = rig.audit->run(report.run_id);
    REQUIRE(record.has_value());
    REQUIRE(record->has_value());
    CHECK((*record)->kind == "restore");
    CHECK((*record)->status == domain::RunStatus::success);
}

TEST_CASE("when the safety backup fails nothing is restored", "[unit][restore]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    rig.dumper.exit_code = 1;  // the target's server cannot be dumped now
    const auto report = rig.restore({});

    CHECK(report.status == domain::RunStatus::failed);
    CHECK(report.error.find("the safety backup before the restore ended failed") !=
          std::string::npos);
    CHECK(report.error.find("nothing was restored") != std::string::npos);
    CHECK(rig.restorer.loads == 0);
    CHECK(rig.restorer.loaded.empty());
}

TEST_CASE("a damaged snapshot is never loaded into a live target", "[unit][restore]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    std::string expected;
    SECTION("gpg finds it tampered (its verdict comes at the end)") {
        rig.repo.reader_fails = Failure{errc::restore_failed, "gpg: BAD signature"};
        expected = "gpg: BAD signature";
    }
    SECTION("it is cut short: no completion marker") {
        auto& data = rig.repo.snapshots_stored[0].data;
        data.resize(data.find("--\n-- PostgreSQL database dump complete"));
        expected = "snapshot snap0001";
    }
    app::RestoreRequest request;
    request.safety_backup = false;
    const auto report = rig.restore(request);

    INFO(report.error);
    CHECK(report.status == domain::RunStatus::failed);
    REQUIRE(report.items.size() == 1);
    CHECK(report.items[0].error.find(expected) != std::string::npos);
    CHECK(report.items[0].error.find("nothing was changed") != std::string::npos);
    CHECK(rig.restorer.loads == 0);  // the check read it to the end before any load began
    CHECK(rig.restorer.loaded.empty());
}

TEST_CASE("into a new container a damaged snapshot's load is aborted, never committed",
          "[unit][restore]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    rig.repo.reader_fails = Failure{errc::restore_failed, "gpg: BAD signature"};
    app::RestoreRequest request;
    request.new_container = true;
    const auto report = rig.restore(request);

    CHECK(report.status == domain::RunStatus::failed);
    CHECK(rig.repo.snapshots_stored.size() == 1);  // a new container needs no safety backup
    CHECK(rig.restorer.loads == 1);
    CHECK(rig.restorer.aborted == 1);
    CHECK(rig.restorer.finished == 0);
    CHECK(rig.restorer.loaded_into[0].starts_with("shop-db-restored-"));
}

TEST_CASE("a restore takes only the target's own snapshots", "[unit][restore]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    // Another target in the same repository, backed up later.
    rig.dumper.payload = kDumpNow;
    REQUIRE(rig.back_up(*bk::testing::labelled_target("other-db").target).status ==
            domain::RunStatus::success);
    app::RestoreRequest request;
    request.safety_backup = false;
    const auto report = rig.restore(request);

    CHECK(report.status == domain::RunStatus::success);
    REQUIRE(report.items.size() == 1);
    CHECK(report.items[0].snapshot == "snap0001");
    CHECK(rig.restorer.loaded == kDumpMonday);
}

TEST_CASE("a restore refuses a target whose lock another run holds", "[unit][restore][lock]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    std::string holder;
    auto held = rig.locks->try_lock("shop-db", "20261201T100000Z-other", holder);
    REQUIRE(held.has_value());
    REQUIRE(*held != nullptr);
    app::RestoreRequest request;
    request.safety_backup = false;
    const auto report = rig.restore(request);

    CHECK(report.status == domain::RunStatus::failed);
    CHECK(report.error.find("is locked by") != std::string::npos);
    CHECK(rig.restorer.loads == 0);
}

TEST_CASE("a drill loads into a scratch server, compares the row counts and removes the server",
          "[unit][restore][drill]") {
    Rig rig;
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    SECTION("the counts match: passed") {
        rig.restorer.rows = {{"public.users", 2}};
        const auto drill = rig.drill();
        INFO(drill.error);
        CHECK(drill.status == domain::DrillResult::passed);
    }
    SECTION("a table lost rows: failed, naming it") {
        rig.restorer.rows = {{"public.users", 1}};
        const auto drill = rig.drill();
        CHECK(drill.status == domain::DrillResult::failed);
        bool named = false;
        for (const auto& c : drill.checks) {
            named =
                named || (c.outcome == domain::StepOutcome::failed &&
                          c.detail.find("public.users 1 rows, 2 at backup") != std::string::npos);
        }
        CHECK(named);
    }
    SECTION("the snapshot is damaged: failed, its load aborted") {
        rig.repo.reader_fails = Failure{errc::restore_failed, "gpg: BAD signature"};
        const auto drill = rig.drill();
        CHECK(drill.status == domain::DrillResult::failed);
        CHECK(rig.restorer.aborted == 1);
        CHECK(rig.restorer.finished == 0);
    }
    // Into the scratch server only, never the target; removed whatever happened.
    CHECK(rig.restorer.loaded_into == std::vector<std::string>{"shop-db-drill"});
    CHECK(rig.restorer.discarded == 1);
    CHECK(rig.repo.snapshots_stored.size() == 1);  // a drill takes no safety backup
}

namespace {

// The smallest whole SQLite file: one 512-byte page whose header says so.
std::string one_page_sqlite() {
    std::string f(512, '\0');
    f.replace(0, 16, std::string("SQLite format 3\0", 16));
    f[16] = 0x02;  // page size 512 (big-endian)
    f[17] = 0x00;
    f[18] = 1;   // write version
    f[19] = 1;   // read version
    f[21] = 64;  // payload fractions
    f[22] = 32;
    f[23] = 32;
    f[27] = 1;  // change counter 1
    f[31] = 1;  // 1 page
    f[95] = 1;  // valid for change 1: the page count above is valid
    return f;
}

}  // namespace

TEST_CASE("a file kind's restore into the target journals the target's stop and settles it",
          "[unit][restore][kinds]") {
    Rig rig;
    rig.target.database = bk::testing::database("sqlite");
    rig.target.database->names = {"/data/app.db"};
    rig.dumper.payload = one_page_sqlite();
    rig.dumper.rows = {};
    REQUIRE(rig.back_up(rig.target).status == domain::RunStatus::success);
    std::vector<domain::EffectRecord> during;
    rig.restorer.on_open = [&rig, &during] {
        auto open = rig.audit->open_effects();
        REQUIRE(open);
        during = *open;
    };
    SECTION("the load works") {}
    SECTION("the load fails") {
        rig.restorer.load_ok = false;
    }
    app::RestoreRequest request;
    request.safety_backup = false;
    const auto report = rig.restore(request);
    // While the files were replaced, recovery would have found the stop and started it again.
    REQUIRE(during.size() == 1);
    CHECK(during[0].kind == "container_stopped");
    CHECK(during[0].ref == rig.target.container_id);
    CHECK(during[0].run_id == report.run_id);
    // Settled after the load, whatever its outcome.
    auto after = rig.audit->open_effects();
    REQUIRE(after);
    CHECK(after->empty());
}
