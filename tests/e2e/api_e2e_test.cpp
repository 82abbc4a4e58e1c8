// The daemon's HTTP API against the real engine: the token required, targets listed, a backup
// requested over HTTP whose progress and end arrive on the event stream, 409 while it runs and
// while another process holds the target's lock, paging through its runs and one run's steps.
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
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;
using nlohmann::json;

namespace {

const std::string kToken = "e2e-token-0123456789abcdef";

struct Http {
    int status{0};
    std::string body;
};

Http call(const std::string& method, const std::string& url, const std::string& token) {
    auto r = sh("curl -s -o - -w '\\n%{http_code}' -X " + method +
                (token.empty() ? std::string{} : " -H 'Authorization: Bearer " + token + "'") +
                " " + bk::testing::quoted(url));
    Http h;
    const auto nl = r.out.rfind('\n');
    if (nl == std::string::npos)
        return h;
    h.body = r.out.substr(0, nl);
    h.status = std::atoi(r.out.substr(nl + 1).c_str());
    return h;
}

/// The events of the stream file with this run id, by type.
std::vector<json> events_of(const std::string& file, const std::string& run_id) {
    std::vector<json> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("data: ", 0) != 0)
            continue;
        auto j = json::parse(line.substr(6), nullptr, false);
        if (j.is_object() && j.value("run_id", "") == run_id)
            out.push_back(j);
    }
    return out;
}

bool has_event(const std::vector<json>& events, const std::string& type) {
    for (const auto& e : events) {
        if (e["type"] == type)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE(
    "api: token required, a run requested over HTTP streams progress events, 409 while running or "
    "locked, paging",
    "[e2e][api][engine-alone]") {
    bk::testing::TempDir secrets;
    const auto token_file = secrets.path() / "token";
    std::ofstream(token_file) << kToken << "\n";
    const int port = bk::testing::free_port();
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    Scenario s(
        "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n"
        "defaults:\n  catch_up: skip\n"
        "http:\n  listen: 127.0.0.1:" +
            std::to_string(port) + "\n  token_file: " + token_file.string() + "\n",
        true);
    s.start("db",
            test_image("BK_TEST_BASE_IMAGE"),
            {"backupctl.db.type=postgres",
             "backupctl.db.name=slow",
             "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")},
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    const auto target = s.target("db");
    Process daemon({BK_BACKUPCTL, "--config", s.config_path(), "daemon"}, s.dir() / "daemon.log");
    REQUIRE(eventually([&] { return call("GET", base + "/healthz", "").status == 200; },
                       std::chrono::seconds(30)));
    REQUIRE(eventually(
        [&] {
            return call("GET", base + "/api/v1/targets", kToken).body.find(target) !=
                   std::string::npos;
        },
        std::chrono::seconds(30)));

    // Auth.
    auto anon = call("GET", base + "/api/v1/targets", "");
    CHECK(anon.status == 401);
    CHECK(json::parse(anon.body)["error"]["code"] == "unauthorized");
    CHECK(call("GET", base + "/api/v1/targets", kToken + "x").status == 401);
    CHECK(call("POST", base + "/api/v1/targets/" + target + "/run", "wrong").status == 401);
    auto targets = json::parse(call("GET", base + "/api/v1/targets", kToken).body);
    REQUIRE(targets["targets"].size() == 1);
    CHECK(targets["targets"][0]["name"] == target);
    CHECK(targets["targets"][0]["last_run"].is_null());
    CHECK(targets["targets"][0].dump().find("POSTGRES_PASSWORD") == std::string::npos);

    // The event stream, then a run requested over HTTP.
    const auto stream_file = (s.dir() / "events.txt").string();
    Process stream({"/usr/bin/curl",
                    "-sN",
                    "--max-time",
                    "120",
                    "-H",
                    "Authorization: Bearer " + kToken,
                    base + "/api/v1/events"},
                   stream_file);
    REQUIRE(eventually(
        [&] {
            return bk::testing::slurp(stream_file).find("backupctl events") != std::string::npos;
        },
        std::chrono::seconds(10)));
    auto started = call("POST", base + "/api/v1/targets/" + target + "/run", kToken);
    REQUIRE(started.status == 202);
    const auto run_id = json::parse(started.body)["run_id"].get<std::string>();
    auto again = call("POST", base + "/api/v1/targets/" + target + "/run", kToken);
    CHECK(again.status == 409);
    CHECK(json::parse(again.body)["error"]["code"] == "conflict");
    REQUIRE(eventually([&] { return has_event(events_of(stream_file, run_id), "finished"); },
                       std::chrono::seconds(90)));
    const auto events = events_of(stream_file, run_id);
    INFO(bk::testing::slurp(stream_file));
    CHECK(events.front()["type"] == "started");
    CHECK(events.back()["status"] == "success");
    std::uint64_t most = 0;
    int progress = 0;
    for (const auto& e : events) {
        if (e["type"] != "progress")
            continue;
        ++progress;
        CHECK(e["bytes"].get<std::uint64_t>() >= most);  // never goes back
        most = e["bytes"].get<std::uint64_t>();
    }
    CHECK(progress >= 2);
    CHECK(most > 0);

    // Locked by another process: 409 naming it.
    const auto lock_file = (s.dir() / "state" / "locks" / (target + ".lock")).string();
    // One process holding the flock (flock(1) would leave its child holding it after a kill).
    Process holder({"/usr/bin/python3",
                    "-c",
                    "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, "
                    "fcntl.LOCK_EX); time.sleep(30)",
                    lock_file},
                   s.dir() / "flock.log");
    REQUIRE(eventually([&] { return sh("flock -n " + lock_file + " true").exit_code != 0; },
                       std::chrono::seconds(10)));
    auto locked = call("POST", base + "/api/v1/targets/" + target + "/run", kToken);
    CHECK(locked.status == 409);
    CHECK(json::parse(locked.body)["error"]["message"].get<std::string>().find("locked") !=
          std::string::npos);
    holder.signal(SIGKILL);
    holder.wait(std::chrono::seconds(5));

    // A second run, then the runs page by page and one run's steps.
    auto second = call("POST", base + "/api/v1/targets/" + target + "/run", kToken);
    REQUIRE(second.status == 202);
    const auto second_id = json::parse(second.body)["run_id"].get<std::string>();
    REQUIRE(eventually([&] { return has_event(events_of(stream_file, second_id), "finished"); },
                       std::chrono::seconds(90)));
    auto page1 =
        json::parse(call("GET", base + "/api/v1/runs?target=" + target + "&limit=1", kToken).body);
    REQUIRE(page1["runs"].size() == 1);
    CHECK(page1["runs"][0]["id"] == second_id);
    REQUIRE(page1["next_before"].is_string());
    auto page2 = json::parse(call("GET",
                                  base + "/api/v1/runs?target=" + target +
                                      "&limit=1&before=" + page1["next_before"].get<std::string>(),
                                  kToken)
                                 .body);
    REQUIRE(page2["runs"].size() == 1);
    CHECK(page2["runs"][0]["id"] == run_id);
    auto detail = json::parse(call("GET", base + "/api/v1/runs/" + run_id, kToken).body);
    CHECK(detail["status"] == "success");
    CHECK(detail["bytes"].get<std::uint64_t>() > 1'000'000);
    bool dumped = false;
    for (const auto& st : detail["steps"])
        dumped = dumped || st["name"] == "dump slow";
    CHECK(dumped);
    auto after = json::parse(call("GET", base + "/api/v1/targets/" + target, kToken).body);
    CHECK(after["last_run"]["id"] == second_id);
    CHECK(after["sizes"].size() == 2);
    CHECK(call("GET", base + "/", "").body.find("<title>backupctl</title>") != std::string::npos);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(std::chrono::seconds(30)) == 0);
}
