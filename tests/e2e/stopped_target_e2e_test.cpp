// A labelled PostgreSQL of another compose project whose container is stopped (not removed):
// the daemon's start gives it no catch-up run (before, the run failed "is not running (exited)"
// at every start and the target stayed red), `status`, `discover`, `health` and the API say
// "stopped since ...", /readyz answers once the first discovery is done, and starting the
// container makes the target active again: its missed backup runs then.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>

#include "support/process.hpp"
#include "support/receivers.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <signal.h>

using bk::testing::eventually;
using bk::testing::Process;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;
using nlohmann::json;

namespace {

const std::string kToken = "e2e-token-stopped-0123456789";

struct Http {
    int status{0};
    std::string body;
};

Http get(const std::string& url, const std::string& token = {}) {
    auto r = sh("curl -s -o - -w '\\n%{http_code}' " +
                (token.empty() ? std::string{} : "-H 'Authorization: Bearer " + token + "' ") +
                bk::testing::quoted(url));
    Http h;
    const auto nl = r.out.rfind('\n');
    if (nl == std::string::npos)
        return h;
    h.body = r.out.substr(0, nl);
    h.status = std::atoi(r.out.substr(nl + 1).c_str());
    return h;
}

int count_runs(const Scenario& s,
               const std::string& target,
               const std::string& trigger,
               const std::string& status) {
    auto r = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " history " + target +
                " --json 2>/dev/null");
    auto j = json::parse(r.out, nullptr, false);
    int n = 0;
    if (!j.is_array())
        return 0;
    for (const auto& run : j) {
        if ((trigger.empty() || run.value("trigger", "") == trigger) &&
            (status.empty() || run.value("status", "") == status))
            ++n;
    }
    return n;
}

}  // namespace

TEST_CASE(
    "daemon: a stopped labelled postgres is not failed at start, health lists it as "
    "stopped, starting it makes it active",
    "[e2e][daemon][stopped][engine-alone]") {
    bk::testing::TempDir secrets;
    const auto token_file = secrets.path() / "token";
    std::ofstream(token_file) << kToken << "\n";
    const int port = bk::testing::free_port();
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    Scenario s("http:\n  listen: 127.0.0.1:" + std::to_string(port) +
                   "\n  token_file: " + token_file.string() + "\n",
               true);
    s.start("db",
            test_image("BK_TEST_POSTGRES_IMAGE"),
            {"backupctl.db.name=shop"},
            {"POSTGRES_PASSWORD=e2e-pg-secret", "POSTGRES_DB=shop"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    const auto target = s.target("db");
    // Another compose project's database, stopped and left there (`docker compose stop`).
    REQUIRE(sh("docker stop " + s.container("db") + " >/dev/null").exit_code == 0);

    auto discover = s.backupctl("discover");
    INFO(discover.out);
    CHECK_THAT(discover.out, Catch::Contains("stopped since"));

    Process daemon({BK_BACKUPCTL, "--config", s.config_path(), "daemon"}, s.dir() / "daemon.log");
    // Ready once the first discovery is done; the stopped target gets no catch-up run.
    REQUIRE(
        eventually([&] { return get(base + "/readyz").status == 200; }, std::chrono::seconds(30)));
    CHECK(get(base + "/healthz").status == 200);
    REQUIRE(eventually(
        [&] { return daemon.log().find("no catch-up run of " + target) != std::string::npos; },
        std::chrono::seconds(30)));
    INFO(daemon.log());
    CHECK_THAT(daemon.log(), Catch::Contains("is stopped"));
    CHECK(count_runs(s, target, "", "") == 0);

    auto targets = json::parse(get(base + "/api/v1/targets", kToken).body, nullptr, false);
    REQUIRE(targets.is_object());
    REQUIRE(targets["targets"].size() == 1);
    CHECK(targets["targets"][0]["state"] == "stopped");
    CHECK(targets["targets"][0]["stopped_since"].is_string());

    auto status = s.backupctl("status");
    INFO(status.out);
    CHECK_THAT(status.out, Catch::Contains("stopped since"));

    // health: the stopped target is a warning (exit 0), as is the missing notifier.
    auto health = s.backupctl("health");
    INFO(health.out);
    CHECK(health.exit_code == 0);
    CHECK_THAT(health.out, Catch::Contains("WARN  target " + target + ": stopped since"));
    CHECK_THAT(health.out, Catch::Contains("WARN  notifiers"));
    auto health_json = json::parse(s.backupctl("health --json").out, nullptr, false);
    REQUIRE(health_json.is_object());
    CHECK(health_json["healthy"] == true);
    CHECK(health_json["warnings"].get<int>() >= 2);

    // Started again: active, and its missed backup (it never had one) runs.
    REQUIRE(sh("docker start " + s.container("db") + " >/dev/null").exit_code == 0);
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    CHECK(eventually([&] { return count_runs(s, target, "catch-up", "success") == 1; },
                     std::chrono::seconds(90)));
    CHECK_THAT(daemon.log(), Catch::Contains("target " + target + " is running again"));
    auto again = json::parse(get(base + "/api/v1/targets", kToken).body, nullptr, false);
    REQUIRE(again.is_object());
    CHECK(again["targets"][0]["state"] == "active");
    auto healthy = s.backupctl("health");
    INFO(healthy.out);
    CHECK(healthy.exit_code == 0);
    CHECK(healthy.out.find("stopped since") == std::string::npos);
    CHECK(count_runs(s, target, "", "failed") == 0);

    daemon.signal(SIGTERM);
    CHECK(daemon.wait(std::chrono::seconds(60)) == 0);
}
