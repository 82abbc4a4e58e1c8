// `backupctl run` against the real engine, restic and gpg: PostgreSQL and MariaDB round trips
// (data in -> run -> restic dump -> [gpg -d] -> load into a fresh container -> same checksum),
// failures that must leave no snapshot, the lock, retention. Every container and network made
// here carries bk.test=<tag>; each test removes its own.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/process.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

using bk::testing::quoted;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

const char* kPgChecksum =
    "SELECT md5(string_agg(id::text || ':' || name || ':' || amount::text, ',' ORDER BY id)) FROM "
    "items";

std::string psql(const Scenario& s,
                 const std::string& service,
                 const std::string& db,
                 const std::string& sql) {
    auto r = sh("docker exec " + s.container(service) + " psql -qtA -U postgres -d " + db + " -c " +
                quoted(sql));
    REQUIRE(r.exit_code == 0);
    return r.out;
}

void pg_round_trip(bool with_gpg) {
    std::string extra;
    bk::testing::TempDir keys;
    const std::string home = (keys.path() / "gnupg").string();
    if (with_gpg) {
        std::filesystem::create_directory(home);
        std::filesystem::permissions(home, std::filesystem::perms::owner_all);
        REQUIRE(
            sh("gpg --homedir " + home +
               " --batch --pinentry-mode loopback --passphrase '' "
               "--quick-gen-key 'backupctl e2e <e2e@example.test>' future-default default never "
               ">/dev/null 2>&1")
                .exit_code == 0);
        REQUIRE(sh("gpg --homedir " + home + " --armor --export > " +
                   (keys.path() / "pub.asc").string())
                    .exit_code == 0);
        extra = "keys:\n  e2e:\n    public_key_file: " + (keys.path() / "pub.asc").string() + "\n";
    }
    Scenario s(extra);
    const std::string pg = test_image("BK_TEST_POSTGRES_IMAGE");
    std::vector<std::string> labels{"backupctl.db.name=shop", "backupctl.retention=last=5"};
    if (with_gpg)
        labels.push_back("backupctl.encrypt=e2e");
    s.start("db", pg, labels, {"POSTGRES_PASSWORD=e2e-pg-secret", "POSTGRES_DB=shop"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    psql(s,
         "db",
         "shop",
         "CREATE TABLE items (id int PRIMARY KEY, name text, amount numeric(10,2)); "
         "INSERT INTO items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 5000) g;");
    const std::string before = psql(s, "db", "shop", kPgChecksum);

    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains(s.target("db") + ": success"));
    CHECK(run.out.find("e2e-pg-secret") == std::string::npos);
    CHECK(s.snapshot_count(s.target("db")) == 1);
    CHECK(s.leftovers(s.target("db")) == 0);

    // Restore into a fresh server of the same image and compare.
    s.start(
        "fresh", pg, {"backupctl.enable=false"}, {"POSTGRES_PASSWORD=other", "POSTGRES_DB=shop"});
    s.wait_until("fresh", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    const std::string decrypt =
        with_gpg ? " | gpg --homedir " + home +
                       " --batch --quiet --pinentry-mode loopback --passphrase '' -d"
                 : "";
    auto load =
        sh("bash -c " +
           quoted("set -o pipefail; " + s.restic_env() + "restic dump latest /" + s.target("db") +
                  "/shop.sql" + decrypt + " | docker exec -i " + s.container("fresh") +
                  " psql -q -v ON_ERROR_STOP=1 -U postgres -d shop >/dev/null"));
    REQUIRE(load.exit_code == 0);
    CHECK(psql(s, "fresh", "shop", kPgChecksum) == before);
    if (with_gpg) {
        // The stored bytes are OpenPGP, not SQL.
        auto raw = sh(s.restic_env() + "restic dump latest /" + s.target("db") +
                      "/shop.sql | head -c 64 | grep -c 'CREATE' || true");
        CHECK(raw.out.find('0') == 0);
    }
    auto history = s.backupctl("history --json " + s.target("db"));
    REQUIRE(history.exit_code == 0);
    auto h = nlohmann::json::parse(history.out);
    REQUIRE(h.size() == 1);
    CHECK(h[0]["status"] == "success");
    CHECK(history.out.find("e2e-pg-secret") == std::string::npos);
}

}  // namespace

TEST_CASE("postgres round trip without gpg", "[e2e][run]") {
    pg_round_trip(false);
}

TEST_CASE("postgres round trip through gpg", "[e2e][run]") {
    pg_round_trip(true);
}

TEST_CASE("mariadb round trip", "[e2e][run]") {
    Scenario s;
    const std::string maria = test_image("BK_TEST_MARIADB_IMAGE");
    s.start("db", maria, {}, {"MARIADB_ROOT_PASSWORD=e2e-maria-secret", "MARIADB_DATABASE=app"});
    const std::string cli = "mariadb -uroot -pe2e-maria-secret -h 127.0.0.1";
    s.wait_until("db", cli + " -e 'select 1'");
    auto exec_sql = [&s, &cli](const std::string& service, const std::string& sql) {
        auto r = sh("docker exec " + s.container(service) + " " + cli + " -N -e " + quoted(sql));
        REQUIRE(r.exit_code == 0);
        return r.out;
    };
    exec_sql("db",
             "USE app; CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64)); "
             "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_3000;");
    const std::string checksum =
        "SET SESSION group_concat_max_len = 10000000; "
        "SELECT MD5(GROUP_CONCAT(CONCAT(id, ':', name) ORDER BY id)) FROM app.items;";
    const std::string before = exec_sql("db", checksum);

    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find("e2e-maria-secret") == std::string::npos);
    CHECK(s.snapshot_count(s.target("db")) == 1);
    CHECK(s.leftovers(s.target("db")) == 0);

    s.start("fresh", maria, {"backupctl.enable=false"}, {"MARIADB_ROOT_PASSWORD=e2e-maria-secret"});
    s.wait_until("fresh", cli + " -e 'select 1'");
    auto load =
        sh("bash -c " +
           quoted("set -o pipefail; " + s.restic_env() + "restic dump latest /" + s.target("db") +
                  "/app.sql | docker exec -i " + s.container("fresh") + " " + cli));
    REQUIRE(load.exit_code == 0);
    CHECK(exec_sql("fresh", checksum) == before);
}

TEST_CASE("a postgres database named like a connection string is dumped by its name",
          "[e2e][run][security]") {
    // pg_dump -d reads a value with '=' as a conninfo: "dbname=postgres" would dump another
    // database (or "host=..." another server) under this target's name (audit L3).
    Scenario s;
    const std::string pg = test_image("BK_TEST_POSTGRES_IMAGE");
    s.start("db",
            pg,
            {"backupctl.db.name=dbname=postgres"},
            {"POSTGRES_PASSWORD=e2e-pg-secret", "POSTGRES_DB=dbname=postgres"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d postgres");
    psql(s, "db", quoted("dbname='dbname=postgres'"), "CREATE TABLE marker_named (id int)");
    psql(s, "db", "postgres", "CREATE TABLE marker_other (id int)");

    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    auto dump = sh(s.restic_env() + "restic dump latest " +
                   quoted("/" + s.target("db") + "/dbname=postgres.sql"));
    REQUIRE(dump.exit_code == 0);
    CHECK(dump.out.find("marker_named") != std::string::npos);
    CHECK(dump.out.find("marker_other") == std::string::npos);

    // The restore loads it into that database too (psql's \connect reads such a name as a
    // conninfo as well), not into "postgres".
    const std::string named = quoted("dbname='dbname=postgres'");
    psql(s, "db", named, "DROP TABLE marker_named");
    auto restore = s.backupctl("restore " + s.target("db") + " --yes --no-safety-backup");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    const std::string tables =
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM "
        "pg_tables WHERE tablename LIKE 'marker%'";
    CHECK(psql(s, "db", named, tables) == "marker_named\n");
    CHECK(psql(s, "db", "postgres", tables) == "marker_other\n");
}

TEST_CASE("a failed or truncated or killed dump never becomes a snapshot", "[e2e][run][failure]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    const std::string fake = test_image("BK_TEST_FAKEDUMP_IMAGE");
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    // A stand-in target: the fake pg_dump does not connect anywhere.
    for (const char* mode : {"truncated", "failing", "hang", "ok"}) {
        s.start(mode,
                base,
                {"backupctl.db.type=postgres",
                 std::string("backupctl.db.name=") + mode,
                 "backupctl.db.image=" + fake},
                {"POSTGRES_PASSWORD=e2e-fake-secret"},
                "sleep 600");
    }
    // The control case proves the fake image can produce a snapshot at all.
    auto ok = s.backupctl("run " + s.target("ok"));
    INFO(ok.out);
    REQUIRE(ok.exit_code == 0);
    CHECK(s.snapshot_count(s.target("ok")) == 1);

    auto truncated = s.backupctl("run " + s.target("truncated"));
    INFO(truncated.out);
    CHECK(truncated.exit_code == 1);
    CHECK_THAT(truncated.out, Catch::Contains("without its completion marker"));
    CHECK(s.snapshot_count(s.target("truncated")) == 0);

    auto failing = s.backupctl("run " + s.target("failing"));
    INFO(failing.out);
    CHECK(failing.exit_code == 1);
    CHECK_THAT(failing.out,
               Catch::Contains("the dump exited 1: pg_dump: error: simulated failure"));
    CHECK(s.snapshot_count(s.target("failing")) == 0);

    // Killed mid-stream: run in the background, kill the dump container once it streams.
    bk::testing::Process hang({BK_BACKUPCTL, "--config", s.config_path(), "run", s.target("hang")},
                              s.dir() / "hang.out");
    std::string dump_id;
    REQUIRE(bk::testing::eventually(
        [&] {
            dump_id =
                sh("docker ps -q --filter label=backupctl.for-target=" + s.target("hang")).out;
            return !dump_id.empty();
        },
        std::chrono::seconds(60)));
    // The dump container as the engine shows it to anyone: no password in env, argv or labels.
    auto inspected = sh("docker inspect " + dump_id.substr(0, 12));
    REQUIRE(inspected.exit_code == 0);
    CHECK(inspected.out.find("e2e-fake-secret") == std::string::npos);
    CHECK_THAT(inspected.out, Catch::Contains("\"PGPASSFILE=/tmp/backupctl.pgpass\""));
    CHECK_THAT(inspected.out, Catch::Contains("\"Type\": \"none\""));
    sh("docker kill " + dump_id.substr(0, 12) + " >/dev/null");
    INFO(hang.log());
    CHECK(hang.wait(std::chrono::seconds(60)) == 1);
    CHECK(s.snapshot_count(s.target("hang")) == 0);

    for (const char* mode : {"truncated", "failing", "hang", "ok"}) {
        CHECK(s.leftovers(s.target(mode)) == 0);
    }
    auto history = s.backupctl("history --failed --json");
    CHECK(nlohmann::json::parse(history.out).size() == 3);
    CHECK(history.out.find("e2e-fake-secret") == std::string::npos);
}

TEST_CASE("a wrong password fails the run and leaves the snapshots as they were",
          "[e2e][run][failure]") {
    Scenario s;
    const std::string pg = test_image("BK_TEST_POSTGRES_IMAGE");
    s.start("db",
            pg,
            {"backupctl.db.password-env=WRONG_PASSWORD"},
            {"POSTGRES_PASSWORD=e2e-right", "WRONG_PASSWORD=e2e-wrong", "POSTGRES_DB=shop"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    // The dry run finds it first: it connects from a dump container with the same credentials.
    auto dry = s.backupctl("run --dry-run " + s.target("db"));
    INFO(dry.out);
    CHECK(dry.exit_code == 4);
    CHECK_THAT(dry.out, Catch::Contains("FAIL  database reachable from a dump container"));
    CHECK_THAT(dry.out, Catch::Contains("password authentication failed"));
    CHECK_THAT(dry.out, Catch::Contains("ok    disk space "));
    CHECK(dry.out.find("e2e-wrong") == std::string::npos);
    CHECK(s.leftovers(s.target("db")) == 0);
    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.out, Catch::Contains("password authentication failed"));
    CHECK(run.out.find("e2e-wrong") == std::string::npos);
    CHECK(s.snapshot_count(s.target("db")) == 0);
    CHECK(s.leftovers(s.target("db")) == 0);
}

TEST_CASE("retention keeps what it says and a locked target is skipped", "[e2e][run]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    const std::string fake = test_image("BK_TEST_FAKEDUMP_IMAGE");
    s.start("db",
            test_image("BK_TEST_BASE_IMAGE"),
            {"backupctl.db.type=postgres",
             "backupctl.db.name=ok",
             "backupctl.db.image=" + fake,
             "backupctl.retention=last=2"},
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    for (int i = 0; i < 5; ++i) {
        auto r = s.backupctl("run " + s.target("db"));
        INFO(r.out);
        REQUIRE(r.exit_code == 0);
    }
    CHECK(s.snapshot_count(s.target("db")) == 2);

    // prune waits while a snapshot is being written (the repository's shared lock is held),
    // then runs alone.
    const auto gate_file = (s.dir() / "state" / "locks" / "repository-default.lock").string();
    const int gate = ::open(gate_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(gate >= 0);
    REQUIRE(::flock(gate, LOCK_SH | LOCK_NB) == 0);
    bk::testing::Process prune({BK_BACKUPCTL, "--config", s.config_path(), "prune"},
                               s.dir() / "prune.out");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(prune.running());
    ::close(gate);
    const int prune_code = prune.wait(std::chrono::seconds(60));
    INFO(prune.log());
    CHECK(prune_code == 0);
    CHECK_THAT(prune.log(), Catch::Contains("default: ok"));
    CHECK(sh(s.restic_env() + "restic check >/dev/null 2>&1").exit_code == 0);
    CHECK(s.snapshot_count(s.target("db")) == 2);

    // Another run holds the target's lock: this one is skipped with exit 2.
    const auto lock_dir = s.dir() / "state" / "locks";
    std::filesystem::create_directories(lock_dir);
    const auto lock_file = (lock_dir / (s.target("db") + ".lock")).string();
    const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    auto skipped = s.backupctl("run " + s.target("db"));
    ::close(fd);
    INFO(skipped.out);
    CHECK(skipped.exit_code == 2);
    CHECK_THAT(skipped.out, Catch::Contains("skipped"));
    CHECK(s.snapshot_count(s.target("db")) == 2);
}

TEST_CASE("a password in a *_FILE of the target is read through the engine", "[e2e][run]") {
    Scenario s;
    const std::string maria = test_image("BK_TEST_MARIADB_IMAGE");
    const auto secret = s.dir() / "root_password";
    std::ofstream(secret) << "e2e-file-secret\n";
    std::filesystem::permissions(secret,
                                 std::filesystem::perms::owner_read |
                                     std::filesystem::perms::group_read |
                                     std::filesystem::perms::others_read);
    REQUIRE(
        sh("docker run -d --name " + s.container("db") + " --network bkrun-" + s.tag() +
           "_default --label bk.test=" + s.tag() + " --label com.docker.compose.project=bkrun-" +
           s.tag() + " --label com.docker.compose.service=db --label backupctl.enable=true" +
           " -v " + secret.string() + ":/run/secrets/root_password:ro" +
           " -e MARIADB_ROOT_PASSWORD_FILE=/run/secrets/root_password -e MARIADB_DATABASE=app " +
           maria + " >/dev/null")
            .exit_code == 0);
    s.wait_until("db", "mariadb -uroot -pe2e-file-secret -h 127.0.0.1 -e 'select 1'");
    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find("e2e-file-secret") == std::string::npos);
    CHECK(s.snapshot_count(s.target("db")) == 1);
    auto dump = sh(s.restic_env() + "restic dump latest /" + s.target("db") + "/app.sql");
    CHECK_THAT(dump.out, Catch::Contains("CREATE DATABASE"));
    CHECK_THAT(dump.out, Catch::Contains("-- Dump completed"));
}

TEST_CASE("volumes become a files snapshot, byte-exact, and a stopped target is started again",
          "[e2e][run][files]") {
    Scenario s;
    const std::string volume = "bkrun-vol-" + s.tag();
    REQUIRE(sh("docker volume create --label bk.test=" + s.tag() + " " + volume + " >/dev/null")
                .exit_code == 0);
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    REQUIRE(
        sh("docker run -d --name " + s.container("app") + " --network bkrun-" + s.tag() +
           "_default --label bk.test=" + s.tag() + " --label com.docker.compose.project=bkrun-" +
           s.tag() + " --label com.docker.compose.service=app --label backupctl.enable=true" +
           " --label backupctl.volumes=" + volume + " --label backupctl.stop-during-backup=true" +
           " -v " + volume + ":/srv/uploads " + base + " sleep 600 >/dev/null")
            .exit_code == 0);
    REQUIRE(sh("docker exec " + s.container("app") +
               " sh -c 'mkdir -p /srv/uploads/a/b && "
               "head -c 3000000 /dev/urandom > /srv/uploads/a/b/blob.bin && echo hello > "
               "/srv/uploads/note.txt'")
                .exit_code == 0);
    const std::string want = sh("docker exec " + s.container("app") +
                                " sha256sum /srv/uploads/a/b/blob.bin | cut -c1-64")
                                 .out;

    auto run = s.backupctl("run " + s.target("app"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(s.snapshot_count(s.target("app")) == 1);
    // It was running before, so it runs again.
    CHECK(sh("docker inspect -f '{{.State.Running}}' " + s.container("app")).out == "true\n");
    auto history = nlohmann::json::parse(s.backupctl("history --json " + s.target("app")).out);
    REQUIRE(history.size() == 1);
    std::vector<std::string> steps;
    for (const auto& st : history[0]["steps"])
        steps.push_back(st["name"]);
    CHECK(steps ==
          std::vector<std::string>{
              "provenance", "stop target", "files /srv/uploads", "start target", "retention"});

    const auto out = s.dir() / "restore";
    std::filesystem::create_directories(out);
    auto extract = sh("bash -c " + quoted("set -o pipefail; " + s.restic_env() +
                                          "restic dump latest /" + s.target("app") +
                                          "/files/srv-uploads.tar | tar -x -C " + out.string()));
    REQUIRE(extract.exit_code == 0);
    CHECK(sh("sha256sum " + (out / "uploads/a/b/blob.bin").string() + " | cut -c1-64").out == want);
    std::ifstream note(out / "uploads/note.txt");
    std::string line;
    std::getline(note, line);
    CHECK(line == "hello");
}

TEST_CASE("kill -9 of the operator during the dump stream leaves no snapshot",
          "[e2e][run][failure]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    s.start("db",
            test_image("BK_TEST_BASE_IMAGE"),
            {"backupctl.db.type=postgres",
             "backupctl.db.name=hang",
             "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE")},
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
    // The repository exists first, so that only the killed run could add a snapshot.
    REQUIRE(sh(s.restic_env() + "restic init >/dev/null 2>&1").exit_code == 0);
    bk::testing::Process run({BK_BACKUPCTL, "--config", s.config_path(), "run", s.target("db")},
                             s.dir() / "run.out");
    // Wait until restic is reading the stream (the fake dump has written 1 MiB and waits).
    // "[s]" keeps pgrep from matching the shell that runs it.
    const std::string restic_pattern = "[s]tdin-filename " + s.target("db") + "/hang.sql";
    REQUIRE(bk::testing::eventually(
        [&] {
            return sh("pgrep -f " + quoted(restic_pattern) + " >/dev/null").exit_code == 0 &&
                   !sh("docker ps -q --filter label=backupctl.for-target=" + s.target("db"))
                        .out.empty();
        },
        std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let bytes flow into restic
    run.signal(SIGKILL);
    CHECK(run.wait(std::chrono::seconds(10)) == -SIGKILL);
    // restic dies with it instead of reading a clean EOF and committing the partial dump.
    CHECK(bk::testing::eventually(
        [&] { return sh("pgrep -f " + quoted(restic_pattern) + " >/dev/null").exit_code != 0; },
        std::chrono::seconds(30)));
    CHECK(s.snapshot_count(s.target("db")) == 0);
    // What the dead process left (its dump container) is for crash recovery; this test cleans it.
    sh("docker ps -aq --filter label=backupctl.for-target=" + s.target("db") +
       " | xargs -r docker rm -f -v >/dev/null 2>&1");
}

TEST_CASE("hooks run inside the target, the post-hook also after a failed pre-hook",
          "[e2e][run][hooks]") {
    Scenario s(
        "security:\n  allow_label_hooks: true\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    const std::string fake = test_image("BK_TEST_FAKEDUMP_IMAGE");
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    for (const char* svc : {"good", "bad"}) {
        const bool bad = std::string(svc) == "bad";
        s.start(svc,
                base,
                {"backupctl.db.type=postgres",
                 "backupctl.db.name=ok",
                 "backupctl.db.image=" + fake,
                 std::string("backupctl.hooks.pre=") +
                     (bad ? "sh -c 'echo pre >> /tmp/hooks.log; exit 7'"
                          : "sh -c 'echo pre >> /tmp/hooks.log'"),
                 "backupctl.hooks.post=sh -c 'echo post >> /tmp/hooks.log'"},
                {"POSTGRES_PASSWORD=x"},
                "sleep 600");
    }
    auto good = s.backupctl("run " + s.target("good"));
    INFO(good.out);
    CHECK(good.exit_code == 0);
    CHECK(sh("docker exec " + s.container("good") + " cat /tmp/hooks.log").out == "pre\npost\n");
    CHECK(s.snapshot_count(s.target("good")) == 1);

    auto bad = s.backupctl("run " + s.target("bad"));
    INFO(bad.out);
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.out, Catch::Contains("pre-hook exited 7"));
    CHECK(sh("docker exec " + s.container("bad") + " cat /tmp/hooks.log").out == "pre\npost\n");
    CHECK(s.snapshot_count(s.target("bad")) == 0);
}

// No MongoDB server is packaged here: the fake mongodump prints an archive built by the format
// specification, and the real engine, restic and the archive check do the rest.
TEST_CASE(
    "mongodb: a whole archive becomes a snapshot byte for byte and a cut one never does and it "
    "restores",
    "[e2e][run][mongo]") {
    Scenario s("security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n");
    const std::string fake = test_image("BK_TEST_FAKEDUMP_IMAGE");
    const std::string base = test_image("BK_TEST_BASE_IMAGE");
    for (const char* mode : {"ok", "truncated", "failing"}) {
        // The password through *_FILE, as the official image allows.
        s.start(
            mode,
            base,
            {"backupctl.db.type=mongodb",
             std::string("backupctl.db.name=") + mode,
             "backupctl.db.image=" + fake},
            {"MONGO_INITDB_ROOT_USERNAME=root", "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/mongo-pw"},
            "sh -c 'echo e2e-mongo-secret > /run/mongo-pw; exec sleep 600'");
        s.wait_until(mode, "test -s /run/mongo-pw");
    }
    auto ok = s.backupctl("run " + s.target("ok"));
    INFO(ok.out);
    REQUIRE(ok.exit_code == 0);
    CHECK(s.snapshot_count(s.target("ok")) == 1);
    const std::string sample =
        std::string(BK_SOURCE_DIR) + "/tests/images/fakedump/sample.mongo.archive";
    auto stored = sh(s.restic_env() + "restic dump latest /" + s.target("ok") +
                     "/ok.archive | sha256sum | cut -c1-64");
    CHECK(stored.out == sh("sha256sum " + sample + " | cut -c1-64").out);

    auto truncated = s.backupctl("run " + s.target("truncated"));
    INFO(truncated.out);
    CHECK(truncated.exit_code == 1);
    CHECK_THAT(truncated.out, Catch::Contains("without its completion marker"));
    CHECK_THAT(truncated.out, Catch::Contains("archive check: the stream ended"));
    CHECK(s.snapshot_count(s.target("truncated")) == 0);

    auto failing = s.backupctl("run " + s.target("failing"));
    INFO(failing.out);
    CHECK(failing.exit_code == 1);
    CHECK_THAT(failing.out, Catch::Contains("Failed: simulated failure"));
    CHECK(s.snapshot_count(s.target("failing")) == 0);

    for (const char* mode : {"ok", "truncated", "failing"}) {
        CHECK(s.leftovers(s.target(mode)) == 0);
    }
    CHECK(ok.out.find("e2e-mongo-secret") == std::string::npos);
    CHECK(s.backupctl("history --json").out.find("e2e-mongo-secret") == std::string::npos);

    // Restore: the snapshot streams back into a mongorestore of the dump image (the stand-in
    // accepts only the sample archive, byte for byte, with the password from its --config).
    auto restore = s.backupctl("restore " + s.target("ok") + " --yes --no-safety-backup");
    INFO(restore.out);
    CHECK(restore.exit_code == 0);
    CHECK_THAT(restore.out, Catch::Contains("db ok from"));
    CHECK(restore.out.find("e2e-mongo-secret") == std::string::npos);
    CHECK(s.leftovers(s.target("ok")) == 0);
}
