// Alerts from real runs through the real engine to a receiver on loopback: failure with its
// stage, then success and recovered after the target was fixed, Uptime Kuma pushes per run, the
// daemon's heartbeat that stops when the daemon is killed, and /metrics served by the daemon
// that promtool accepts.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/process.hpp"
#include "support/receivers.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <signal.h>

using bk::testing::eventually;
using bk::testing::Process;
using bk::testing::Receiver;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

std::vector<nlohmann::json> posts_to(const Receiver& rx, const std::string& path) {
    std::vector<nlohmann::json> out;
    for (const auto& r : rx.records()) {
        if (r["path"] == path)
            out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    return out;
}

std::vector<std::string> gets_under(const Receiver& rx, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& r : rx.records()) {
        const auto p = r["path"].get<std::string>();
        if (p.rfind(prefix, 0) == 0)
            out.push_back(p);
    }
    return out;
}

std::vector<std::string> labels(const std::string& mode) {
    return {"backupctl.db.type=postgres",
            "backupctl.db.name=" + mode,
            "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")};
}

}  // namespace

TEST_CASE(
    "alerts: failure, then success and recovered, kuma pushes, a heartbeat that stops with the "
    "daemon, /metrics",
    "[e2e][alerting][engine-alone]") {
    bk::testing::TempDir rxdir;
    Receiver rx("http_recorder.py", {}, rxdir.path(), "rx");
    const std::string base = "http://127.0.0.1:" + std::to_string(rx.port());
    const int metrics_port = bk::testing::free_port();
    Scenario s(
        "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n"
        "notifiers:\n  hook:\n    type: webhook\n    url: " +
            base +
            "/hook\n    events: [all]\n"
            "    secret: e2e-secret\n"
            "monitors:\n  kuma:\n    type: uptime-kuma\n    url: " +
            base +
            "/api/push/target-token\n"
            "  alive:\n    type: uptime-kuma\n    url: " +
            base +
            "/api/push/daemon-token\n"
            "defaults:\n  notify: [hook]\n  monitor: kuma\n  catch_up: skip\n"
            "daemon:\n  heartbeat: alive\n  heartbeat_interval: 1s\n"
            "http:\n  listen: 127.0.0.1:" +
            std::to_string(metrics_port) + "\n",
        true);
    const std::string image = test_image("BK_TEST_BASE_IMAGE");
    const auto target = s.target("db");

    // 0. A first success (the repository is created, retention counts its snapshots).
    s.start("db", image, labels("app"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    REQUIRE(s.backupctl("run " + target).exit_code == 0);
    auto hooks = posts_to(rx, "/hook");
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0]["event"] == "success");

    // 1. A dump that fails: a failure alert naming the stage and the dump's error, kuma "down".
    REQUIRE(sh("docker rm -f " + s.container("db") + " >/dev/null").exit_code == 0);
    s.start("db", image, labels("failing"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    auto first = s.backupctl("run " + target);
    CHECK(first.exit_code == 1);
    hooks = posts_to(rx, "/hook");
    REQUIRE(hooks.size() == 2);
    CHECK(hooks[1]["event"] == "failure");
    CHECK(hooks[1]["target"] == target);
    CHECK(hooks[1]["error"]["stage"] == "dump failing");
    CHECK(hooks[1]["error"]["message"].get<std::string>().find("simulated failure") !=
          std::string::npos);
    auto pushes = gets_under(rx, "/api/push/target-token?");
    REQUIRE(pushes.size() == 2);
    CHECK(pushes[0].find("status=up") != std::string::npos);
    CHECK(pushes[1].find("status=down&msg=backupctl%3A%20" + target + "%20backup%20FAILED") !=
          std::string::npos);
    CHECK(pushes[1].find("&ping=") != std::string::npos);
    // The aborted writer left no restic lock behind (it would skip the next retention).
    CHECK(sh(s.restic_env() + "restic list locks --no-lock 2>/dev/null | wc -l").out == "0\n");
    // The audit trail says where each alert went.
    auto history = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " history " +
                      target + " --json");
    CHECK(history.out.find("hook: sent failure") != std::string::npos);

    // 2. Fixed (the container recreated with a dump that works): success, then recovered.
    REQUIRE(sh("docker rm -f " + s.container("db") + " >/dev/null").exit_code == 0);
    s.start("db", image, labels("app"), {"POSTGRES_PASSWORD=x"}, "sleep 600");
    auto second = s.backupctl("run " + target);
    CHECK(second.exit_code == 0);
    hooks = posts_to(rx, "/hook");
    REQUIRE(hooks.size() == 4);
    CHECK(hooks[2]["event"] == "success");
    CHECK(hooks[2]["snapshots"].size() == 1);
    CHECK(hooks[3]["event"] == "recovered");
    CHECK(hooks[3]["details"].get<std::string>().find("ended failed") != std::string::npos);
    pushes = gets_under(rx, "/api/push/target-token?");
    REQUIRE(pushes.size() == 3);
    CHECK(pushes[2].find("status=up") != std::string::npos);

    // 3. The daemon: a heartbeat every second, /metrics that promtool accepts.
    auto daemon = std::make_unique<Process>(
        std::vector<std::string>{BK_BACKUPCTL, "--config", s.config_path(), "daemon"},
        s.dir() / "daemon.log");
    CHECK(eventually([&] { return gets_under(rx, "/api/push/daemon-token?").size() >= 3; },
                     std::chrono::seconds(30)));
    CHECK(gets_under(rx, "/api/push/daemon-token?")
              .front()
              .find("status=up&msg=backupctl%20daemon%20alive") != std::string::npos);
    const std::string metrics_url = "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics";
    REQUIRE(eventually(
        [&] { return sh("curl -fsS " + metrics_url + " -o /dev/null 2>/dev/null").exit_code == 0; },
        std::chrono::seconds(20)));
    const auto metrics_file = (s.dir() / "metrics.txt").string();
    REQUIRE(eventually(
        [&] {
            sh("curl -fsS " + metrics_url + " -o " + metrics_file);
            return bk::testing::slurp(metrics_file).find("backupctl_events_stream_connected 1") !=
                   std::string::npos;
        },
        std::chrono::seconds(20)));
    const auto text = bk::testing::slurp(metrics_file);
    INFO(text);
    INFO(sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " history " + target +
            " --json")
             .out);
    CHECK(text.find("backupctl_runs_total{target=\"" + target + "\",status=\"failed\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("backupctl_runs_total{target=\"" + target + "\",status=\"success\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("backupctl_last_run_success{target=\"" + target + "\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("backupctl_snapshots{target=\"" + target + "\"} 2\n") != std::string::npos);
    CHECK(text.find("backupctl_notification_queue_length 0\n") != std::string::npos);
    const auto checked = sh("promtool check metrics < " + metrics_file + " 2>&1");
    INFO(checked.out);
    CHECK(checked.exit_code == 0);
    CHECK(sh("curl -fsS http://127.0.0.1:" + std::to_string(metrics_port) + "/healthz").out ==
          "ok\n");

    // 4. kill -9: the heartbeat stops, so the monitor turns red on its own.
    daemon->signal(SIGKILL);
    daemon->wait(std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto beats = gets_under(rx, "/api/push/daemon-token?").size();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(gets_under(rx, "/api/push/daemon-token?").size() == beats);

    // 5. The CLI prints the same exposition.
    auto cli =
        sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " metrics 2>/dev/null");
    CHECK(cli.exit_code == 0);
    std::ofstream(s.dir() / "cli-metrics.txt") << cli.out;
    CHECK(sh("promtool check metrics < " + (s.dir() / "cli-metrics.txt").string() +
             " >/dev/null 2>&1")
              .exit_code == 0);
    CHECK(cli.out.find("backupctl_events_stream_connected") == std::string::npos);
}
