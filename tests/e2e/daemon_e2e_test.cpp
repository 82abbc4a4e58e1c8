// `backupctl daemon` against the real engine: catch-up at start, containers followed through
// events (new and force-recreated targets run on `on=start`), SIGTERM with a run in flight,
// kill -9 then restart (the dead run is `crashed`, its dump container removed, a live CLI run
// beside it untouched), and the audit fallback while the store is locked.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "support/process.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/socket_proxy.hpp"
#include "support/test_env.hpp"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

using bk::testing::eventually;
using bk::testing::Process;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::slurp;
using bk::testing::test_image;

namespace {

std::unique_ptr<Process> start_daemon(const Scenario& s, const std::string& name) {
    return std::make_unique<Process>(
        std::vector<std::string>{BK_BACKUPCTL, "--config", s.config_path(), "daemon"},
        s.dir() / (name + ".log"));
}

nlohmann::json runs_of(const Scenario& s, const std::string& target) {
    auto r = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " history " + target +
                " --json 2>/dev/null");
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_array() ? j : nlohmann::json::array();
}

/// The runs of `target` with this trigger and status.
int count_runs(const Scenario& s,
               const std::string& target,
               const std::string& trigger,
               const std::string& status) {
    int n = 0;
    for (const auto& r : runs_of(s, target)) {
        if (r.value("trigger", "") == trigger && r.value("status", "") == status)
            ++n;
    }
    return n;
}

std::string dump_container_of(const std::string& target) {
    auto r =
        sh("docker ps -q --filter label=backupctl.ephemeral --filter label=backupctl.for-target=" +
           target);
    auto id = r.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' '))
        id.pop_back();
    return id;
}

const std::string kFakeConfig =
    "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n"
    "daemon:\n  concurrency: 3\n  grace_period: 3s\n  event_delay: 1s\n";

std::vector<std::string> fake_labels(const std::string& mode, const std::string& extra = {}) {
    std::vector<std::string> l{"backupctl.db.type=postgres",
                               "backupctl.db.name=" + mode,
                               "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")};
    if (!extra.empty())
        l.push_back(extra);
    return l;
}

}  // namespace

TEST_CASE("daemon: catch-up at start, new and recreated containers, SIGTERM cuts a run short",
          "[e2e][daemon][engine-alone]") {
    Scenario s(kFakeConfig, true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    s.start(
        "app", base, fake_labels("ok", "backupctl.on=start"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    // In a repository of its own: a backup in flight holds its repository's retention off.
    s.start("stuck",
            base,
            fake_labels("hang", "backupctl.repository=other"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    auto daemon = start_daemon(s, "daemon");

    // Never backed up: both get one catch-up run at start.
    CHECK(eventually([&] { return count_runs(s, s.target("app"), "catch-up", "success") == 1; },
                     std::chrono::seconds(60)));
    CHECK(eventually([&] { return !dump_container_of(s.target("stuck")).empty(); },
                     std::chrono::seconds(60)));

    // Force-recreated (same name, same network, new container): found again, run on `start`.
    REQUIRE(sh("docker rm -f " + s.container("app") + " >/dev/null").exit_code == 0);
    s.start(
        "app", base, fake_labels("ok", "backupctl.on=start"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    CHECK(eventually([&] { return count_runs(s, s.target("app"), "event:start", "success") == 1; },
                     std::chrono::seconds(60)));
    // A new labelled container started while the daemon runs.
    s.start("late",
            base,
            fake_labels("ok", "backupctl.on=start"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    CHECK(eventually([&] { return count_runs(s, s.target("late"), "event:start", "success") == 1; },
                     std::chrono::seconds(60)));
    CHECK(s.snapshot_count(s.target("app")) == 2);

    // SIGTERM: the stuck run gets the grace period (3 s), then is cut short: failed, no
    // snapshot, no dump container, the daemon exits 0.
    daemon->signal(SIGTERM);
    const int code = daemon->wait(std::chrono::seconds(60));
    INFO(daemon->log());
    CHECK(code == 0);
    auto stuck = runs_of(s, s.target("stuck"));
    REQUIRE(stuck.size() == 1);
    CHECK(stuck[0]["status"] == "failed");
    CHECK_THAT(stuck[0]["error"].get<std::string>(), Catch::Contains("cut short (SIGTERM)"));
    CHECK(s.snapshot_count(s.target("stuck")) == 0);
    CHECK(s.leftovers(s.target("stuck")) == 0);
    CHECK_THAT(daemon->log(), Catch::Contains("grace period over"));
}

TEST_CASE("daemon: kill -9 mid-dump, then a restart cleans up without touching a live CLI run",
          "[e2e][daemon][crash][engine-alone]") {
    Scenario s(kFakeConfig + "defaults:\n  catch_up: skip\n", true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    s.start("ok", base, fake_labels("ok"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    auto first = start_daemon(s, "first");
    REQUIRE(
        eventually([&] { return first->log().find("watching 1 target(s)") != std::string::npos; },
                   std::chrono::seconds(30)));
    // Started after the daemon, with on=start: the daemon runs it, and it hangs mid-stream.
    s.start("victim",
            base,
            fake_labels("hang", "backupctl.on=start"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    REQUIRE(eventually([&] { return !dump_container_of(s.target("victim")).empty(); },
                       std::chrono::seconds(60)));
    // A CLI run beside it, alive while the first daemon dies and the second one starts.
    s.start("cli", base, fake_labels("hang"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    Process cli({BK_BACKUPCTL, "--config", s.config_path(), "run", s.target("cli")},
                s.dir() / "cli.log");
    REQUIRE(eventually([&] { return !dump_container_of(s.target("cli")).empty(); },
                       std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // bytes are flowing into restic
    first->signal(SIGKILL);
    CHECK(first->wait(std::chrono::seconds(10)) == -SIGKILL);
    CHECK(s.leftovers(s.target("victim")) == 1);  // what the dead daemon left

    auto second = start_daemon(s, "second");
    CHECK(
        eventually([&] { return count_runs(s, s.target("victim"), "event:start", "crashed") == 1; },
                   std::chrono::seconds(60)));
    CHECK(
        eventually([&] { return s.leftovers(s.target("victim")) == 0; }, std::chrono::seconds(30)));
    CHECK(s.snapshot_count(s.target("victim")) == 0);
    // The live CLI run: still running, its dump container still there.
    CHECK(count_runs(s, s.target("cli"), "manual", "running") == 1);
    CHECK(s.leftovers(s.target("cli")) == 1);
    CHECK(cli.running());
    CHECK(eventually(
        [&] {
            return second->log().find("1 run(s) marked crashed, 1 dump container(s) removed") !=
                   std::string::npos;
        },
        std::chrono::seconds(30)));

    // The repository is usable (no stale lock of the dead restic): the next run succeeds.
    auto next = s.backupctl("run " + s.target("ok"));
    INFO(next.out);
    CHECK(next.exit_code == 0);

    // The CLI run ends when its dump dies; the second daemon stops cleanly.
    sh("docker kill " + dump_container_of(s.target("cli")) + " >/dev/null 2>&1");
    CHECK(cli.wait(std::chrono::seconds(60)) == 1);
    CHECK(count_runs(s, s.target("cli"), "manual", "failed") == 1);
    second->signal(SIGTERM);
    CHECK(second->wait(std::chrono::seconds(30)) == 0);
    CHECK(s.leftovers(s.target("cli")) == 0);
}

TEST_CASE("audit store locked during a run: the backup succeeds and its record replays once",
          "[e2e][daemon][audit]") {
    Scenario s(kFakeConfig);
    s.start("db",
            test_image("BK_TEST_BASE_IMAGE"),
            fake_labels("ok"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    // A first run creates the store.
    REQUIRE(s.backupctl("run " + s.target("db")).exit_code == 0);
    const auto db_path = (s.dir() / "state" / "audit.db").string();
    const auto fallback = s.dir() / "state" / "audit-fallback.jsonl";
    std::string run_out;
    int run_code = -1;
    {
        // Another writer holds the store: every write of the run times out (busy).
        SQLite::Database holder(db_path, SQLite::OPEN_READWRITE);
        holder.exec("BEGIN EXCLUSIVE");
        auto r = s.backupctl("run " + s.target("db"));
        run_out = r.out;
        run_code = r.exit_code;
        holder.exec("ROLLBACK");
    }
    INFO(run_out);
    CHECK(run_code == 0);
    CHECK_THAT(run_out, Catch::Contains("audit store failed"));
    REQUIRE(std::filesystem::exists(fallback));
    CHECK(s.snapshot_count(s.target("db")) == 2);
    // The run's record: its begin, its steps, its end.
    const auto lines = slurp(fallback);
    CHECK(std::count(lines.begin(), lines.end(), '\n') >= 3);
    CHECK_THAT(lines, Catch::Contains("\"op\":\"finish_run\""));

    // The next start replays it: the run is there exactly once, with its steps; nothing waits.
    auto history = s.backupctl("history " + s.target("db") + " --json");
    INFO(history.out);
    CHECK_THAT(history.out, Catch::Contains("replayed"));
    CHECK_FALSE(std::filesystem::exists(fallback));
    auto runs = runs_of(s, s.target("db"));
    REQUIRE(runs.size() == 2);
    CHECK(runs[0]["status"] == "success");
    CHECK(runs[0]["steps"].size() >= 2);
    CHECK(s.backupctl("health").exit_code == 0);
}

TEST_CASE("daemon: a due time missed during downtime gets one catch-up run, a fresh target none",
          "[e2e][daemon][catch-up][engine-alone]") {
    Scenario s(kFakeConfig + "defaults:\n  cron: \"@daily\"\n", true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    s.start("fresh", base, fake_labels("ok"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    s.start("stale", base, fake_labels("ok"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    REQUIRE(s.backupctl("run " + s.target("fresh")).exit_code == 0);
    REQUIRE(s.backupctl("run " + s.target("stale")).exit_code == 0);
    {
        // The operator was down for three days: stale's last success is that old.
        SQLite::Database db((s.dir() / "state" / "audit.db").string(), SQLite::OPEN_READWRITE);
        db.exec(
            "UPDATE runs SET started_at='2020-01-01T03:00:00.000Z', "
            "finished_at='2020-01-01T03:00:05.000Z' WHERE target='" +
            s.target("stale") + "'");
    }
    auto daemon = start_daemon(s, "daemon");
    CHECK(eventually([&] { return count_runs(s, s.target("stale"), "catch-up", "success") == 1; },
                     std::chrono::seconds(60)));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait(std::chrono::seconds(30)) == 0);
    INFO(daemon->log());
    CHECK(count_runs(s, s.target("fresh"), "catch-up", "success") == 0);
    CHECK_THAT(daemon->log(),
               Catch::Contains("catch-up run of " + s.target("stale") +
                               ": last success 2020-01-01T03:00:05.000Z"));
    CHECK(daemon->log().find("catch-up run of " + s.target("fresh")) == std::string::npos);
}

TEST_CASE("daemon: the events stream cut again and again, no container missed",
          "[e2e][daemon][events][engine-alone]") {
    bk::testing::TempDir sock_dir;
    const auto sock = (sock_dir.path() / "docker.sock").string();
    bk::testing::EventsCuttingProxy proxy(sock);
    Scenario s(kFakeConfig + "docker:\n  host: unix://" + sock + "\n", true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    auto daemon = start_daemon(s, "daemon");
    REQUIRE(
        eventually([&] { return daemon->log().find("watching 0 target(s)") != std::string::npos; },
                   std::chrono::seconds(30)));
    REQUIRE(
        eventually([&] { return proxy.events_connections_seen() >= 1; }, std::chrono::seconds(10)));
    // Each container starts while the stream is down: only the resync after the reconnect can
    // find it.
    for (int i = 0; i < 3; ++i) {
        const int before = proxy.events_connections_seen();
        CHECK(proxy.cut_events() == 1);
        s.start("app" + std::to_string(i),
                base,
                fake_labels("ok", "backupctl.on=start"),
                {"POSTGRES_PASSWORD=x"},
                "sleep 600");
        CHECK(eventually([&] { return proxy.events_connections_seen() > before; },
                         std::chrono::seconds(30)));
    }
    for (int i = 0; i < 3; ++i) {
        const auto t = s.target("app" + std::to_string(i));
        CHECK(eventually([&] { return count_runs(s, t, "event:start", "success") == 1; },
                         std::chrono::seconds(60)));
    }
    daemon->signal(SIGTERM);
    CHECK(daemon->wait(std::chrono::seconds(30)) == 0);
    INFO(daemon->log());
    CHECK(proxy.events_connections_seen() >= 4);
}

TEST_CASE("unlock refuses a lock held by a live process and removes one nobody holds",
          "[e2e][daemon][unlock]") {
    Scenario s(kFakeConfig);
    const auto dir = s.dir() / "state" / "locks";
    std::filesystem::create_directories(dir);
    const auto file = (dir / "shop-db.lock").string();
    {
        const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        REQUIRE(fd >= 0);
        REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
        const std::string info = "pid=" + std::to_string(::getpid()) + " instance=test run=r1\n";
        REQUIRE(::write(fd, info.data(), info.size()) == static_cast<ssize_t>(info.size()));
        auto refused = s.backupctl("unlock shop-db");
        INFO(refused.out);
        CHECK(refused.exit_code == 2);
        CHECK_THAT(refused.out, Catch::Contains("refusing"));
        CHECK_THAT(refused.out, Catch::Contains("pid=" + std::to_string(::getpid())));
        CHECK(std::filesystem::exists(file));
        ::close(fd);
    }
    auto done = s.backupctl("unlock shop-db");
    INFO(done.out);
    CHECK(done.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(s.backupctl("unlock shop-db").exit_code == 0);  // not locked: nothing to do
    CHECK(s.backupctl("unlock ../etc").exit_code == 1);
}

TEST_CASE("daemon: kill -9 while retention waits for the repository, then a restart",
          "[e2e][daemon][crash][engine-alone]") {
    Scenario s(kFakeConfig + "defaults:\n  catch_up: skip\n", true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    // Another writer holds the repository shared: the run's snapshot commits beside it, and its
    // retention (which needs the repository alone) waits.
    const auto locks = s.dir() / "state" / "locks";
    std::filesystem::create_directories(locks);
    const auto gate_file = (locks / "repository-default.lock").string();
    const int gate = ::open(gate_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(gate >= 0);
    REQUIRE(::flock(gate, LOCK_SH | LOCK_NB) == 0);
    auto first = start_daemon(s, "first");
    REQUIRE(
        eventually([&] { return first->log().find("watching 0 target(s)") != std::string::npos; },
                   std::chrono::seconds(30)));
    s.start(
        "db", base, fake_labels("ok", "backupctl.on=start"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    // The dump is stored; the run now waits in retention for the repository.
    REQUIRE(eventually([&] { return s.snapshot_count(s.target("db")) == 1; },
                       std::chrono::seconds(60)));
    REQUIRE(count_runs(s, s.target("db"), "event:start", "running") == 1);
    first->signal(SIGKILL);
    CHECK(first->wait(std::chrono::seconds(10)) == -SIGKILL);
    ::close(gate);

    auto second = start_daemon(s, "second");
    CHECK(eventually([&] { return count_runs(s, s.target("db"), "event:start", "crashed") == 1; },
                     std::chrono::seconds(60)));
    // What a run killed after its dump was committed leaves: that complete snapshot, nothing else.
    CHECK(s.snapshot_count(s.target("db")) == 1);
    CHECK(s.leftovers(s.target("db")) == 0);
    auto next = s.backupctl("run " + s.target("db"));
    INFO(next.out);
    CHECK(next.exit_code == 0);
    CHECK(s.snapshot_count(s.target("db")) == 2);
    second->signal(SIGTERM);
    CHECK(second->wait(std::chrono::seconds(30)) == 0);
}

namespace {

/// Stops dockerd and starts it again with the same command line, detached from this process.
/// Every container stops with it (no live-restore); networks and images stay.
void restart_dockerd() {
    auto pid = sh("pidof dockerd").out;
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
    REQUIRE_FALSE(pid.empty());
    REQUIRE(pid.find(' ') == std::string::npos);  // one engine
    auto cmd = sh("tr '\\0' ' ' < /proc/" + pid + "/cmdline").out;
    REQUIRE_FALSE(cmd.empty());
    REQUIRE(sh("kill -TERM " + pid).exit_code == 0);
    REQUIRE(eventually([&] { return sh("kill -0 " + pid + " 2>/dev/null").exit_code != 0; },
                       std::chrono::seconds(60)));
    REQUIRE(sh("setsid nohup " + cmd + " >>/var/log/backupctl-dockerd.log 2>&1 </dev/null &")
                .exit_code == 0);
    REQUIRE(eventually([] { return sh("docker info >/dev/null 2>&1").exit_code == 0; },
                       std::chrono::seconds(90)));
}

}  // namespace

TEST_CASE("daemon: dockerd restarted under it, a container started afterwards is found and run",
          "[e2e][daemon][restart][engine-alone]") {
    Scenario s(kFakeConfig + "defaults:\n  catch_up: skip\n", true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    auto daemon = start_daemon(s, "daemon");
    REQUIRE(
        eventually([&] { return daemon->log().find("watching 0 target(s)") != std::string::npos; },
                   std::chrono::seconds(30)));
    restart_dockerd();
    s.start("after",
            base,
            fake_labels("ok", "backupctl.on=start"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    CHECK(
        eventually([&] { return count_runs(s, s.target("after"), "event:start", "success") == 1; },
                   std::chrono::seconds(90)));
    CHECK(daemon->running());
    daemon->signal(SIGTERM);
    CHECK(daemon->wait(std::chrono::seconds(30)) == 0);
    INFO(daemon->log());
    CHECK(s.snapshot_count(s.target("after")) == 1);
}

TEST_CASE("two operators on one engine: one's recovery never touches the other's dump",
          "[e2e][daemon][recovery]") {
    Scenario s(kFakeConfig, true);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    s.start("busy", base, fake_labels("stream"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    s.start("quick",
            base,
            fake_labels("ok", "backupctl.repository=other"),
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    // Operator B: the same engine and scope, a state directory (and audit trail) of its own, as
    // a second backupctl container with its own volume would have.
    const auto config_b = (s.dir() / "operator-b.yml").string();
    {
        std::string text = slurp(s.config_path());
        const std::string from = "state_dir: " + (s.dir() / "state").string();
        REQUIRE(text.find(from) != std::string::npos);
        text.replace(text.find(from), from.size(), "state_dir: " + (s.dir() / "state-b").string());
        std::ofstream(config_b) << text;
    }
    // Operator A streams a dump (about 8 s) ...
    Process a({BK_BACKUPCTL, "--config", s.config_path(), "run", s.target("busy")},
              s.dir() / "operator-a.log");
    REQUIRE(eventually([&] { return !dump_container_of(s.target("busy")).empty(); },
                       std::chrono::seconds(60)));
    // ... while operator B starts (its recovery looks for dead operators' containers) and runs.
    auto b = sh(std::string(BK_BACKUPCTL) + " --config " + config_b + " run " + s.target("quick") +
                " 2>&1");
    INFO(b.out);
    CHECK(b.exit_code == 0);
    CHECK(b.out.find("dump container(s) removed") == std::string::npos);
    // A's dump was not killed: its run ends well (before the fix: "the dump exited 137").
    CHECK(a.wait(std::chrono::seconds(120)) == 0);
    INFO(a.log());
    CHECK_THAT(a.log(), Catch::Contains(s.target("busy") + ": success"));
    CHECK(count_runs(s, s.target("busy"), "manual", "success") == 1);
}
