// The daemon with fakes behind every port: no input ends a run worker. A run that throws (a
// parser meeting a hostile dump, a bug) ends `failed` with its reason, what it left in the engine
// is removed, and the next queued run still runs.
#include "application/daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "support/fakes.hpp"
#include "support/fakes/fake_logger.hpp"
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
    bk::testing::FakeLogger log;

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
        rig.log);
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

namespace {

/// A daemon over the rig's fakes, on its own io_context, with a clock the test moves.
struct Running {
    Rig& rig;
    app::Registry registry;
    app::BackupRunner runner;
    boost::asio::io_context ioc;
    bk::testing::FakeChangeFeed feed;
    std::int64_t now{1'800'000'000};  // 2027-01-15T08:00:00Z
    app::Daemon daemon;
    std::vector<app::RunEvent> finished;

    explicit Running(Rig& r)
        : rig(r),
          registry(r.config, r.source),
          runner(r.runner()),
          feed(ioc.get_executor()),
          daemon(
              ioc.get_executor(),
              r.config,
              registry,
              runner,
              *r.audit,
              feed,
              r.janitor,
              "self",
              [](std::int64_t) -> std::int64_t { return 0; },
              r.log,
              [this] { return now; }) {
        daemon.on_event([this](const app::RunEvent& e) {
            if (e.type == "finished")
                finished.push_back(e);
        });
    }
    [[nodiscard]] bool logged(const std::string& text) const {
        return std::any_of(rig.log.text.begin(), rig.log.text.end(), [&text](const std::string& l) {
            return l.find(text) != std::string::npos;
        });
    }
    [[nodiscard]] int runs_of(const std::string& target) const {
        auto h = rig.audit->history(target, false, 50);
        return h ? static_cast<int>(h->size()) : -1;
    }
};

}  // namespace

TEST_CASE("catch-up at start skips a stopped target and runs the others", "[daemon][stopped]") {
    Rig rig;
    rig.config.defaults.catch_up = "once";
    // "down" sorts first: were it queued, it would run before "up" (one worker).
    rig.source.found = {bk::testing::stopped(bk::testing::labelled_target("down")),
                        bk::testing::labelled_target("up")};
    for (auto& c : rig.source.found)
        c.target->cron = "0 3 * * *";
    Running d(rig);
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.finished.empty(); });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].target == "up");
    CHECK(d.finished[0].trigger == "catch-up");
    CHECK(d.runs_of("down") == 0);
    CHECK(
        d.logged("no catch-up run of down (never backed up): its container down is stopped "
                 "(exited since 2026-11-20T10:00:00Z)"));
    CHECK(d.logged("watching 2 target(s), 1 of them stopped"));
    // The API's view: stopped, since when.
    const auto views = d.daemon.views();
    REQUIRE(views.size() == 2);
    CHECK(std::string(app::state_of(views[0].target)) == "stopped");
    CHECK(views[0].target.stopped_since == "2026-11-20T10:00:00Z");
    CHECK(std::string(app::state_of(views[1].target)) == "active");
}

TEST_CASE("a scheduled run of a stopped target is not attempted, and no overdue",
          "[daemon][stopped]") {
    Rig rig;
    rig.source.found = {bk::testing::stopped(bk::testing::labelled_target("down")),
                        bk::testing::labelled_target("up")};
    for (auto& c : rig.source.found)
        c.target->cron = "*/5 * * * *";
    Running d(rig);
    // Both succeeded long ago: each is overdue by the clock, unless stopped.
    for (const auto* name : {"down", "up"}) {
        domain::RunRecord r;
        r.id = std::string("old-") + name;
        r.target = name;
        r.trigger = "manual";
        r.status = "success";
        r.started_at = "2027-01-14T08:00:00.000Z";
        r.finished_at = "2027-01-14T08:00:05.000Z";
        REQUIRE(rig.audit->finish_run(r).has_value());
    }
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            // Both scheduled, then the clock passes their due time and a listing wakes the
            // scheduler.
            co_await until([&] {
                auto v = d.daemon.views();
                return v.size() == 2 && v[0].next_run > 0 && v[1].next_run > 0;
            });
            d.now += 600;
            d.feed.resync();
            co_await until([&] { return !d.finished.empty(); });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].target == "up");
    CHECK(d.finished[0].trigger == "schedule");
    CHECK(d.runs_of("down") == 1);  // the old success only: nothing attempted, nothing recorded
    CHECK(
        d.logged("not running down on schedule: its container is stopped (exited since "
                 "2026-11-20T10:00:00Z)"));
    const auto overdue = d.daemon.overdue_targets();
    CHECK(std::find(overdue.begin(), overdue.end(), "down") == overdue.end());
    CHECK(std::find(overdue.begin(), overdue.end(), "up") != overdue.end());
}

TEST_CASE("a stopped target whose container starts again is active and gets its missed run",
          "[daemon][stopped]") {
    Rig rig;
    rig.config.defaults.catch_up = "once";
    rig.source.found = {bk::testing::stopped(bk::testing::labelled_target("db"))};
    rig.source.found[0].target->cron = "0 3 * * *";
    bool ran_while_stopped = false;
    rig.dumper.on_dump = [&rig, &ran_while_stopped](const domain::Target&, const std::string&) {
        ran_while_stopped = ran_while_stopped || rig.source.found[0].state != "running";
    };
    Running d(rig);
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return d.logged("no catch-up run of db"); });
            // docker start: its event makes the daemon list again.
            rig.source.found[0].state = "running";
            rig.source.found[0].stopped_since.clear();
            d.feed.resync();
            co_await until([&] { return !d.finished.empty(); });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    CHECK_FALSE(ran_while_stopped);
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].status == "success");
    CHECK(d.finished[0].trigger == "catch-up");
    CHECK(d.logged("target db is running again (db)"));
    REQUIRE(d.daemon.views().size() == 1);
    CHECK(std::string(app::state_of(d.daemon.views()[0].target)) == "active");
}

TEST_CASE("the daemon is ready only once its first discovery has completed", "[daemon][readyz]") {
    Rig rig;
    rig.source.found = {bk::testing::labelled_target("db")};
    Running d(rig);
    rig.source.hold = std::make_shared<boost::asio::steady_timer>(d.ioc.get_executor());
    bool ready_while_held = true;
    bool ready_after = false;
    std::size_t targets_after = 0;
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            // The daemon has started and its first discovery waits for the engine.
            co_await until([&] { return rig.source.asked == 1; });
            ready_while_held = d.daemon.ready();
            rig.source.release();
            co_await until([&] { return d.daemon.ready(); });
            ready_after = true;
            targets_after = d.daemon.views().size();
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    CHECK_FALSE(ready_while_held);
    CHECK(ready_after);
    CHECK(targets_after == 1);  // ready means it knows its targets
    CHECK(rig.source.discoveries >= 1);
}
