// Deadlines against the real engine and restic: a dump that sleeps, one that streams past the
// run's timeout, and one that goes silent. Each run fails with the stage and the reason, its
// dump container is killed and removed, nothing becomes a snapshot, and the repository's shared
// gate is released at once (another target's retention on the same repository runs right
// after). Every container made here carries bk.test=<tag>.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "support/process.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

void start_fake(Scenario& s,
                const std::string& service,
                const std::string& mode,
                std::vector<std::string> extra = {}) {
    std::vector<std::string> labels{"backupctl.db.type=postgres",
                                    "backupctl.db.name=" + mode,
                                    "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")};
    labels.insert(labels.end(), extra.begin(), extra.end());
    s.start(
        service, test_image("BK_TEST_BASE_IMAGE"), labels, {"POSTGRES_PASSWORD=x"}, "sleep 900");
}

nlohmann::json run_json(const Scenario& s, const std::string& service) {
    auto r = bk::testing::sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() +
                             " run --json " + s.target(service) + " 2>/dev/null");
    INFO(r.out);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE(j.is_array());
    REQUIRE(j.size() == 1);
    return j[0];
}

}  // namespace

TEST_CASE("a dump that sleeps fails at the run's timeout and frees the repository at once",
          "[e2e][run][deadline]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    // hang: 1 MiB, then nothing for 600 s. The idle limit (10 min by default) is not what stops it.
    start_fake(s, "stuck", "hang", {"backupctl.timeout=8s"});
    start_fake(s, "neighbour", "ok", {"backupctl.retention=last=1"});
    auto first = run_json(s, "neighbour");
    REQUIRE(first["status"] == "success");

    const auto t0 = std::chrono::steady_clock::now();
    bk::testing::Process stuck(
        {BK_BACKUPCTL, "--config", s.config_path(), "run", "--json", s.target("stuck")},
        s.dir() / "stuck.out");
    // Its dump container streams, then sleeps: the run holds the repository's shared gate.
    REQUIRE(bk::testing::eventually(
        [&] {
            return !sh("docker ps -q --filter label=backupctl.for-target=" + s.target("stuck"))
                        .out.empty();
        },
        std::chrono::seconds(60)));
    // The neighbour's retention needs the gate alone (it waits 30 s for it): it gets it once
    // the stuck run's time is up, so retention runs instead of being skipped.
    auto second = run_json(s, "neighbour");
    INFO(second.dump(2));
    CHECK(second["status"] == "success");
    CHECK(second["retention"] == "ok");
    CHECK(s.snapshot_count(s.target("neighbour")) == 1);

    INFO(stuck.log());
    REQUIRE(stuck.wait(std::chrono::seconds(60)) == 1);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < std::chrono::seconds(40));
    auto report = nlohmann::json::parse(stuck.log(), nullptr, false);
    REQUIRE(report.is_array());
    CHECK(report[0]["status"] == "failed");
    CHECK(report[0]["error"] == "timed out after 8s");
    CHECK(report[0]["stage"] == "dump hang");
    CHECK(report[0]["retention"] == "");
    CHECK(s.snapshot_count(s.target("stuck")) == 0);
    CHECK(s.leftovers(s.target("stuck")) == 0);
    // restic's partial upload left no snapshot and no lock: the repository checks clean.
    CHECK(sh(s.restic_env() + "restic check >/dev/null 2>&1").exit_code == 0);
}

TEST_CASE("a dump that streams past the run's timeout is cut and never committed",
          "[e2e][run][deadline]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    // stream: 80 MiB over about 10 s, more than the 5 s it may take.
    start_fake(s, "endless", "stream", {"backupctl.timeout=5s"});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_json(s, "endless");
    INFO(r.dump(2));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
    CHECK(r["status"] == "failed");
    CHECK(r["error"] == "timed out after 5s");
    CHECK(r["stage"] == "dump stream");
    CHECK(r["items"][0]["bytes"].get<std::uint64_t>() > 0);
    CHECK(s.snapshot_count(s.target("endless")) == 0);
    CHECK(s.leftovers(s.target("endless")) == 0);
}

TEST_CASE("a dump that goes silent fails after the idle limit", "[e2e][run][deadline]") {
    Scenario s(
        "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n"
        "defaults:\n  idle_timeout: 4s\n");
    start_fake(s, "silent", "hang");
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_json(s, "silent");
    INFO(r.dump(2));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(40));
    CHECK(r["status"] == "failed");
    CHECK(r["error"] == "no output for 4s");
    CHECK(r["stage"] == "dump hang");
    CHECK(s.snapshot_count(s.target("silent")) == 0);
    CHECK(s.leftovers(s.target("silent")) == 0);
}

TEST_CASE("a label hook that outlives hooks.timeout fails the run, and the post-hook still runs",
          "[e2e][run][deadline]") {
    Scenario s(
        "security:\n  allow_label_hooks: true\n"
        "  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    start_fake(s,
               "hooked",
               "ok",
               {"backupctl.hooks.pre=sleep 300",
                "backupctl.hooks.timeout=3s",
                "backupctl.hooks.post=touch /tmp/post-hook-ran"});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_json(s, "hooked");
    INFO(r.dump(2));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
    CHECK(r["status"] == "failed");
    CHECK(r["stage"] == "pre-hook");
    CHECK_THAT(r["error"].get<std::string>(), Catch::StartsWith("hook timed out after 3s"));
    CHECK(sh("docker exec " + s.container("hooked") + " test -e /tmp/post-hook-ran").exit_code ==
          0);
    CHECK(s.snapshot_count(s.target("hooked")) == 0);
}
