// `backupctl restore` and `verify` against the real engine, restic and gpg: data in -> backup ->
// data changed -> restore -> the backed-up state again, for PostgreSQL and MariaDB with and
// without gpg; files byte-exact; drills that pass on a good snapshot and fail, leaving the target
// untouched, on a truncated or tampered one; a target never restores another target's snapshot.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "support/process.hpp"
#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::quoted;
using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

// A passphrase-protected key pair and the config that names it.
struct Keys {
    bk::testing::TempDir dir;
    std::string home() const { return (dir.path() / "gnupg").string(); }
    std::string config() const {
        return "keys:\n  e2e:\n    public_key_file: " + (dir.path() / "pub.asc").string() +
               "\n    private_key_file: " + (dir.path() / "sec.asc").string() +
               "\n    passphrase_file: " + (dir.path() / "pass").string() + "\n";
    }
    Keys() {
        std::filesystem::create_directory(home());
        std::filesystem::permissions(home(), std::filesystem::perms::owner_all);
        std::ofstream(dir.path() / "pass") << "e2e-key-passphrase\n";
        const std::string g = "gpg --homedir " + home() +
                              " --batch --pinentry-mode loopback --passphrase e2e-key-passphrase ";
        REQUIRE(sh(g + "--quick-gen-key 'backupctl e2e <e2e@example.test>' future-default default "
                       "never >/dev/null 2>&1")
                    .exit_code == 0);
        REQUIRE(sh(g + "--armor --export > " + (dir.path() / "pub.asc").string()).exit_code == 0);
        REQUIRE(sh(g + "--armor --export-secret-keys > " + (dir.path() / "sec.asc").string())
                    .exit_code == 0);
        sh("gpgconf --homedir " + home() + " --kill gpg-agent");
    }
};

// SQL through the server's own client inside a container.
struct Db {
    const Scenario& s;
    bool maria;
    std::string exec(const std::string& container, const std::string& sql) const {
        const std::string cli = maria ? "mariadb -uroot -pe2e-db-secret -h 127.0.0.1 -N app -e "
                                      : "psql -qtA -U postgres -d app -c ";
        auto r = sh("docker exec " + container + " " + cli + quoted(sql));
        INFO(r.out);
        REQUIRE(r.exit_code == 0);
        return r.out;
    }
    std::string checksum(const std::string& container) const {
        return exec(
            container,
            maria ? "SET SESSION group_concat_max_len = 10000000; "
                    "SELECT MD5(GROUP_CONCAT(CONCAT(id, ':', name) ORDER BY id)) FROM items"
                  : "SELECT md5(string_agg(id::text || ':' || name, ',' ORDER BY id)) FROM items");
    }
    void start(Scenario& sc,
               const std::string& service,
               const std::vector<std::string>& labels) const {
        if (maria) {
            sc.start(service,
                     test_image("BK_TEST_MARIADB_IMAGE"),
                     labels,
                     {"MARIADB_ROOT_PASSWORD=e2e-db-secret", "MARIADB_DATABASE=app"});
            sc.wait_until(service, "mariadb -uroot -pe2e-db-secret -h 127.0.0.1 -e 'select 1'");
        } else {
            sc.start(service,
                     test_image("BK_TEST_POSTGRES_IMAGE"),
                     labels,
                     {"POSTGRES_PASSWORD=e2e-db-secret", "POSTGRES_DB=app"});
            sc.wait_until(service, "pg_isready -q -h 127.0.0.1 -U postgres -d app");
        }
        exec(sc.container(service),
             maria ? "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64)); CREATE TABLE "
                     "empty_t (x INT); "
                     "INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_3000;"
                   : "CREATE TABLE items (id int PRIMARY KEY, name text); CREATE TABLE empty_t (x "
                     "int); "
                     "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 3000) g;");
    }
};

std::string restored_container(const std::string& target) {
    return sh("docker ps -a --filter label=backupctl.restored-from=" + target +
              " --format '{{.Names}}'")
        .out;
}

void round_trip(bool maria, bool with_gpg) {
    std::optional<Keys> keys;
    if (with_gpg)
        keys.emplace();
    Scenario s(with_gpg ? keys->config() : std::string{});
    Db db{s, maria};
    std::vector<std::string> labels;
    if (with_gpg)
        labels.push_back("backupctl.encrypt=e2e");
    db.start(s, "db", labels);
    const std::string target = s.target("db");
    const std::string before = db.checksum(s.container("db"));

    auto run = s.backupctl("run " + target);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);

    // The data changes after the backup; the restore brings the backed-up state back.
    db.exec(s.container("db"), "DELETE FROM items WHERE id > 10; CREATE TABLE junk (x int);");
    REQUIRE(db.checksum(s.container("db")) != before);
    auto refused = s.backupctl("restore " + target + " < /dev/null");
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.out, Catch::Contains("add --yes"));
    auto restore = s.backupctl("restore " + target + " --yes");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    CHECK_THAT(restore.out, Catch::Contains("safety backup"));
    CHECK(db.checksum(s.container("db")) == before);
    CHECK(db.exec(s.container("db"),
                  maria ? "SHOW TABLES LIKE 'junk'"
                        : "SELECT count(*) FROM pg_tables WHERE tablename = 'junk'") ==
          (maria ? "" : "0\n"));
    CHECK(restore.out.find("e2e-db-secret") == std::string::npos);
    CHECK(restore.out.find("e2e-key-passphrase") == std::string::npos);
    CHECK(s.snapshot_count(target) == 2);  // the backup and the safety backup
    CHECK(s.leftovers(target) == 0);

    // "latest" is still the backup, not the safety backup of the changed state.
    auto again = s.backupctl("restore " + target + " --new-container --no-safety-backup");
    INFO(again.out);
    REQUIRE(again.exit_code == 0);
    const std::string made = restored_container(target);
    REQUIRE(!made.empty());
    const std::string name = made.substr(0, made.find('\n'));
    CHECK_THAT(again.out, Catch::Contains("new container: " + name));
    CHECK(db.checksum(name) == before);
    // The copy carries backupctl.restored-from: discover lists it as ignored, never as an
    // invalid target (which made `validate` exit 3 for as long as it stood).
    auto inventory = s.backupctl("discover --json");
    REQUIRE(inventory.exit_code == 0);
    const auto discovered = nlohmann::json::parse(inventory.out);
    bool listed = false;
    for (const auto& c : discovered["containers"]) {
        if (c["container"] != name)
            continue;
        listed = true;
        CHECK(c["disposition"] == "ignored");
        CHECK(c["problems"].empty());
    }
    CHECK(listed);
    sh("docker rm -f -v " + name + " >/dev/null");

    // The drill: passes, with the row counts of the backup, and leaves nothing behind.
    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    CHECK_THAT(drill.out, Catch::Contains("2 tables equal"));
    CHECK(s.leftovers(target) == 0);
    CHECK(
        sh("docker network ls -q --filter label=backupctl.for-target=" + target + " | wc -l").out ==
        "0\n");
    auto status = nlohmann::json::parse(s.backupctl("status --json").out);
    bool seen = false;
    for (const auto& t : status) {
        if (t["target"] != target)
            continue;
        seen = true;
        CHECK(t["drill"]["status"] == "success");
        CHECK(t["drill"]["restore_seconds"].get<double>() > 0);
    }
    CHECK(seen);
    auto history = nlohmann::json::parse(s.backupctl("history --json " + target).out);
    int restores = 0;
    for (const auto& r : history)
        restores += r["kind"] == "restore" ? 1 : 0;
    CHECK(restores == 2);
}

}  // namespace

TEST_CASE("postgres: restore into the target and into a new container and the drill passes",
          "[e2e][restore]") {
    round_trip(false, false);
}

TEST_CASE("postgres through gpg: restore and drill", "[e2e][restore]") {
    round_trip(false, true);
}

TEST_CASE("mariadb: restore into the target and into a new container and the drill passes",
          "[e2e][restore]") {
    round_trip(true, false);
}

TEST_CASE("mariadb through gpg: restore and drill", "[e2e][restore]") {
    round_trip(true, true);
}

TEST_CASE("a truncated or tampered snapshot fails the drill and is never applied",
          "[e2e][restore][failure]") {
    Keys keys;
    Scenario s(keys.config());
    Db db{s, false};
    db.start(s, "db", {"backupctl.encrypt=e2e"});
    const std::string target = s.target("db");
    REQUIRE(s.backupctl("run " + target).exit_code == 0);
    auto snaps = nlohmann::json::parse(s.backupctl("snapshots --json " + target).out);
    REQUIRE(snaps.size() == 1);
    const std::string good = snaps[0]["id"];
    const std::string before = db.checksum(s.container("db"));
    const std::string path = "/" + target + "/app.sql";
    const std::string tags =
        "--tag target:" + target + " --tag kind:db --tag db:app --host backupctl";
    auto id_of = [](const std::string& json_lines) {
        std::string id;
        std::istringstream in(json_lines);
        std::string line;
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("message_type", "") == "summary")
                id = j["snapshot_id"];
        }
        return id;
    };
    // Tampered: one byte in the middle of the gpg stream flipped, stored by hand.
    auto tampered =
        sh("bash -c " +
           quoted("set -o pipefail; " + s.restic_env() + "restic dump " + good + " " + path +
                  " > " + (s.dir() / "enc").string() +
                  " && python3 -c \"import sys; b=bytearray(open(sys.argv[1],'rb').read()); "
                  "b[len(b)//2]^=1; open(sys.argv[1],'wb').write(b)\" " +
                  (s.dir() / "enc").string() + " && " + s.restic_env() +
                  "restic backup --json --stdin --stdin-filename " + target + "/app.sql " + tags +
                  " --tag gpg:e2e < " + (s.dir() / "enc").string()));
    REQUIRE(tampered.exit_code == 0);
    const std::string tampered_id = id_of(tampered.out);
    REQUIRE(!tampered_id.empty());
    auto drill = s.backupctl("verify " + target + " --snapshot " + tampered_id.substr(0, 8));
    INFO(drill.out);
    CHECK(drill.exit_code == 1);
    CHECK_THAT(drill.out, Catch::Contains("gpg"));
    // Into the live target: checked first, so nothing changes.
    db.exec(s.container("db"), "INSERT INTO items VALUES (100000, 'after the backup')");
    const std::string changed = db.checksum(s.container("db"));
    auto restore = s.backupctl("restore " + target + " --yes --no-safety-backup --snapshot " +
                               tampered_id.substr(0, 8));
    INFO(restore.out);
    CHECK(restore.exit_code == 1);
    CHECK_THAT(restore.out, Catch::Contains("nothing was changed"));
    CHECK(db.checksum(s.container("db")) == changed);

    // Truncated: the plain dump cut short, encrypted and stored by hand.
    auto cut = sh(
        "bash -c " +
        quoted("set -o pipefail; " + s.restic_env() + "restic dump " + good + " " + path +
               " | gpg --homedir " + keys.home() +
               " --batch --quiet --pinentry-mode loopback --passphrase e2e-key-passphrase -d"
               " > " +
               (s.dir() / "plain").string() +  // whole first: head closing early would fail gpg -d
               " && head -c 20000 " + (s.dir() / "plain").string() + " | gpg --homedir " +
               keys.home() + " --batch --yes --trust-model always --recipient-file " +
               (keys.dir.path() / "pub.asc").string() + " --compress-algo none --encrypt | " +
               s.restic_env() + "restic backup --json --stdin --stdin-filename " + target +
               "/app.sql " + tags + " --tag gpg:e2e"));
    REQUIRE(cut.exit_code == 0);
    const std::string cut_id = id_of(cut.out);
    REQUIRE(!cut_id.empty());
    auto drill2 = s.backupctl("verify " + target + " --snapshot " + cut_id.substr(0, 8));
    INFO(drill2.out);
    CHECK(drill2.exit_code == 1);
    CHECK_THAT(drill2.out, Catch::Contains("completion marker"));
    CHECK(db.checksum(s.container("db")) == changed);
    CHECK(s.leftovers(target) == 0);
    CHECK(
        sh("docker network ls -q --filter label=backupctl.for-target=" + target + " | wc -l").out ==
        "0\n");
    sh("gpgconf --homedir " + keys.home() + " --kill gpg-agent");
}

// Tables whose names the drill's row counts must survive: quotes, " (", ";", psql's and the
// mysql client's "\!" (a shell command, were a name ever read as client input).
void hostile_table_names(bool maria) {
    Scenario s;
    Db db{s, maria};
    db.start(s, "db", {});
    const std::vector<std::string> names{
        "a (b", "q\"; \\! touch /tmp/bk-pwned; --", "Upper Case", "x`y; \\! id", "c\\"};
    std::string sql;
    int rows = 0;
    for (const auto& n : names) {
        std::string q = maria ? "`" : "\"";
        for (char c : n) {
            q += c;
            if (c == (maria ? '`' : '"'))
                q += c;
        }
        q += maria ? "`" : "\"";
        ++rows;
        sql += "CREATE TABLE " + q + " (x int); INSERT INTO " + q + " VALUES (1)";
        for (int i = 1; i < rows; ++i)
            sql += ",(1)";
        sql += "; ";
    }
    db.exec(s.container("db"), sql);
    const std::string target = s.target("db");
    auto run = s.backupctl("run " + target);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    CHECK_THAT(drill.out, Catch::Contains(std::to_string(names.size() + 2) + " tables equal"));
    CHECK(s.leftovers(target) == 0);
}

TEST_CASE("postgres: the drill counts the rows of tables with hostile names",
          "[e2e][restore][drill]") {
    hostile_table_names(false);
}

TEST_CASE("mariadb: the drill counts the rows of tables with hostile names",
          "[e2e][restore][drill]") {
    hostile_table_names(true);
}

TEST_CASE("two targets in one repository: a restore takes only its own target's snapshots",
          "[e2e][restore]") {
    Scenario s;
    Db db{s, false};
    db.start(s, "one", {});
    db.start(s, "two", {});
    db.exec(s.container("two"), "DELETE FROM items WHERE id > 5");
    REQUIRE(s.backupctl("run " + s.target("one")).exit_code == 0);
    const std::string one = db.checksum(s.container("one"));
    REQUIRE(s.backupctl("run " + s.target("two")).exit_code == 0);  // the newest in the repository
    auto snaps = nlohmann::json::parse(s.backupctl("snapshots --json " + s.target("two")).out);
    REQUIRE(snaps.size() == 1);
    const std::string two_id = snaps[0]["id"];

    db.exec(s.container("one"), "DELETE FROM items");
    auto restore = s.backupctl("restore " + s.target("one") + " --yes --no-safety-backup");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    CHECK(restore.out.find(two_id) == std::string::npos);
    CHECK(db.checksum(s.container("one")) == one);
    auto other = s.backupctl("restore " + s.target("one") + " --yes --snapshot " + two_id);
    CHECK(other.exit_code == 1);
    CHECK_THAT(other.out, Catch::Contains("is not a snapshot of " + s.target("one")));
}

TEST_CASE("files come back byte-exact into the target and into a directory",
          "[e2e][restore][files]") {
    Scenario s;
    const std::string volume = "bkrun-vol-" + s.tag();
    REQUIRE(sh("docker volume create --label bk.test=" + s.tag() + " " + volume + " >/dev/null")
                .exit_code == 0);
    REQUIRE(sh("docker run -d --name " + s.container("app") + " --network bkrun-" + s.tag() +
               "_default --label bk.test=" + s.tag() +
               " --label com.docker.compose.project=bkrun-" + s.tag() +
               " --label com.docker.compose.service=app --label backupctl.enable=true" +
               " --label backupctl.volumes=" + volume + " -v " + volume + ":/srv/uploads " +
               test_image("BK_TEST_BASE_IMAGE") + " sleep 600 >/dev/null")
                .exit_code == 0);
    const std::string app = s.container("app");
    REQUIRE(sh("docker exec " + app +
               " sh -c 'mkdir -p /srv/uploads/a/b && head -c 3000000 /dev/urandom "
               "> /srv/uploads/a/b/blob.bin && echo hello > /srv/uploads/note.txt && chown "
               "1234:1234 /srv/uploads/note.txt && "
               "chmod 0640 /srv/uploads/note.txt && chown 4321:99 /srv/uploads/a && chmod 2750 "
               "/srv/uploads/a'")
                .exit_code == 0);
    const std::string sum =
        "sha256sum /srv/uploads/a/b/blob.bin /srv/uploads/note.txt | cut -c1-64";
    const std::string want = sh("docker exec " + app + " sh -c " + quoted(sum)).out;
    REQUIRE(s.backupctl("run " + s.target("app")).exit_code == 0);

    REQUIRE(sh("docker exec " + app +
               " sh -c 'head -c 100 /dev/urandom > /srv/uploads/a/b/blob.bin && "
               "rm /srv/uploads/note.txt && chown 0:0 /srv/uploads/a && chmod 0755 /srv/uploads/a'")
                .exit_code == 0);
    auto restore = s.backupctl("restore " + s.target("app") + " --yes --no-safety-backup");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    CHECK(sh("docker exec " + app + " sh -c " + quoted(sum)).out == want);
    CHECK(sh("docker exec " + app + " stat -c %u:%g:%a /srv/uploads/note.txt").out ==
          "1234:1234:640\n");
    CHECK(sh("docker exec " + app + " stat -c %u:%g:%a /srv/uploads/a").out == "4321:99:2750\n");
    CHECK(s.leftovers(s.target("app")) == 0);

    const auto out = s.dir() / "files-out";
    auto to_dir = s.backupctl("restore " + s.target("app") + " --files-to " + out.string());
    INFO(to_dir.out);
    REQUIRE(to_dir.exit_code == 0);
    CHECK(sh("cd " + out.string() +
             " && sha256sum uploads/a/b/blob.bin uploads/note.txt | cut -c1-64")
              .out == want);
}

TEST_CASE("the daemon runs restore drills on verify-cron and status shows them",
          "[e2e][restore][daemon][engine-alone]") {
    Scenario s("", true);
    Db db{s, false};
    // No scheduled backup soon (the catch-up at start makes the first one); a drill every minute.
    db.start(s, "db", {"backupctl.cron=0 0 1 1 *", "backupctl.verify-cron=* * * * *"});
    const std::string target = s.target("db");
    bk::testing::Process daemon({BK_BACKUPCTL, "--config", s.config_path(), "daemon"},
                                s.dir() / "daemon.log");
    auto drills = [&] {
        auto j = nlohmann::json::parse(s.backupctl("history --json " + target).out, nullptr, false);
        int n = 0;
        if (!j.is_array())
            return 0;
        for (const auto& r : j) {
            n += r["kind"] == "verify" && r["trigger"] == "schedule" && r["status"] == "success";
        }
        return n;
    };
    const bool drilled =
        bk::testing::eventually([&] { return drills() > 0; }, std::chrono::seconds(150));
    INFO(bk::testing::slurp(s.dir() / "daemon.log"));
    REQUIRE(drilled);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(std::chrono::seconds(60)) == 0);
    auto status = s.backupctl("status");
    INFO(status.out);
    CHECK_THAT(status.out, Catch::Contains("passed"));
    CHECK(s.leftovers(target) == 0);
}

// What the newcomer saw: after `restore --new-container`, `docker-compose down` of the app failed
// ("network ... has active endpoints") because the restored copy stayed on the app's network and
// nothing said so. The copy is named with its network and how to remove it, survives the
// recovery of later commands, and `restore --cleanup` removes it with its volume, after which
// the app's network goes.
TEST_CASE("postgres: restore --new-container, then restore --cleanup frees the app's network",
          "[e2e][restore][cleanup]") {
    struct Sweep {  // what the test leaves if it fails: the copies are not labelled bk.test
        std::string target, image, net;
        ~Sweep() {  // after the scenario's own clean-up (declared first): the image is unused
            if (!target.empty()) {  // never an empty filter: other tests' copies match it
                sh("docker ps -aq --filter label=backupctl.restored-from=" + target +
                   " | xargs -r docker rm -f -v >/dev/null 2>&1");
                sh("docker network rm " + net + " >/dev/null 2>&1");
            }
            if (!image.empty())
                sh("docker rmi " + image + " >/dev/null 2>&1");
        }
    } sweep;
    Scenario s;
    // The official postgres image declares its data directory a VOLUME: so does this one, so
    // that the copy gets an anonymous volume as it would in production.
    const std::string image = "bk-e2e-pgvol-" + s.tag();
    sweep.image = image;
    REQUIRE(sh("printf 'FROM %s\\nVOLUME /var/lib/postgresql/data\\n' " +
               test_image("BK_TEST_POSTGRES_IMAGE") + " | docker build -q -t " + image +
               " --label bk.test=" + s.tag() + " - >/dev/null 2>&1")
                .exit_code == 0);
    const std::string net = "bkrun-" + s.tag() + "_default";
    const std::string target = s.target("db");
    sweep.target = target;
    sweep.net = net;
    s.start("db",
            image,
            {"backupctl.db.type=postgres"},
            {"POSTGRES_PASSWORD=e2e-db-secret", "POSTGRES_DB=app"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d app");
    Db db{s, false};
    db.exec(s.container("db"),
            "CREATE TABLE items (id int PRIMARY KEY, name text); "
            "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;");
    const std::string before = db.checksum(s.container("db"));
    auto backup = s.backupctl("run " + target);
    INFO(backup.out);
    REQUIRE(backup.exit_code == 0);

    auto text = s.backupctl("restore " + target + " --new-container --no-safety-backup");
    INFO(text.out);
    REQUIRE(text.exit_code == 0);
    auto json_run = s.backupctl("restore " + target + " --new-container --no-safety-backup --json");
    INFO(json_run.out);
    REQUIRE(json_run.exit_code == 0);
    const auto report = nlohmann::json::parse(json_run.out.substr(json_run.out.find('{')));
    const std::string second = report["new_container"];
    REQUIRE(!second.empty());
    CHECK(report["new_container_network"] == net);
    REQUIRE(report["remove_with"].size() == 2);
    CHECK(report["remove_with"][0] ==
          "backupctl --config " + s.config_path() + " restore --cleanup " + target);
    CHECK(report["remove_with"][1] == "docker rm -f -v " + second);

    const std::string names = restored_container(target);
    std::string first;
    std::istringstream lines(names);
    for (std::string n; std::getline(lines, n);) {
        if (n != second)
            first = n;
    }
    REQUIRE(!first.empty());
    CHECK_THAT(text.out, Catch::Contains("new container: " + first + " on network " + net));
    CHECK_THAT(text.out, Catch::Contains("keeps network " + net + " in use"));
    CHECK_THAT(
        text.out,
        Catch::Contains("backupctl --config " + s.config_path() + " restore --cleanup " + target));
    CHECK_THAT(text.out, Catch::Contains("docker rm -f -v " + first));
    CHECK(db.checksum(first) == before);
    // Labelled with its target, its run and its time.
    auto labels = nlohmann::json::parse(
        sh("docker inspect --format '{{json .Config.Labels}}' " + second).out);
    CHECK(labels["backupctl.restored-from"] == target);
    CHECK(labels["backupctl.run"] == report["run_id"]);
    CHECK(labels.contains("backupctl.restored-at"));
    CHECK_FALSE(labels.contains("backupctl.ephemeral"));
    const std::string volume =
        sh("docker inspect --format '{{range .Mounts}}{{.Name}}{{end}}' " + second).out;
    REQUIRE(volume.size() > 1);
    const std::string volume_name = volume.substr(0, volume.find('\n'));

    // Later commands clean what dead runs left: never the user's copies.
    auto later = s.backupctl("run " + target);
    INFO(later.out);
    REQUIRE(later.exit_code == 0);
    CHECK(sh("docker ps -aq --filter label=backupctl.restored-from=" + target + " | wc -l").out ==
          "2\n");

    // The app goes down (compose down: its containers, then its network): the network is held.
    REQUIRE(sh("docker rm -f -v " + s.container("db") + " >/dev/null").exit_code == 0);
    auto held = sh("docker network rm " + net + " 2>&1");
    CHECK(held.exit_code != 0);
    CHECK_THAT(held.out, Catch::Contains("active endpoints"));

    // The cleanup asks first; on no terminal it refuses without --yes.
    CHECK(s.backupctl("restore --cleanup " + target + " --new-container").exit_code == 2);
    auto refused = s.backupctl("restore --cleanup " + target + " < /dev/null");
    INFO(refused.out);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.out, Catch::Contains(first));
    CHECK_THAT(refused.out, Catch::Contains("add --yes"));
    CHECK(sh("docker ps -aq --filter label=backupctl.restored-from=" + target + " | wc -l").out ==
          "2\n");

    // With --yes (the target's container is gone: the cleanup does not need it).
    auto cleaned = s.backupctl("restore --cleanup " + target + " --yes");
    INFO(cleaned.out);
    CHECK(cleaned.exit_code == 0);
    CHECK_THAT(cleaned.out, Catch::Contains("removed " + first));
    CHECK_THAT(cleaned.out, Catch::Contains("removed " + second));
    CHECK_THAT(cleaned.out, Catch::Contains("cleanup removed 2, kept 0, failed 0"));
    CHECK(restored_container(target).empty());
    CHECK(sh("docker volume inspect " + volume_name + " >/dev/null 2>&1").exit_code != 0);
    // Now the app's network goes, as `docker-compose down` would remove it.
    auto freed = sh("docker network rm " + net + " 2>&1");
    INFO(freed.out);
    CHECK(freed.exit_code == 0);

    auto nothing = s.backupctl("restore --cleanup " + target + " --yes --json");
    INFO(nothing.out);
    CHECK(nothing.exit_code == 0);
    CHECK(nlohmann::json::parse(nothing.out.substr(nothing.out.find('{')))["copies"].empty());
    auto nothing_text = s.backupctl("restore --cleanup " + target);
    CHECK(nothing_text.exit_code == 0);
    CHECK_THAT(nothing_text.out, Catch::Contains("nothing to clean up"));
}
