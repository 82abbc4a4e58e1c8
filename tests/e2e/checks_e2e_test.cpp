// Repository checks against a real restic repository: N checks with check_subsets N read every
// pack (counted from what restic reports); a byte flipped in a pack under data/ fails the check
// of the subset holding it, which is alerted (check_failed), and prune and a run's retention
// refuse the repository until a check of that subset passes again (check_recovered).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "support/receivers.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::Receiver;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

std::vector<nlohmann::json> hook_posts(const Receiver& rx) {
    std::vector<nlohmann::json> out;
    for (const auto& r : rx.records()) {
        if (r["path"] == "/hook")
            out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    return out;
}

bool has_event(const Receiver& rx, const std::string& event) {
    for (const auto& h : hook_posts(rx)) {
        if (h["event"] == event)
            return true;
    }
    return false;
}

// `backupctl check --now --json`: the one repository's result.
nlohmann::json check_now(const Scenario& s, int& exit_code) {
    auto r = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() +
                " check --now --json default 2>/dev/null");
    exit_code = r.exit_code;
    INFO(r.out);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 1);
    return j[0];
}

// The largest pack under data/ (the dump's data, not a small tree pack).
std::filesystem::path largest_pack(const std::string& repo) {
    std::filesystem::path best;
    std::uintmax_t size = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(repo + "/data")) {
        if (e.is_regular_file() && e.file_size() > size) {
            size = e.file_size();
            best = e.path();
        }
    }
    return best;
}

void flip_byte(const std::filesystem::path& file, std::streamoff at) {
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f.good());
    f.seekg(at);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(at);
    f.write(&c, 1);
}

}  // namespace

TEST_CASE(
    "checks rotate over the whole repository, a flipped byte fails its subset, is alerted and "
    "blocks prune and retention until a check passes",
    "[e2e][checks]") {
    bk::testing::TempDir rxdir;
    Receiver rx("http_recorder.py", {}, rxdir.path(), "rx");
    const std::string base = "http://127.0.0.1:" + std::to_string(rx.port());
    Scenario s;
    constexpr int kSubsets = 4;
    // The default events: check_failed and check_recovered are among them.
    s.write_config("repositories:\n  default:\n    url: " + s.repo() +
                   "\n    password: " + bk::testing::kResticPassword +
                   "\n    init: true\n    check_subsets: " + std::to_string(kSubsets) +
                   "\n    check_cron: \"0 4 * * 0\"\n"
                   "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n"
                   "notifiers:\n  hook:\n    type: webhook\n    url: " +
                   base + "/hook\n    secret: e2e-secret\n" +
                   "defaults:\n  notify: [hook]\n  catch_up: skip\n");
    const auto target = s.target("db");
    // ~60 MB of random text: several data packs, spread over the subsets.
    s.start("db",
            test_image("BK_TEST_BASE_IMAGE"),
            {"backupctl.db.type=postgres",
             "backupctl.db.name=stream",
             "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")},
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    auto first = s.backupctl("run " + target);
    INFO(first.out);
    REQUIRE(first.exit_code == 0);

    // 1. N checks read subsets 1..N: together every pack restic counts.
    std::int64_t read = 0;
    std::int64_t total = -1;
    for (int k = 1; k <= kSubsets; ++k) {
        int code = -1;
        auto j = check_now(s, code);
        CHECK(code == 0);
        CHECK(j["result"] == "passed");
        CHECK(j["check"]["subset"] == k);
        CHECK(j["check"]["subsets"] == kSubsets);
        read += j["check"]["packs_read"].get<std::int64_t>();
        total = j["check"]["total_packs"].get<std::int64_t>();
    }
    CHECK(total > kSubsets);
    CHECK(read == total);
    auto state = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() +
                    " check --json 2>/dev/null");
    REQUIRE(state.exit_code == 0);
    CHECK(nlohmann::json::parse(state.out)[0]["read_fraction"].get<double>() == Approx(1.0));
    CHECK(nlohmann::json::parse(state.out)[0]["next_subset"] == 1);

    // 2. A byte flipped in a pack: the check of the subset holding it fails (restic puts a pack
    //    in group id[0] % N, 1-based here), the subsets before it pass.
    const auto pack = largest_pack(s.repo());
    REQUIRE(!pack.empty());
    const int holder = std::stoi(pack.filename().string().substr(0, 2), nullptr, 16) % kSubsets + 1;
    flip_byte(pack, static_cast<std::streamoff>(std::filesystem::file_size(pack) / 3));
    for (int k = 1; k < holder; ++k) {
        int code = -1;
        auto j = check_now(s, code);
        CHECK(j["result"] == "passed");
        CHECK(j["check"]["subset"] == k);
    }
    int code = -1;
    auto failed = check_now(s, code);
    CHECK(code == 1);
    CHECK(failed["result"] == "failed");
    CHECK(failed["check"]["subset"] == holder);
    CHECK_THAT(failed["check"]["error"].get<std::string>(),
               Catch::Contains(pack.filename().string().substr(0, 8)));
    REQUIRE(has_event(rx, "check_failed"));
    for (const auto& h : hook_posts(rx)) {
        if (h["event"] == "check_failed")
            CHECK(h["target"] == "default");
    }

    // 3. Prune refuses it, naming the repository and how to clear it.
    auto prune = s.backupctl("prune");
    INFO(prune.out);
    CHECK(prune.exit_code == 1);
    CHECK_THAT(prune.out, Catch::Contains("default: REFUSED: repository default"));
    CHECK_THAT(prune.out, Catch::Contains("backupctl check --now default"));

    // 4. A run stores its backup and skips its retention.
    const int before = s.snapshot_count(target);
    auto run = s.backupctl("run " + target);
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK(s.snapshot_count(target) == before + 1);
    auto history = sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " history " +
                      target + " --json 2>/dev/null");
    CHECK_THAT(history.out, Catch::Contains("refused: repository default"));

    // 5. Repaired (the byte put back): the same subset is read again and passes, prune runs.
    flip_byte(pack, static_cast<std::streamoff>(std::filesystem::file_size(pack) / 3));
    auto passed = check_now(s, code);
    CHECK(code == 0);
    CHECK(passed["result"] == "passed");
    CHECK(passed["check"]["subset"] == holder);
    CHECK(has_event(rx, "check_recovered"));
    auto pruned = s.backupctl("prune");
    INFO(pruned.out);
    CHECK(pruned.exit_code == 0);
}
