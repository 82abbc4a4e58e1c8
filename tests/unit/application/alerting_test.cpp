// The alerting's rules with a recording notifier: who gets which event, recovered after a failure
// or an overdue spell, overdue told once also across a restart, the daily summary once per date,
// the backoff of re-sends.
#include "application/alerting.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/notify/file_alert_store.hpp"
#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;

namespace {

struct Fixture {
    bk::testing::TempDir dir;
    domain::OperatorConfig config;
    std::map<std::string, bk::testing::FakeNotifier> recorders;
    std::unique_ptr<adapters::audit::SqliteAuditLog> audit;
    std::unique_ptr<adapters::notify::FileAlertStore> store;
    std::unique_ptr<app::Alerting> alerting;
    std::int64_t now{1'800'000'000};
    bk::testing::FakeLogger log;
    boost::asio::io_context ioc;

    Fixture() {
        config.notifiers["failures"].type = "webhook";  // the default events
        config.notifiers["everything"].type = "webhook";
        config.notifiers["everything"].events = {"all"};
        config.notifiers["successes"].type = "webhook";
        config.notifiers["successes"].events = {"success"};
        auto a = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(a);
        audit = std::move(*a);
        restart();
    }
    void restart() {
        store = std::make_unique<adapters::notify::FileAlertStore>(
            (dir.path() / "outbox.json").string());
        alerting = std::make_unique<app::Alerting>(
            config,
            [this](const std::string& n) -> domain::Notifier* { return &recorders[n]; },
            [](const std::string&) { return nullptr; },
            *store,
            *audit,
            log,
            [this] { return now; });
    }
    domain::Target target() const {
        domain::Target t;
        t.name = "shop-db";
        t.cron = "0 3 * * *";
        t.notify = {"failures", "everything", "successes"};
        return t;
    }
    void run(const std::string& status, const std::string& id) {
        app::RunReport r;
        r.run_id = id;
        r.target = "shop-db";
        r.status = *domain::parse_run_status(status);
        r.stage = status == "success" ? "" : "dump shop";
        bk::testing::run_task(ioc, alerting->finished(target(), r, "schedule"));
    }
};

}  // namespace

TEST_CASE("events: failure by default, all, or named ones", "[unit][alerting]") {
    CHECK(domain::wants({}, "failure"));
    CHECK(domain::wants({}, "overdue"));
    CHECK(domain::wants({}, "recovered"));
    CHECK(domain::wants({}, "drill_failed"));
    CHECK_FALSE(domain::wants({}, "success"));
    CHECK_FALSE(domain::wants({}, "summary"));
    CHECK(domain::wants({"all"}, "summary"));
    CHECK(domain::wants({"success"}, "success"));
    CHECK_FALSE(domain::wants({"success"}, "failure"));
}

TEST_CASE("a failure goes to the failure subscribers, the following success also says recovered",
          "[unit][alerting]") {
    Fixture f;
    f.run("success", "r1");
    CHECK(f.recorders["failures"].kinds().empty());
    CHECK(f.recorders["everything"].kinds() == std::vector<std::string>{"success"});
    f.run("failed", "r2");
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"failure"});
    CHECK(f.recorders["failures"].got[0].error_stage == "dump shop");
    CHECK(f.recorders["failures"].got[0].id == "failure:shop-db:r2");
    f.restart();  // the memory of the failure survives
    f.run("success", "r3");
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"failure", "recovered"});
    CHECK(f.recorders["everything"].kinds() ==
          std::vector<std::string>{"success", "failure", "success", "recovered"});
    CHECK(f.recorders["successes"].kinds() == std::vector<std::string>{"success", "success"});
    f.run("success", "r4");  // no second recovered
    CHECK(f.recorders["failures"].kinds().size() == 2);
}

TEST_CASE("overdue is told once, also across a restart, and a success ends it with recovered",
          "[unit][alerting]") {
    Fixture f;
    f.run("success", "r1");
    const auto t = f.target();
    bk::testing::run_task(f.ioc, f.alerting->overdue(t, "2026-11-20T03:00:00.000Z", 86400));
    bk::testing::run_task(f.ioc, f.alerting->overdue(t, "2026-11-20T03:00:00.000Z", 86400));
    f.restart();
    bk::testing::run_task(f.ioc, f.alerting->overdue(t, "2026-11-20T03:00:00.000Z", 86400));
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"overdue"});
    CHECK(f.recorders["failures"].got[0].last_success == "2026-11-20T03:00:00.000Z");
    auto mem = f.store->memory();
    REQUIRE(mem);
    CHECK((*mem)["shop-db"].overdue);
    f.run("success", "r2");
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"overdue", "recovered"});
    mem = f.store->memory();
    CHECK_FALSE((*mem)["shop-db"].overdue);
    // Overdue again later: told again.
    bk::testing::run_task(f.ioc, f.alerting->overdue(t, "2026-11-21T03:00:00.000Z", 86400));
    CHECK(f.recorders["failures"].kinds().back() == "overdue");
}

TEST_CASE("the daily summary goes once per date to the notifiers that asked for it",
          "[unit][alerting]") {
    Fixture f;
    f.run("success", "r1");
    std::vector<domain::Target> targets{f.target()};
    bk::testing::run_task(f.ioc, f.alerting->summary(targets, "2026-11-27"));
    f.restart();
    bk::testing::run_task(f.ioc, f.alerting->summary(targets, "2026-11-27"));
    CHECK(f.recorders["everything"].kinds() == std::vector<std::string>{"success", "summary"});
    CHECK(f.recorders["failures"].kinds().empty());
    const auto& s = f.recorders["everything"].got.back();
    CHECK(s.id == "summary:2026-11-27");
    CHECK(s.details.find("shop-db: no run yet") !=
          std::string::npos);  // the runs are not in this audit
    bk::testing::run_task(f.ioc, f.alerting->summary(targets, "2026-11-28"));
    CHECK(f.recorders["everything"].kinds().back() == "summary");
    CHECK(f.recorders["everything"].got.size() == 3);
}

TEST_CASE("re-sends back off from 30 s, doubling, to at most an hour", "[unit][alerting]") {
    CHECK(app::alert_backoff(1) == 30);
    CHECK(app::alert_backoff(2) == 60);
    CHECK(app::alert_backoff(3) == 120);
    CHECK(app::alert_backoff(8) == 3600);
    CHECK(app::alert_backoff(50) == 3600);
}

TEST_CASE("a failed delivery waits in the outbox and goes out once when due",
          "[unit][alerting][outbox]") {
    Fixture f;
    f.recorders["failures"].fail_next = 1;
    f.run("failed", "r1");
    CHECK(f.recorders["failures"].got.empty());
    CHECK(f.store->pending() == 1);
    CHECK(bk::testing::run_task(f.ioc, f.alerting->retry_due()) == 0);  // not due yet
    f.now += 30;
    CHECK(bk::testing::run_task(f.ioc, f.alerting->retry_due()) == 1);
    CHECK(bk::testing::run_task(f.ioc, f.alerting->retry_due()) == 0);
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"failure"});
    CHECK(f.store->pending() == 0);
}

TEST_CASE("an unreadable outbox is moved aside and the outbox works again",
          "[unit][alerting][outbox]") {
    bk::testing::TempDir dir;
    const auto path = (dir.path() / "outbox.json").string();
    std::ofstream(path) << "{ not json";
    adapters::notify::FileAlertStore store(path);
    CHECK(store.pending() == 0);
    CHECK(std::filesystem::exists(path + ".bad"));
    domain::QueuedAlert q;
    q.notifier = "n";
    q.alert.id = "x";
    q.alert.kind = "failure";
    REQUIRE(store.enqueue(q));
    CHECK(*store.enqueue(q) == false);  // the same key once
    CHECK(store.pending() == 1);
}

TEST_CASE("tail_lines keeps the last lines within a byte limit", "[unit][alerting]") {
    CHECK(domain::tail_lines("a\nb\nc\nd\n", 2, 100) == "c\nd");
    CHECK(domain::tail_lines("one line", 5, 100) == "one line");
    CHECK(domain::tail_lines("aaaa\nbbbb\ncccc", 3, 9) == "bbbb\ncccc");
    CHECK(domain::tail_lines("aaaa\nbbbb\ncccc", 3, 8) == "cccc");
}

TEST_CASE("a run found crashed alerts the notifiers its target had when the run started",
          "[unit][alerting]") {
    Fixture f;
    auto t = f.target();
    t.notify = {"everything"};
    bk::testing::run_task(f.ioc, f.alerting->started(t, "r9"));
    f.restart();
    domain::RunRecord run;
    run.id = "r9";
    run.kind = "backup";
    run.target = "shop-db";
    run.status = domain::RunStatus::crashed;
    run.error = "the operator (pid 42) died during this run";
    bk::testing::run_task(f.ioc, f.alerting->crashed(run));
    CHECK(f.recorders["failures"].got.empty());
    REQUIRE(f.recorders["everything"].kinds() == std::vector<std::string>{"failure"});
    CHECK(f.recorders["everything"].got[0].status == "crashed");
    CHECK(f.recorders["everything"].got[0].error_stage == "operator died");
    // The next success says recovered.
    f.config.notifiers["everything"].events = {"recovered"};
    f.run("success", "r10");
    CHECK(f.recorders["everything"].kinds().back() == "recovered");
}

TEST_CASE("a safety backup's success says no recovered and ends no failure", "[unit][alerting]") {
    Fixture f;
    f.run("failed", "r1");
    // The restore's own backup of the target before it writes: not the target's backup.
    app::RunReport safety;
    safety.run_id = "r2";
    safety.target = "shop-db";
    safety.status = domain::RunStatus::success;
    bk::testing::run_task(f.ioc, f.alerting->finished(f.target(), safety, domain::kSafetyTrigger));
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"failure"});
    CHECK(f.recorders["everything"].kinds() == std::vector<std::string>{"failure"});
    auto mem = f.store->memory();
    REQUIRE(mem);
    CHECK((*mem)["shop-db"].last_status ==
          domain::RunStatus::failed);  // the next real success recovers it
    f.run("success", "r3");
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"failure", "recovered"});
}

TEST_CASE("an empty drill is told as drill_empty, by default, and a passed one not at all",
          "[unit][alerting]") {
    Fixture f;
    CHECK(domain::wants({}, "drill_empty"));
    app::VerifyReport report;
    report.run_id = "d1";
    report.target = "shop-db";
    report.status = domain::DrillResult::passed;
    bk::testing::run_task(f.ioc, f.alerting->drill_finished(f.target(), report));
    CHECK(f.recorders["failures"].got.empty());
    report.run_id = "d2";
    report.status = domain::DrillResult::passed_empty;
    report.error = app::empty_drill_message({"app (no tables)"});
    bk::testing::run_task(f.ioc, f.alerting->drill_finished(f.target(), report));
    REQUIRE(f.recorders["failures"].kinds() == std::vector<std::string>{"drill_empty"});
    const auto& a = f.recorders["failures"].got[0];
    CHECK(a.id == "drill_empty:shop-db:d2");
    CHECK(domain::alert_title(a).find("PROVES NOTHING") != std::string::npos);
    CHECK(a.error.find("app (no tables)") != std::string::npos);
}

TEST_CASE(
    "runs through the runner: the monitor hears each start and outcome, a failure names its "
    "stage, an unreachable notifier's alert waits in the outbox and goes out when due",
    "[unit][alerting][runner]") {
    bk::testing::RunRig rig;
    rig.config.notifiers["ops"].type = "webhook";
    rig.config.notifiers["pager"].type = "webhook";
    bk::testing::FakeNotifier ops;
    bk::testing::FakeNotifier pager;
    pager.fail_next = 1;  // unreachable for the first alert
    bk::testing::FakeMonitor kuma;
    bk::testing::FakeAlertStore store;
    bk::testing::FakeClock clock;
    bk::testing::FakeLogger log;
    std::map<std::string, domain::Notifier*> notifiers{{"ops", &ops}, {"pager", &pager}};
    app::Alerting alerting(
        rig.config,
        [&notifiers](const std::string& n) -> domain::Notifier* { return notifiers[n]; },
        [&kuma](const std::string& n) -> domain::Monitor* { return n == "kuma" ? &kuma : nullptr; },
        store,
        *rig.audit,
        log,
        clock.fn());
    auto target = *bk::testing::labelled_target("shop-db").target;
    target.notify = {"ops", "pager"};
    target.monitor = "kuma";
    auto runner = rig.runner();
    runner.observe(&alerting);

    rig.dumper.exit_code = 1;
    const auto failed = bk::testing::run_task(runner.run(target, "schedule", ""));
    REQUIRE(failed.status == domain::RunStatus::failed);
    CHECK(kuma.pings.size() == 2);
    CHECK(kuma.pings.front() == "start");
    CHECK(kuma.pings.back().rfind("down ", 0) == 0);
    REQUIRE(ops.kinds() == std::vector<std::string>{"failure"});
    CHECK(ops.got[0].error_stage == "dump app");
    CHECK(ops.got[0].id == "failure:shop-db:" + failed.run_id);
    CHECK(pager.got.empty());
    REQUIRE(store.outbox.size() == 1);
    CHECK(store.outbox[0].notifier == "pager");
    // The run's notify step says who got it and who did not.
    bool stepped = false;
    for (const auto& s : *rig.audit->steps(failed.run_id)) {
        stepped = stepped || (s.name == "notify" && s.outcome == domain::StepOutcome::failed &&
                              s.detail.find("ops: sent failure") != std::string::npos);
    }
    CHECK(stepped);

    // Not before its backoff; then once.
    boost::asio::io_context ioc;
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 0);
    clock.advance(app::alert_backoff(1));
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 1);
    CHECK(pager.kinds() == std::vector<std::string>{"failure"});
    CHECK(store.outbox.empty());
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 0);

    rig.dumper.exit_code = 0;
    const auto ok = bk::testing::run_task(runner.run(target, "schedule", ""));
    REQUIRE(ok.status == domain::RunStatus::success);
    CHECK(ops.kinds() == std::vector<std::string>{"failure", "recovered"});
    CHECK(pager.kinds() == std::vector<std::string>{"failure", "recovered"});
    CHECK(kuma.pings.size() == 4);
    CHECK(kuma.pings.back().rfind("up ", 0) == 0);
}

TEST_CASE("copy_overdue is told once per episode, also across a restart, and caught up ends it",
          "[unit][alerting]") {
    Fixture f;
    domain::CopyLag lag;
    lag.source = "main";
    lag.destination = "offsite";
    lag.overdue_after = std::chrono::seconds(60);
    lag.pending = 1;
    lag.lag_seconds = 30;  // not yet overdue
    lag.oldest_made_at = "2026-12-07T10:00:00.000Z";
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    CHECK(f.recorders["failures"].kinds().empty());
    lag.lag_seconds = 61;
    lag.last_error = "connection refused";
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    f.restart();
    lag.pending = 2;
    lag.lag_seconds = 600;
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    // Every notifier taking it: the default events include copy_overdue, "successes" does not.
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"copy_overdue"});
    CHECK(f.recorders["everything"].kinds() == std::vector<std::string>{"copy_overdue"});
    CHECK(f.recorders["successes"].kinds().empty());
    const auto& a = f.recorders["failures"].got[0];
    CHECK(a.target == "main -> offsite");
    CHECK(a.error == "connection refused");
    CHECK(domain::alert_title(a) ==
          "backupctl: copy main -> offsite is OVERDUE (oldest pending 2026-12-07T10:00:00.000Z)");
    // Caught up: one recovered, then nothing more.
    lag.pending = 0;
    lag.lag_seconds = 0;
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    bk::testing::run_task(f.ioc, f.alerting->copy_lag(lag));
    CHECK(f.recorders["failures"].kinds() == std::vector<std::string>{"copy_overdue", "recovered"});
    CHECK(f.recorders["failures"].got[1].status == "caught_up");
    CHECK(domain::alert_title(f.recorders["failures"].got[1]) ==
          "backupctl: copy main -> offsite CAUGHT UP");
    // A copy's memory is not a target's: the target's overdue state is untouched.
    auto mem = f.store->memory();
    REQUIRE(mem);
    CHECK_FALSE((*mem)["shop-db"].overdue);
}
