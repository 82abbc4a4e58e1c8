// The backup run's promises with fakes behind every port (docs/backups.md): a snapshot is
// committed only when its dump exited 0 with its completion marker; retention runs only after a
// fully successful run; the post-hook runs whatever happened after the pre-hook; an interrupt
// (SIGTERM) cuts a run in flight without committing; a run that throws ends failed and frees its
// lock; a stopped target is started again whatever happened to its files.
#include "application/backup_runner.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

struct Rig : bk::testing::RunRig {
    domain::Target target = *bk::testing::labelled_target("shop-db").target;

    Rig() { target.retention.last = 3; }

    app::RunReport run() {
        auto r = runner();
        return bk::testing::run_task(r.run(target, "manual", ""));
    }
    /// The audit's steps of `run_id` as "name: outcome".
    std::vector<std::string> steps(const std::string& run_id) {
        auto s = audit->steps(run_id);
        REQUIRE(s.has_value());
        std::vector<std::string> out;
        for (const auto& step : *s)
            out.push_back(step.name + ": " + domain::to_string(step.outcome));
        return out;
    }
    bool has_step(const std::string& run_id, const std::string& name) {
        const auto all = steps(run_id);
        return std::any_of(all.begin(), all.end(), [&name](const std::string& s) {
            return s.rfind(name + ":", 0) == 0;
        });
    }
    /// The run's audit record.
    domain::RunRecord record(const std::string& run_id) {
        auto r = audit->run(run_id);
        REQUIRE(r.has_value());
        REQUIRE(r->has_value());
        return **r;
    }
};

}  // namespace

TEST_CASE("a dump that fails commits no snapshot and fails the run at its dump", "[unit][runner]") {
    Rig rig;
    std::string expected;
    SECTION("it exits non-zero") {
        rig.dumper.exit_code = 2;
        expected = "the dump exited 2";
    }
    SECTION("it ends without its completion marker (truncated)") {
        rig.dumper.completion_marker = false;
        expected = "without its completion marker";
    }
    SECTION("the engine fails under it (its stream cut)") {
        rig.dumper.error = "the attach stream ended early";
        expected = "the attach stream ended early";
    }
    const auto report = rig.run();

    INFO(report.error);
    CHECK(report.status == domain::RunStatus::failed);
    CHECK(report.stage == "dump app");
    CHECK(report.error.find(expected) != std::string::npos);
    CHECK(rig.repo.snapshots_stored.empty());
    CHECK(rig.repo.aborted == 1);  // the writer was aborted, never committed
    REQUIRE(report.items.size() == 1);
    CHECK(report.items[0].snapshot_id.empty());
    const auto record = rig.record(report.run_id);
    CHECK(record.status == domain::RunStatus::failed);
    CHECK(record.snapshots.empty());
    CHECK(rig.steps(report.run_id) ==
          std::vector<std::string>{"provenance: ok", "dump app: failed"});
}

TEST_CASE("a dump that succeeds commits its snapshot with the target's tags", "[unit][runner]") {
    Rig rig;
    const auto report = rig.run();
    CHECK(report.status == domain::RunStatus::success);
    REQUIRE(rig.repo.snapshots_stored.size() == 1);
    CHECK(rig.repo.snapshots_stored[0].data == rig.dumper.payload);
    CHECK(rig.repo.snapshots_stored[0].tags ==
          std::vector<std::string>{"target:shop-db", "kind:db", "db:app"});
    CHECK(rig.repo.aborted == 0);
    CHECK(rig.record(report.run_id).snapshots == "snap0001");
}

TEST_CASE("retention runs only after a fully successful run", "[unit][runner][retention]") {
    Rig rig;
    SECTION("success: retention runs on the target's snapshots") {
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::success);
        REQUIRE(rig.repo.forgets.size() == 1);
        CHECK(rig.repo.forgets[0] == std::vector<std::string>{"target:shop-db"});
        CHECK(report.retention == domain::RetentionOutcome::ok);
        CHECK(report.snapshots_kept == 1);
        CHECK(rig.has_step(report.run_id, "retention"));
    }
    SECTION("a failed dump: no retention") {
        rig.dumper.exit_code = 1;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::failed);
        CHECK(rig.repo.forgets.empty());
        CHECK(report.retention == domain::RetentionOutcome::not_run);
        CHECK_FALSE(rig.has_step(report.run_id, "retention"));
    }
    SECTION("one of two databases failed (partial): no retention") {
        rig.dumper.databases = {"app", "logs"};
        rig.dumper.failing = {"logs"};
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::partial);
        CHECK(report.error == "failed: logs");
        CHECK(rig.repo.snapshots_stored.size() == 1);  // the good one stands
        CHECK(rig.repo.forgets.empty());
        CHECK_FALSE(rig.has_step(report.run_id, "retention"));
    }
    SECTION("a failed pre-hook: nothing dumped, no retention") {
        rig.target.pre_hook = {"pre"};
        rig.hooks.exit_codes["pre"] = 1;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::failed);
        CHECK(report.stage == "pre-hook");
        CHECK(rig.dumper.dumps == 0);
        CHECK(rig.repo.forgets.empty());
    }
    SECTION("the run's time is up: nothing committed, no retention") {
        rig.target.timeout = std::chrono::seconds(0);
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::failed);
        CHECK(report.error.find("timed out") != std::string::npos);
        CHECK(rig.repo.snapshots_stored.empty());
        CHECK(rig.repo.forgets.empty());
    }
}

TEST_CASE("a failed retention keeps the snapshot and makes the run partial, a busy one waits",
          "[unit][runner][retention]") {
    Rig rig;
    SECTION("restic fails") {
        rig.repo.forget_fails = Failure{errc::repo_failed, "Fatal: unable to open config"};
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::partial);
        CHECK(report.stage == "retention");
        CHECK(report.error == "backup stored, retention failed: Fatal: unable to open config");
        CHECK(report.retention == domain::RetentionOutcome::failed);
        CHECK(rig.repo.snapshots_stored.size() == 1);
    }
    SECTION("the repository is locked by another restic") {
        rig.repo.forget_fails = Failure{errc::repo_locked, "repository is already locked"};
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::success);
        CHECK(report.retention == domain::RetentionOutcome::skipped);
        CHECK(report.retention_detail.find("comes again with the next successful run") !=
              std::string::npos);
    }
    SECTION("an append-only repository: delegated to the server's owner") {
        rig.config.repositories["main"].append_only = true;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::success);
        CHECK(report.retention == domain::RetentionOutcome::delegated);
        CHECK(rig.repo.forgets.empty());
    }
}

TEST_CASE("the post-hook runs after a success, a failed dump and a failed pre-hook",
          "[unit][runner][hooks]") {
    Rig rig;
    rig.target.pre_hook = {"pre"};
    rig.target.post_hook = {"post"};
    SECTION("success") {
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::success);
        CHECK(rig.hooks.ran == std::vector<std::string>{"pre", "post"});
        // After the snapshot and its retention: the app is quiesced until its data is stored.
        const auto steps = rig.steps(report.run_id);
        CHECK(steps.back() == "post-hook: ok");
    }
    SECTION("the dump failed") {
        rig.dumper.exit_code = 1;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::failed);
        CHECK(rig.hooks.ran == std::vector<std::string>{"pre", "post"});
    }
    SECTION("the pre-hook failed") {
        rig.hooks.exit_codes["pre"] = 3;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::failed);
        CHECK(report.error.find("pre-hook exited 3") != std::string::npos);
        CHECK(rig.hooks.ran == std::vector<std::string>{"pre", "post"});
    }
    SECTION("the post-hook itself failed: the backup stands, the run is partial") {
        rig.hooks.exit_codes["post"] = 1;
        const auto report = rig.run();
        CHECK(report.status == domain::RunStatus::partial);
        CHECK(report.stage == "post-hook");
        CHECK(rig.repo.snapshots_stored.size() == 1);
    }
}

TEST_CASE("an interrupt (SIGTERM) cuts a run in flight: nothing committed, failed with why",
          "[unit][runner][sigterm]") {
    Rig rig;
    rig.target.post_hook = {"post"};
    rig.dumper.chunks = 3;
    auto runner = rig.runner();
    // The signal arrives after the first chunk went to restic.
    rig.dumper.after_chunk = [&runner](int chunk) {
        if (chunk == 0)
            runner.interrupt("SIGTERM");
    };
    const auto report = bk::testing::run_task(runner.run(rig.target, "schedule", ""));

    INFO(report.error);
    CHECK(report.status == domain::RunStatus::failed);
    CHECK(report.error.find("cut short") != std::string::npos);
    CHECK(report.error.find("SIGTERM") != std::string::npos);
    CHECK(rig.repo.snapshots_stored.empty());
    CHECK(rig.repo.aborted == 1);
    CHECK(rig.repo.forgets.empty());
    CHECK(rig.hooks.ran == std::vector<std::string>{"post"});  // the app is not left quiesced
    CHECK(rig.record(report.run_id).status == domain::RunStatus::failed);
    CHECK(runner.live().empty());
}

TEST_CASE("a run that throws ends failed with its reason, and its lock is free again",
          "[unit][runner]") {
    Rig rig;
    rig.dumper.on_dump = [](const domain::Target&, const std::string&) {
        throw std::out_of_range("basic_string::substr");
    };
    auto runner = rig.runner();
    const auto report = bk::testing::run_task(runner.run(rig.target, "manual", ""));

    CHECK(report.status == domain::RunStatus::failed);
    CHECK(report.error == "internal error: basic_string::substr");
    CHECK(rig.repo.snapshots_stored.empty());
    CHECK(rig.record(report.run_id).status == domain::RunStatus::failed);
    auto running = rig.audit->running();
    REQUIRE(running.has_value());
    CHECK(running->empty());
    std::string holder;
    CHECK(runner.lockable("shop-db", holder));
    // The next run of the target is not held up by the failed one.
    rig.dumper.on_dump = nullptr;
    CHECK(bk::testing::run_task(runner.run(rig.target, "manual", "")).status ==
          domain::RunStatus::success);
}

TEST_CASE("a target another run holds is skipped: nothing dumped, nothing recorded",
          "[unit][runner][lock]") {
    Rig rig;
    std::string holder;
    auto held = rig.locks->try_lock("shop-db", "20261201T100000Z-other", holder);
    REQUIRE(held.has_value());
    REQUIRE(*held != nullptr);
    const auto report = rig.run();
    CHECK(report.status == domain::RunStatus::skipped);
    CHECK(report.error.find("is locked by") != std::string::npos);
    CHECK(rig.dumper.dumps == 0);
    CHECK_FALSE(rig.audit->run(report.run_id)->has_value());
}

TEST_CASE("a target stopped for its files backup is started again, also when the stream fails",
          "[unit][runner][files]") {
    Rig rig;
    rig.target.database.reset();
    rig.target.volumes = {"data"};
    rig.target.stop_during_backup = true;
    rig.files.items = {{"/var/lib/data", "shop-db/files/data.tar"}};
    bool fail = false;
    SECTION("the stream succeeds") {}
    SECTION("the stream fails") {
        fail = true;
        rig.files.stream_fails = Failure{errc::io_error, "archive get: connection reset"};
    }
    const auto report = rig.run();

    CHECK(report.status == (fail ? domain::RunStatus::failed : domain::RunStatus::success));
    CHECK(rig.repo.snapshots_stored.size() == (fail ? 0U : 1U));
    CHECK_FALSE(rig.files.streamed_while_running);  // stopped before its files were read
    CHECK(rig.files.stops == 1);
    CHECK(rig.files.starts == 1);
    CHECK(rig.files.running);
    // The stop was journalled and is settled: recovery has nothing to undo.
    auto open = rig.audit->open_effects();
    REQUIRE(open.has_value());
    CHECK(open->empty());
    CHECK(rig.has_step(report.run_id, "start target"));
}
