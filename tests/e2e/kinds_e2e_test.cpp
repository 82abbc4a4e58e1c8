// The database kinds added as extensions, against the real engine, restic and the Debian test
// images: SQLite files in a named volume while an app writes them (WAL and rollback journal),
// copied by the operator's helper image, drilled and restored; a file that is not a database;
// Redis with keys in several databases, with and without a password, its drill, and a kill -9 of
// the operator in the middle of a dump.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::quoted;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

std::string sqlite_config() {
    const auto image = test_image("BK_TEST_SQLITE_IMAGE");
    return "defaults:\n  client_images:\n    sqlite: " + image + "\nsecurity:\n  dump_images: [\"" +
           image + "\"]\n";
}

// A named volume the scenario removes with the rest.
std::string volume(const Scenario& s, const std::string& name) {
    const std::string v = "bkvol-" + s.tag() + "-" + name;
    REQUIRE(
        sh("docker volume create --label bk.test=" + s.tag() + " " + v + " >/dev/null").exit_code ==
        0);
    return v;
}

// sqlite3 in a helper container of the test image on `vol` (the app's files are there).
std::string sqlite_in(const std::string& vol, const std::string& db, const std::string& sql) {
    auto r = sh("docker run --rm -v " + vol + ":/data " + test_image("BK_TEST_SQLITE_IMAGE") +
                " sqlite3 " + db + " " + quoted(".timeout 10000") + " " + quoted(sql) + " 2>&1");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::uint64_t number(const std::string& s) {
    return std::stoull(s);
}

void sqlite_round_trip(const std::string& mode) {
    Scenario s(sqlite_config());
    const auto vol = volume(s, "app");
    s.start("app",
            test_image("BK_TEST_SQLITE_IMAGE"),
            {"backupctl.db.type=sqlite", "backupctl.db.path=/data/app.db"},
            {"JOURNAL_MODE=" + mode},
            {},
            "-v " + vol + ":/data");
    const std::string target = s.target("app");
    // The app is writing: some transactions are in before the backup.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sh("docker run --rm -v " + vol + ":/data " + test_image("BK_TEST_SQLITE_IMAGE") +
              " sqlite3 /data/app.db '.timeout 5000' 'SELECT count(*) FROM log' 2>/dev/null")
               .out.find_first_not_of("0\n") == std::string::npos) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    CHECK(sqlite_in(vol, "/data/app.db", "PRAGMA journal_mode") == mode + "\n");

    // Two backups while it writes: each a consistent copy (items = 5 x log in every one).
    for (int i = 0; i < 2; ++i) {
        auto run = s.backupctl("run " + target);
        INFO(run.out);
        REQUIRE(run.exit_code == 0);
    }
    CHECK(s.snapshot_count(target) == 2);
    CHECK(s.leftovers(target) == 0);
    auto copy = sh(s.restic_env() + "restic dump latest --tag target:" + target + " /" + target +
                   "/data/app.db > " + (s.dir() / "copy.db").string() + " 2>&1");
    INFO(copy.out);
    REQUIRE(copy.exit_code == 0);
    const std::string local = "sqlite3 " + (s.dir() / "copy.db").string() + " ";
    CHECK(sh(local + quoted("PRAGMA integrity_check")).out == "ok\n");
    const auto items = number(sh(local + quoted("SELECT count(*) FROM items")).out);
    const auto log = number(sh(local + quoted("SELECT count(*) FROM log")).out);
    CHECK(items > 0);
    CHECK(items == 5 * log);

    // The drill: the copy opens, passes its integrity check, and its tables hold the rows
    // recorded at backup time.
    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    CHECK_THAT(drill.out, Catch::Contains("2 tables equal"));
    CHECK(s.leftovers(target) == 0);

    // The restore: the app is stopped, the file replaced whole, the app started again; the
    // file is the snapshot's (no rows of the app's later writes beyond what it wrote since).
    auto restore = s.backupctl("restore " + target + " --yes --no-safety-backup");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    CHECK(sh("docker inspect -f '{{.State.Running}}' " + s.container("app")).out == "true\n");
    CHECK(sqlite_in(vol, "/data/app.db", "PRAGMA integrity_check") == "ok\n");
    CHECK(sqlite_in(vol, "/data/app.db", "PRAGMA journal_mode") == mode + "\n");
    CHECK(s.leftovers(target) == 0);
}

}  // namespace

TEST_CASE("sqlite in WAL mode: consistent copies while the app writes, drill, restore",
          "[e2e][kinds][sqlite]") {
    sqlite_round_trip("wal");
}

TEST_CASE("sqlite in rollback-journal mode: consistent copies while the app writes, drill, restore",
          "[e2e][kinds][sqlite]") {
    sqlite_round_trip("delete");
}

TEST_CASE("sqlite: a file that is not a database fails clearly and commits nothing",
          "[e2e][kinds][sqlite]") {
    Scenario s(sqlite_config());
    const auto vol = volume(s, "app");
    REQUIRE(sh("docker run --rm -v " + vol + ":/data " + test_image("BK_TEST_SQLITE_IMAGE") +
               " sh -c 'echo \"not a database, just text\" > /data/notes.db'")
                .exit_code == 0);
    s.start("app",
            test_image("BK_TEST_SQLITE_IMAGE"),
            {"backupctl.db.type=sqlite", "backupctl.db.path=/data/notes.db"},
            {},
            "sleep infinity",
            "-v " + vol + ":/data");
    const std::string target = s.target("app");
    auto run = s.backupctl("run " + target);
    INFO(run.out);
    CHECK(run.exit_code != 0);
    CHECK_THAT(run.out, Catch::Contains("not a database"));
    CHECK(s.snapshot_count(target) == 0);
    CHECK(s.leftovers(target) == 0);

    // A file outside any volume cannot be reached by a helper: said, nothing committed.
    Scenario t(sqlite_config());
    t.start("app",
            test_image("BK_TEST_SQLITE_IMAGE"),
            {"backupctl.db.type=sqlite", "backupctl.db.path=/srv/app.db"},
            {},
            "sleep infinity");
    auto outside = t.backupctl("run " + t.target("app"));
    INFO(outside.out);
    CHECK(outside.exit_code != 0);
    CHECK_THAT(outside.out, Catch::Contains("is not on a volume"));
    CHECK(t.snapshot_count(t.target("app")) == 0);
}

namespace {

std::string redis_cli(const Scenario& s, const std::string& service, const std::string& args) {
    auto r = sh("docker exec " + s.container(service) + " redis-cli " + args + " 2>&1");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

void redis_round_trip(bool with_password) {
    Scenario s;
    const std::string auth = with_password ? "-a e2e-redis-secret --no-auth-warning " : "";
    std::vector<std::string> env;
    if (with_password)
        env.push_back("REDIS_PASSWORD=e2e-redis-secret");
    s.start("cache",
            test_image("BK_TEST_REDIS_IMAGE"),
            {},
            env,
            with_password ? "--requirepass e2e-redis-secret" : "");
    s.wait_until("cache", "redis-cli " + auth + "ping");
    for (int i = 0; i < 40; ++i)
        redis_cli(s, "cache", auth + "set key" + std::to_string(i) + " value" + std::to_string(i));
    for (int i = 0; i < 7; ++i)
        redis_cli(s, "cache", auth + "-n 3 set other" + std::to_string(i) + " x");
    const std::string target = s.target("cache");

    auto run = s.backupctl("run " + target);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(s.snapshot_count(target) == 1);
    CHECK(s.leftovers(target) == 0);
    CHECK(run.out.find("e2e-redis-secret") == std::string::npos);

    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    CHECK_THAT(drill.out, Catch::Contains("2 tables equal"));  // db0 and db3
    CHECK(s.leftovers(target) == 0);
    CHECK(drill.out.find("e2e-redis-secret") == std::string::npos);
}

}  // namespace

TEST_CASE("redis with a password: keys in two databases, backup and drill", "[e2e][kinds][redis]") {
    redis_round_trip(true);
}

TEST_CASE("redis without a password: backup and drill", "[e2e][kinds][redis]") {
    redis_round_trip(false);
}

TEST_CASE("redis: kill -9 of the operator mid-dump commits nothing and the next run is whole",
          "[e2e][kinds][redis]") {
    Scenario s;
    s.start("cache", test_image("BK_TEST_REDIS_IMAGE"), {}, {}, "--rdbcompression no");
    s.wait_until("cache", "redis-cli ping");
    // About 300 MB: the dump takes seconds, long enough to be killed in the middle.
    redis_cli(s,
              "cache",
              quoted("EVAL") + " " +
                  quoted("for i=1,300000 do redis.call('SET','k'..i,string.rep('x',1000)) end") +
                  " 0");
    const std::string target = s.target("cache");
    const auto pid_file = (s.dir() / "pid").string();
    REQUIRE(sh(std::string(BK_BACKUPCTL) + " --config " + s.config_path() + " run " + target +
               " >/dev/null 2>&1 & echo $! > " + pid_file)
                .exit_code == 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (s.leftovers(target) == 0) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    REQUIRE(sh("kill -9 $(cat " + pid_file + ")").exit_code == 0);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(s.snapshot_count(target) == 0);

    // The next start finds what the dead run left and cleans it; its own run is whole.
    auto again = s.backupctl("run " + target);
    INFO(again.out);
    REQUIRE(again.exit_code == 0);
    CHECK(s.snapshot_count(target) == 1);
    CHECK(s.leftovers(target) == 0);
    auto history = s.backupctl("history " + target);
    INFO(history.out);
    CHECK_THAT(history.out, Catch::Contains("crashed"));
}
