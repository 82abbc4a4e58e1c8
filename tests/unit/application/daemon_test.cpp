// The daemon with fakes behind every port: no input ends a run worker. A run that throws (a
// parser meeting a hostile dump, a bug) ends `failed` with its reason, what it left in the engine
// is removed, and the next queued run still runs.
#include "application/daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "support/fakes.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

struct Rig {
    bk::testing::TempDir dir;
    std::unique_ptr<adapters::audit::SqliteAuditLog> audit;
    std::unique_ptr<adapters::lock::FileLocks> locks;
    domain::OperatorConfig config;
    bk::testing::FakeTargetSource source;
    bk::testing::FakeDumper dumper;
    bk::testing::FakeFiles files;
    bk::testing::FakeHooks hooks;
    bk::testing::FakeResolver resolver;
    bk::testing::FakeNetworks networks;
    bk::testing::FakeJanitor janitor;
    bk::testing::FakeRepository repo;
    std::vector<std::string> log;

    Rig() {
        auto opened = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(opened.has_value());
        audit = std::move(*opened);
        std::filesystem::create_directories(dir.path() / "locks");
        locks =
            std::make_unique<adapters::lock::FileLocks>((dir.path() / "locks").string(), "self");
        config.daemon.concurrency = 1;
        config.defaults.catch_up = "skip";
    }

    app::BackupRunner runner() {
        app::RepositoryLookup lookup =
            [this](std::string) -> Task<Result<domain::BackupRepository*>> {
            co_return static_cast<domain::BackupRepository*>(&repo);
        };
        return app::BackupRunner(config,
                                 dumper,
                                 files,
                                 hooks,
                                 {resolver, networks, hooks},
                                 lookup,
                                 *audit,
                                 *locks,
                                 "self");
    }
};

/// Waits (with the test's overall limit) until `ready` holds.
Task<void> until(std::function<bool()> ready) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
    while (!ready()) {
        t.expires_after(std::chrono::milliseconds(5));
        co_await t.async_wait(boost::asio::use_awaitable);
    }
}

}  // namespace

TEST_CASE("a run that throws ends failed, its leftovers go, and the worker runs the next one",
          "[daemon]") {
    Rig rig;
    rig.source.found = {bk::testing::labelled_target("bad"), bk::testing::labelled_target("good")};
    // The dump of "bad" leaves a container in the engine, then the census throws on its output.
    rig.dumper.on_dump = [&rig](const domain::Target& t, const std::string& run_id) {
        if (t.name != "bad")
            return;
        rig.janitor.containers.push_back({"c-bad", "backupctl-dump-bad", "self", run_id});
        throw std::invalid_argument("stoi");
    };
    app::Registry registry(rig.config, rig.source);
    auto runner = rig.runner();
    boost::asio::io_context ioc;
    bk::testing::FakeChangeFeed feed(ioc.get_executor());
    app::Daemon daemon(
        ioc.get_executor(),
        rig.config,
        registry,
        runner,
        *rig.audit,
        feed,
        rig.janitor,
        "self",
        [](std::int64_t) -> std::int64_t { return 0; },
        [&rig](const std::string& level, const std::string& m) {
            rig.log.push_back(level + ": " + m);
        });
    std::map<std::string, app::RunEvent> finished;
    std::vector<std::string> problems_after;
    daemon.on_event([&](const app::RunEvent& e) {
        if (e.type != "finished")
            return;
        finished[e.target] = e;
        if (finished.size() == 2) {
            problems_after = daemon.liveness_problems();
            daemon.stop("test done");
        }
    });
    boost::asio::co_spawn(
        ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !daemon.views().empty(); });
            auto bad = daemon.request("bad", false);
            auto good = daemon.request("good", false);
            REQUIRE(bad.has_value());
            REQUIRE(good.has_value());
        },
        boost::asio::detached);
    bk::testing::run_task(ioc, daemon.run(), std::chrono::seconds(30));

    REQUIRE(finished.size() == 2);
    CHECK(finished["bad"].status == "failed");
    CHECK(finished["bad"].error.find("internal error: stoi") != std::string::npos);
    CHECK(finished["good"].status == "success");
    CHECK(problems_after.empty());
    // What the failed run left in the engine is gone; nothing of it became a snapshot.
    CHECK(rig.janitor.removed.contains("c-bad"));
    REQUIRE(rig.repo.snapshots_stored.size() == 1);
    CHECK(rig.repo.snapshots_stored[0].tags[0] == "target:good");
    // Its record is not left "running".
    auto running = rig.audit->running();
    REQUIRE(running.has_value());
    CHECK(running->empty());
    auto runs = rig.audit->history("bad", false, 10);
    REQUIRE(runs.has_value());
    REQUIRE(runs->size() == 1);
    CHECK(runs->front().status == "failed");
    CHECK(runs->front().error.find("internal error") != std::string::npos);
}
