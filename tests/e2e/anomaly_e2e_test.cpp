// Trust across runs against the real engine, PostgreSQL and restic (docs/anomalies.md): a backup,
// then 90 % of a table's rows deleted and a backup: the loopback receiver gets an `anomaly`
// alert, the run is `suspect` (exit 6), its snapshot is tagged and, with `retention last=1`, the
// earlier normal snapshot survives it and the next suspect run; after `accept`, retention
// proceeds and the accepted level is the baseline.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "support/receivers.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::quoted;
using bk::testing::Receiver;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

std::vector<nlohmann::json> alerts(const Receiver& rx) {
    std::vector<nlohmann::json> out;
    for (const auto& r : rx.records()) {
        if (r["path"] == "/hook")
            out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    return out;
}

/// The target's snapshots: full id -> tags.
std::map<std::string, std::vector<std::string>> snapshots(const Scenario& s,
                                                          const std::string& target) {
    auto r = sh(s.restic_env() + "restic snapshots --json --tag target:" + target);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& j : nlohmann::json::parse(r.out))
        out[j["id"].get<std::string>()] = j.value("tags", std::vector<std::string>{});
    return out;
}

bool suspect(const std::vector<std::string>& tags) {
    return std::find(tags.begin(), tags.end(), "suspect") != tags.end();
}

std::string last_run_id(const Scenario& s, const std::string& target) {
    auto h = s.backupctl("history " + target + " --last 1 --json");
    REQUIRE(h.exit_code == 0);
    auto j = nlohmann::json::parse(h.out);
    REQUIRE(j.is_array());
    REQUIRE(!j.empty());
    return j[0]["id"].get<std::string>();
}

}  // namespace

TEST_CASE(
    "a backup after 90 percent of a table's rows were deleted is suspect, alerted, and "
    "kept apart from retention until accepted",
    "[e2e][anomaly]") {
    bk::testing::TempDir rxdir;
    Receiver rx("http_recorder.py", {}, rxdir.path(), "rx");
    Scenario s("notifiers:\n  hook:\n    type: webhook\n    url: http://127.0.0.1:" +
               std::to_string(rx.port()) + "/hook\n" + "defaults:\n  notify: [hook]\n");
    const auto target = s.target("db");
    s.start("db",
            test_image("BK_TEST_POSTGRES_IMAGE"),
            {"backupctl.retention=last=1"},
            {"POSTGRES_PASSWORD=e2e-db-secret", "POSTGRES_DB=app"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d app");
    auto sql = [&](const std::string& q) {
        auto r = sh("docker exec " + s.container("db") + " psql -qtA -U postgres -d app -c " +
                    quoted(q));
        INFO(r.out);
        REQUIRE(r.exit_code == 0);
    };
    sql("CREATE TABLE items (id int PRIMARY KEY, name text); "
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 3000) g;");

    // 1. The baseline.
    auto first = s.backupctl("run " + target);
    INFO(first.out);
    REQUIRE(first.exit_code == 0);
    const auto normal = snapshots(s, target);
    REQUIRE(normal.size() == 1);
    const auto normal_id = normal.begin()->first;

    // 2. 90 % of the rows gone: stored, but suspect.
    sql("DELETE FROM items WHERE id > 300;");
    auto second = s.backupctl("run " + target);
    INFO(second.out);
    CHECK(second.exit_code == 6);
    const auto second_run = last_run_id(s, target);
    auto h = s.backupctl("history --run " + second_run + " --json");
    CHECK(h.out.find("\"status\": \"suspect\"") != std::string::npos);
    CHECK(h.out.find("public.items: 3000 -> 300 rows (-90%)") != std::string::npos);
    auto got = alerts(rx);
    REQUIRE(got.size() == 1);  // the first success is not in the default events; the anomaly is
    CHECK(got[0]["event"] == "anomaly");
    CHECK(got[0]["status"] == "suspect");
    CHECK(got[0]["run_id"] == second_run);
    CHECK(got[0]["error"]["message"].get<std::string>().find("3000 -> 300 rows") !=
          std::string::npos);
    auto after = snapshots(s, target);
    REQUIRE(after.size() == 2);
    CHECK(after.contains(normal_id));  // last=1, yet the normal snapshot survives
    CHECK_FALSE(suspect(after[normal_id]));
    CHECK(std::count_if(
              after.begin(), after.end(), [](const auto& p) { return suspect(p.second); }) == 1);
    CHECK(s.backupctl("snapshots " + target).out.find("suspect") != std::string::npos);
    CHECK(s.backupctl("metrics").out.find("backupctl_last_run_suspect{target=\"" + target +
                                          "\"} 1\n") != std::string::npos);
    auto status = s.backupctl("status --json");
    CHECK(status.out.find("\"suspect\"") != std::string::npos);
    auto health = s.backupctl("health");
    INFO(health.out);
    CHECK(health.out.find("last backup " + second_run + " is suspect") != std::string::npos);

    // 3. Still compared with the last normal run: suspect again; the normal snapshot stays.
    auto third = s.backupctl("run " + target);
    INFO(third.out);
    CHECK(third.exit_code == 6);
    const auto third_run = last_run_id(s, target);
    after = snapshots(s, target);
    CHECK(after.contains(normal_id));
    CHECK(after.size() == 2);  // the suspects' own group keeps last=1 of them
    CHECK(alerts(rx).size() == 2);

    // 4. Accepted: untagged, success, and retention proceeds (last=1 drops the old normal one).
    auto accepted = s.backupctl("accept " + third_run);
    INFO(accepted.out);
    REQUIRE(accepted.exit_code == 0);
    CHECK(accepted.out.find("is success now") != std::string::npos);
    after = snapshots(s, target);
    REQUIRE(after.size() == 1);
    CHECK_FALSE(after.contains(normal_id));
    CHECK_FALSE(suspect(after.begin()->second));
    h = s.backupctl("history --run " + third_run + " --json");
    CHECK(h.out.find("\"status\": \"success\"") != std::string::npos);
    CHECK(h.out.find("accepted by") != std::string::npos);
    // Accepting twice is refused.
    CHECK(s.backupctl("accept " + third_run).exit_code == 1);

    // 5. The accepted level is the baseline: the next run is normal.
    auto fifth = s.backupctl("run " + target);
    INFO(fifth.out);
    CHECK(fifth.exit_code == 0);
    // The restore drill of the accepted snapshot's successor passes with its 300 rows.
    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
}
