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
#include "application/repository_checks.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

/// The runner's rig (run_rig.hpp) with what the daemon needs besides: discovery, the janitor,
/// a log to read.
struct Rig : bk::testing::RunRig {
    bk::testing::FakeTargetSource source;
    bk::testing::FakeJanitor janitor;
    bk::testing::FakeLogger log;

    Rig() {
        config.daemon.concurrency = 1;
        config.defaults.catch_up = "skip";
    }
};

using Millis = std::chrono::duration<double, std::milli>;

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
    CHECK(runs->front().status == domain::RunStatus::failed);
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
    bk::testing::FakeClock clock;  // 2027-01-15T08:00:00Z
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
              clock.fn()) {
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
        r.status = domain::RunStatus::success;
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
            d.clock.advance(600);
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

TEST_CASE("a scheduled run starts when the clock reaches its due time, not before",
          "[daemon][schedule]") {
    Rig rig;
    rig.source.found = {bk::testing::labelled_target("db")};
    rig.source.found[0].target->cron = "0 3 * * *";  // the config's zone here is UTC
    Running d(rig);
    std::int64_t dumped_at = -1;
    rig.dumper.on_dump = [&d, &dumped_at](const domain::Target&, const std::string&) {
        dumped_at = d.clock.now;
    };
    std::int64_t due = -1;
    std::int64_t next_after = -1;
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] {
                auto v = d.daemon.views();
                return v.size() == 1 && v[0].next_run > 0;
            });
            due = d.daemon.views()[0].next_run;
            // One second before: a listing wakes the scheduler, which must not start the run.
            d.clock.now = due - 1;
            const int before = rig.source.discoveries;
            d.feed.resync();
            co_await until([&] { return rig.source.discoveries > before; });
            int passes = 0;
            co_await until([&] { return ++passes > 10; });  // the scheduler's pass after it
            // Its due time: the next listing wakes it again, and now it runs.
            d.clock.now = due;
            d.feed.resync();
            co_await until([&] { return !d.finished.empty(); });
            next_after = d.daemon.views()[0].next_run;
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    CHECK(due == d.clock.now);
    CHECK(due == 1'800'000'000 + 19 * 3600);  // 2027-01-16T03:00:00Z
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].trigger == "schedule");
    CHECK(d.finished[0].status == "success");
    CHECK(dumped_at == due);
    CHECK(next_after == due + 24 * 3600);
}

TEST_CASE("SIGTERM: a run that ends within the grace period is committed, no new run starts",
          "[daemon][sigterm]") {
    Rig rig;
    rig.config.daemon.grace_period = std::chrono::seconds(60);
    rig.source.found = {bk::testing::labelled_target("db"), bk::testing::labelled_target("web")};
    Running d(rig);
    rig.dumper.gate = std::make_shared<boost::asio::steady_timer>(d.ioc.get_executor());
    bool refused_twice = false;
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.daemon.views().empty(); });
            REQUIRE(d.daemon.request("db", false).has_value());
            REQUIRE(d.daemon.request("web", false).has_value());  // queued behind it
            co_await until([&] { return rig.dumper.dumps == 1; });
            auto again = d.daemon.request("db", false);
            refused_twice = !again && again.error().code == errc::conflict;
            d.daemon.stop("SIGTERM");
            // The dump ends well within the grace period.
            rig.dumper.release();
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    CHECK(refused_twice);
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].target == "db");
    CHECK(d.finished[0].status == "success");
    CHECK(rig.repo.snapshots_stored.size() == 1);
    CHECK(d.runs_of("web") == 0);  // the queue went with the stop
    CHECK(d.logged("stopping (SIGTERM): no new runs; 1 in flight get 60 s"));
}

TEST_CASE("SIGTERM: past the grace period a run is cut: its container goes, nothing is committed",
          "[daemon][sigterm]") {
    Rig rig;
    rig.config.daemon.grace_period = std::chrono::seconds(0);
    rig.source.found = {bk::testing::labelled_target("db")};
    Running d(rig);
    // A dump that would stream on: its container is on the engine until the janitor removes it,
    // which ends its stream.
    rig.dumper.gate = std::make_shared<boost::asio::steady_timer>(d.ioc.get_executor());
    rig.dumper.on_dump = [&rig](const domain::Target&, const std::string& run_id) {
        rig.janitor.containers.push_back({"c-dump", "backupctl-dump-db", "self", run_id});
    };
    rig.janitor.on_remove = [&rig](const domain::Leftover&) { rig.dumper.release(); };
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.daemon.views().empty(); });
            REQUIRE(d.daemon.request("db", false).has_value());
            co_await until([&] { return rig.dumper.dumps == 1; });
            d.daemon.stop("SIGTERM");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].status == "failed");
    CHECK(d.finished[0].error.find("SIGTERM") != std::string::npos);
    CHECK(rig.janitor.removed.contains("c-dump"));
    CHECK(rig.repo.snapshots_stored.empty());
    CHECK(rig.repo.aborted == 1);
    CHECK(d.logged("grace period over: cutting 1 run(s) short"));
    auto running = rig.audit->running();
    REQUIRE(running.has_value());
    CHECK(running->empty());
}

TEST_CASE("SIGTERM past the grace period cancels a silent dump through its slot, no sweep",
          "[daemon][sigterm]") {
    Rig rig;
    rig.config.daemon.grace_period = std::chrono::seconds(0);
    rig.source.found = {bk::testing::labelled_target("db")};
    Running d(rig);
    // A dump that sends nothing: only a cancellation of its stream ends it (removing its
    // container does not: no janitor sweep may be what unblocks a run).
    rig.dumper.gate = std::make_shared<boost::asio::steady_timer>(d.ioc.get_executor());
    rig.dumper.on_dump = [&rig](const domain::Target&, const std::string& run_id) {
        rig.janitor.containers.push_back({"c-dump", "backupctl-dump-db", "self", run_id});
    };
    int listings_at_stop = -1;
    std::chrono::steady_clock::time_point stopped_at{};
    std::chrono::steady_clock::time_point finished_at{};
    d.daemon.on_event([&](const app::RunEvent& e) {
        if (e.type != "finished")
            return;
        finished_at = std::chrono::steady_clock::now();
        d.finished.push_back(e);
    });
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.daemon.views().empty(); });
            REQUIRE(d.daemon.request("db", false).has_value());
            co_await until([&] { return rig.dumper.dumps == 1; });
            listings_at_stop = rig.janitor.listings;
            stopped_at = std::chrono::steady_clock::now();
            d.daemon.stop("SIGTERM");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].status == "failed");
    CHECK(d.finished[0].error.find("cut short: SIGTERM") != std::string::npos);
    CHECK(rig.dumper.cut == 1);  // its stream was cancelled by the cut
    const auto took = finished_at - stopped_at;
    INFO("stop -> run ended: " << Millis(took).count() << " ms");
    CHECK(took < std::chrono::seconds(1));
    // No sweep before the run ended: the only listing after the stop is the failed run's own
    // clean-up, which removes its container.
    CHECK(rig.janitor.listings == listings_at_stop + 1);
    CHECK(rig.janitor.removed.contains("c-dump"));
    CHECK(rig.repo.snapshots_stored.empty());
    CHECK(rig.repo.aborted == 1);
    rig.dumper.gate.reset();  // its timer belongs to d's io_context, which goes before the rig
}

TEST_CASE("SIGTERM: a run that ends in the grace period ends the daemon at once (no poll period)",
          "[daemon][sigterm]") {
    Rig rig;
    rig.config.daemon.grace_period = std::chrono::seconds(60);
    rig.source.found = {bk::testing::labelled_target("db")};
    Running d(rig);
    rig.dumper.gate = std::make_shared<boost::asio::steady_timer>(d.ioc.get_executor());
    std::chrono::steady_clock::time_point released_at{};
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.daemon.views().empty(); });
            REQUIRE(d.daemon.request("db", false).has_value());
            co_await until([&] { return rig.dumper.dumps == 1; });
            d.daemon.stop("SIGTERM");
            released_at = std::chrono::steady_clock::now();
            rig.dumper.release();
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));
    const auto took = std::chrono::steady_clock::now() - released_at;

    INFO(Catch::rangeToString(rig.log.text));
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].status == "success");
    // The grace period waited on a 200 ms poll; it is woken by the run's end now.
    INFO("run released -> daemon stopped: " << Millis(took).count() << " ms");
    CHECK(took < std::chrono::milliseconds(100));
}

TEST_CASE("a request while another process holds the target's lock is refused, then it runs",
          "[daemon][lock]") {
    Rig rig;
    bk::testing::FakeTargetLocks locks;
    locks.others["db"] = "20261201T100000Z-cli";  // a CLI run beside the daemon
    rig.target_locks = &locks;
    rig.source.found = {bk::testing::labelled_target("db")};
    Running d(rig);
    std::string refused;
    bool held_during_run = false;
    rig.dumper.on_dump = [&locks, &held_during_run](const domain::Target&, const std::string&) {
        held_during_run = locks.held.contains("db");
    };
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return !d.daemon.views().empty(); });
            auto first = d.daemon.request("db", false);
            if (!first && first.error().code == errc::conflict)
                refused = first.error().message;
            locks.others.clear();  // the CLI run ended
            auto second = d.daemon.request("db", false);
            REQUIRE(second.has_value());
            co_await until([&] { return !d.finished.empty(); });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    CHECK(refused == "target db is locked by 20261201T100000Z-cli");
    REQUIRE(d.finished.size() == 1);
    CHECK(d.finished[0].status == "success");
    CHECK(held_during_run);
    CHECK(locks.held.empty());  // released when the run ended
}

TEST_CASE("a clean stop backs up the target's files once per min-interval by the clock",
          "[daemon][events]") {
    Rig rig;
    for (const auto* name : {"app", "web"}) {
        auto c = bk::testing::labelled_target(name);
        c.target->volumes = {"data"};
        c.target->triggers = {"stop"};
        c.target->min_interval = std::chrono::seconds(3600);
        rig.source.found.push_back(c);
    }
    rig.files.items = {{"/data", "files/data.tar"}};
    Running d(rig);
    bool throttled = false;
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return d.daemon.views().size() == 2; });
            // A crash (exit 137) is not a clean stop: app gets no run, web's clean stop runs.
            d.feed.change({"die", "id-app", "app", 137});
            d.feed.change({"die", "id-web", "web", 0});
            co_await until([&] { return d.finished.size() == 1; });
            d.feed.change({"die", "id-app", "app", 0});
            co_await until([&] { return d.finished.size() == 2; });
            // Stopped again a minute later: within its min-interval.
            d.clock.advance(60);
            d.feed.change({"die", "id-app", "app", 0});
            throttled = d.logged("not running app for event:stop: last one 60 s ago");
            d.clock.advance(3600);
            d.feed.change({"die", "id-app", "app", 0});
            co_await until([&] { return d.finished.size() == 3; });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    CHECK(throttled);
    REQUIRE(d.finished.size() == 3);
    CHECK(d.finished[0].target == "web");
    CHECK(d.finished[1].target == "app");
    CHECK(d.finished[2].target == "app");
    for (const auto& e : d.finished) {
        CHECK(e.trigger == "event:stop");
        CHECK(e.status == "success");
    }
    CHECK(rig.dumper.dumps == 0);  // a stopped server cannot be dumped: files only
    REQUIRE(rig.repo.snapshots_stored.size() == 3);
    CHECK(rig.repo.snapshots_stored[0].tags[1] == "kind:files");
    CHECK(rig.files.stops == 0);  // it is stopped already
}

TEST_CASE(
    "a repository is checked when the clock reaches its check_cron, its next subset each time",
    "[daemon][schedule][checks]") {
    Rig rig;
    rig.source.found = {bk::testing::labelled_target("db")};
    rig.config.repositories["main"].check_cron = "0 4 * * *";
    rig.config.repositories["main"].check_subsets = 4;
    rig.config.repositories["off"].check_cron = "off";
    Running d(rig);
    app::RepositoryChecks checks(rig.config, rig.lookup(), *rig.audit, rig.log, {}, d.clock.fn());
    d.daemon.repository_checks(checks);
    const std::int64_t due = 1'800'000'000 + 20 * 3600;  // 2027-01-16T04:00:00Z
    std::size_t before_due = 99;
    boost::asio::co_spawn(
        d.ioc,
        [&]() -> Task<void> {
            co_await until([&] { return rig.source.discoveries > 0; });
            int passes = 0;
            co_await until([&] { return ++passes > 10; });
            d.clock.now = due - 1;
            d.feed.resync();
            passes = 0;
            co_await until([&] { return ++passes > 10; });
            before_due = rig.repo.checks_run.size();
            d.clock.now = due;
            d.feed.resync();
            co_await until([&] { return rig.repo.checks_run.size() == 1; });
            d.clock.now = due + 24 * 3600;
            d.feed.resync();
            co_await until([&] { return rig.repo.checks_run.size() == 2; });
            d.daemon.stop("test done");
        },
        boost::asio::detached);
    bk::testing::run_task(d.ioc, d.daemon.run(), std::chrono::seconds(30));

    INFO(Catch::rangeToString(rig.log.text));
    CHECK(before_due == 0);
    const std::vector<std::pair<int, int>> expected{{1, 4}, {2, 4}};
    CHECK(rig.repo.checks_run == expected);
    auto recorded = rig.audit->checks("main", 10);
    REQUIRE(recorded.has_value());
    CHECK(recorded->size() == 2);
    auto off = rig.audit->checks("off", 10);
    REQUIRE(off.has_value());
    CHECK(off->empty());
}
