// Remote restic repositories against real servers these tests start: SFTP (Debian's sshd in a
// container, chrooted and key-only like a storage box, its host key pinned), REST (rclone serve
// restic, with credentials in the URL, and append-only) and S3 (s3rver from npm over HTTPS with
// a self-signed certificate). For each: a PostgreSQL target backed up, listed, kept by
// retention, drilled, restored and pruned; and the faults, each asserting the one-line message
// (repository, cause, fix) with no credential anywhere in what backupctl prints.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/receivers.hpp"
#include "support/scenario.hpp"
#include "support/sftp_server.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using bk::testing::eventually;
using bk::testing::free_port;
using bk::testing::Process;
using bk::testing::quoted;
using bk::testing::Scenario;
using bk::testing::SftpServer;
using bk::testing::sh;
using bk::testing::ShellResult;
using bk::testing::test_image;

namespace {

const char* kRepoPassword = "e2e-repo-Passw0rd";
const char* kPgSecret = "e2e-pg-secret";
const char* kPgChecksum =
    "SELECT md5(string_agg(id::text || ':' || name, ',' ORDER BY id)) FROM items";

bool port_answers(int port) {
    return sh("curl -sk -o /dev/null --max-time 2 http://127.0.0.1:" + std::to_string(port) +
              "/ 2>/dev/null; test $? -ne 7")
               .exit_code == 0;
}

/// Every output backupctl gave must be free of every secret.
void check_no_secrets(const std::vector<std::string>& outputs,
                      const std::vector<std::string>& secrets) {
    for (const auto& out : outputs) {
        for (const auto& secret : secrets) {
            INFO("secret " << secret << " in:\n" << out);
            CHECK(out.find(secret) == std::string::npos);
        }
    }
}

/// The line of `out` that mentions the repository failing.
std::string line_with(const std::string& out, const std::string& needle) {
    const auto at = out.find(needle);
    if (at == std::string::npos)
        return {};
    const auto start = out.rfind('\n', at);
    const auto end = out.find('\n', at);
    return out.substr(start == std::string::npos ? 0 : start + 1,
                      end == std::string::npos
                          ? std::string::npos
                          : end - (start == std::string::npos ? 0 : start + 1));
}

// --- a PostgreSQL target --------------------------------------------------------------------
std::string psql(const Scenario& s, const std::string& sql) {
    auto r =
        sh("docker exec " + s.container("db") + " psql -qtA -U postgres -d shop -c " + quoted(sql));
    REQUIRE(r.exit_code == 0);
    return r.out;
}

/// Starts the target, fills it, returns its checksum.
std::string start_pg(Scenario& s, const std::string& repository) {
    s.start("db",
            test_image("BK_TEST_POSTGRES_IMAGE"),
            {"backupctl.db.name=shop",
             "backupctl.repository=" + repository,
             "backupctl.retention=last=1"},
            {std::string("POSTGRES_PASSWORD=") + kPgSecret, "POSTGRES_DB=shop"});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres -d shop");
    psql(s,
         "CREATE TABLE items (id int PRIMARY KEY, name text); "
         "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 3000) g;");
    return psql(s, kPgChecksum);
}

/// A fake pg_dump target (fakedump image, the database name picks its behaviour).
void start_fake(Scenario& s,
                const std::string& service,
                const std::string& mode,
                const std::string& repository) {
    s.start(service,
            test_image("BK_TEST_BASE_IMAGE"),
            {"backupctl.db.type=postgres",
             "backupctl.db.name=" + mode,
             "backupctl.db.image=" + test_image("BK_TEST_FAKEDUMP_IMAGE"),
             "backupctl.repository=" + repository,
             "backupctl.retention=last=1"},
            {"POSTGRES_PASSWORD=x"},
            "sleep 600");
}

const std::string kFakeImages = "security:\n  dump_images: [\"backupctl-test/fakedump:*\"]\n";

/// run twice (retention keeps 1), snapshots, the drill, a restore, prune; returns every output.
std::vector<std::string> full_cycle(Scenario& s,
                                    const std::string& before,
                                    const std::string& repository) {
    const std::string target = s.target("db");
    std::vector<std::string> outputs;
    for (int i = 0; i < 2; ++i) {
        auto run = s.backupctl("run " + target);
        INFO(run.out);
        REQUIRE(run.exit_code == 0);
        CHECK_THAT(run.out, Catch::Contains(target + ": success"));
        outputs.push_back(run.out);
    }
    auto snaps = s.backupctl("snapshots --json " + target);
    INFO(snaps.out);
    REQUIRE(snaps.exit_code == 0);
    CHECK(nlohmann::json::parse(snaps.out).size() == 1);  // retention: last=1
    outputs.push_back(snaps.out);

    auto drill = s.backupctl("verify " + target);
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    outputs.push_back(drill.out);

    psql(s, "DELETE FROM items WHERE id > 10;");
    REQUIRE(psql(s, kPgChecksum) != before);
    auto restore = s.backupctl("restore " + target + " --yes --no-safety-backup");
    INFO(restore.out);
    CHECK(restore.exit_code == 0);
    CHECK(psql(s, kPgChecksum) == before);
    outputs.push_back(restore.out);

    auto prune = s.backupctl("prune " + repository);
    INFO(prune.out);
    CHECK(prune.exit_code == 0);
    CHECK_THAT(prune.out, Catch::Contains(repository + ": ok"));
    outputs.push_back(prune.out);

    auto show = s.backupctl("config show --json");
    REQUIRE(show.exit_code == 0);
    outputs.push_back(show.out);
    auto history = s.backupctl("history --json " + target);
    REQUIRE(history.exit_code == 0);
    const auto h = nlohmann::json::parse(history.out);
    int backups = 0;
    for (const auto& r : h) {
        if (r["kind"] == "backup") {
            ++backups;
            CHECK(r["status"] == "success");
        }
    }
    CHECK(backups == 2);
    outputs.push_back(history.out);
    CHECK(s.leftovers(target) == 0);
    return outputs;
}

// --- REST: rclone serve restic ----------------------------------------------------------------
class RestServer {
public:
    RestServer(const Scenario& s, const std::string& name, bool append_only)
        : port_(free_port()),
          dir_((s.dir() / ("rest-" + name)).string()),
          log_(s.dir() / ("rclone-" + name + ".log")),
          append_only_(append_only),
          process_(std::make_unique<Process>(argv(append_only), log_)) {
        std::filesystem::create_directories(dir_);
        REQUIRE(eventually([this] { return port_answers(port_); }, std::chrono::seconds(30)));
    }
    /// Another server on the same directory (e.g. without --append-only: the owner's).
    RestServer(const Scenario& s, const std::string& name, const RestServer& same_dir)
        : port_(free_port()),
          dir_(same_dir.dir_),
          log_(s.dir() / ("rclone-" + name + ".log")),
          process_(std::make_unique<Process>(argv(false), log_)) {
        REQUIRE(eventually([this] { return port_answers(port_); }, std::chrono::seconds(30)));
    }
    /// The server goes away (killed); start() brings it back on the same port and directory.
    void stop() {
        process_.reset();
        REQUIRE(eventually([this] { return !port_answers(port_); }, std::chrono::seconds(30)));
    }
    void start() {
        process_ = std::make_unique<Process>(argv(append_only_), log_);
        REQUIRE(eventually([this] { return port_answers(port_); }, std::chrono::seconds(30)));
    }
    [[nodiscard]] std::string url(const std::string& user, const std::string& pass) const {
        return "rest:http://" + user + ":" + pass + "@127.0.0.1:" + std::to_string(port_) + "/repo";
    }
    static constexpr const char* kUser = "bkuser";
    static constexpr const char* kPass = "e2e-Rest-Passw0rd";

private:
    std::vector<std::string> argv(bool append_only) {
        std::filesystem::create_directories(dir_);
        std::vector<std::string> a{"/usr/bin/rclone",
                                   "serve",
                                   "restic",
                                   "--addr",
                                   "127.0.0.1:" + std::to_string(port_),
                                   "--user",
                                   kUser,
                                   "--pass",
                                   kPass};
        if (append_only)
            a.emplace_back("--append-only");
        a.push_back(dir_);
        return a;
    }
    int port_;
    std::string dir_;
    std::filesystem::path log_;
    bool append_only_{false};
    std::unique_ptr<Process> process_;
};

// --- S3: s3rver over HTTPS --------------------------------------------------------------------
/// s3rver from npm, installed once per build directory (pinned version). Under a lock: two tests
/// may ask at once (e2e tests run two at a time).
std::string s3rver_bin() {
    const std::string prefix = std::string(BK_BINARY_DIR) + "/s3rver";
    const std::string bin = prefix + "/node_modules/s3rver/bin/s3rver.js";
    if (!std::filesystem::exists(bin)) {
        std::filesystem::create_directories(prefix);
        auto r = sh("flock " + prefix + ".lock sh -c 'test -f " + bin +
                    " || npm install --silent --no-audit --no-fund --prefix " + prefix +
                    " s3rver@3.7.1' 2>&1");
        INFO(r.out);
        REQUIRE(r.exit_code == 0);
    }
    REQUIRE(std::filesystem::exists(bin));
    return bin;
}

class S3Server {
public:
    explicit S3Server(const Scenario& s)
        : port_(free_port()),
          cert_((s.dir() / "s3-cert.pem").string()),
          process_(argv(s), s.dir() / "s3rver.log") {
        REQUIRE(eventually(
            [this] {
                return sh("curl -s -o /dev/null --max-time 2 --cacert " + cert_ +
                          " https://127.0.0.1:" + std::to_string(port_) + "/")
                           .exit_code == 0;
            },
            std::chrono::seconds(30)));
    }
    [[nodiscard]] std::string url(const std::string& bucket) const {
        return "s3:https://127.0.0.1:" + std::to_string(port_) + "/" + bucket + "/repo";
    }
    [[nodiscard]] const std::string& cert() const { return cert_; }

private:
    std::vector<std::string> argv(const Scenario& s) {
        const std::string key = (s.dir() / "s3-key.pem").string();
        REQUIRE(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert_ +
                   " -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null")
                    .exit_code == 0);
        const std::string data = (s.dir() / "s3-data").string();
        std::filesystem::create_directories(data);
        return {"/usr/bin/node",
                s3rver_bin(),
                "--address",
                "127.0.0.1",
                "--port",
                std::to_string(port_),
                "--directory",
                data,
                "--key",
                key,
                "--cert",
                cert_,
                "--configure-bucket",
                "bkrepo",
                "--silent"};
    }
    int port_;
    std::string cert_;
    Process process_;
};

}  // namespace

TEST_CASE("sftp: a storage-box-like server, host key pinned, full cycle", "[e2e][backend][sftp]") {
    Scenario s;
    SftpServer box(s.tag(), s.dir(), "box");
    const std::string known = (s.dir() / "known_hosts").string();
    box.pin(known);
    s.write_config("repositories:\n" + box.repo_yaml("box", "/data/repo", known));
    const std::string before = start_pg(s, "box");
    auto outputs = full_cycle(s, before, "box");
    // The repository is on the server, in the chroot.
    CHECK(box.exec("test -f /srv/chroot/data/repo/config").exit_code == 0);
    check_no_secrets(outputs, {kRepoPassword, kPgSecret});
}

TEST_CASE("sftp faults: host keys, unreachable, missing, permission, password, full disk",
          "[e2e][backend][sftp][failure]") {
    Scenario s(kFakeImages);
    SftpServer box(s.tag(), s.dir(), "box", 1u << 20);
    const std::string known = (s.dir() / "known_hosts").string();
    box.pin(known);
    start_fake(s, "app", "ok", "box");
    const std::string target = s.target("app");
    auto run_with = [&](const std::string& repo_block) {
        s.write_config(kFakeImages + "repositories:\n" + repo_block);
        auto r = s.backupctl("run " + target);
        check_no_secrets({r.out}, {kRepoPassword, "e2e-Wr0ng-pass"});
        return r;
    };
    auto expect = [&](const ShellResult& r, const std::vector<std::string>& parts) {
        INFO(r.out);
        CHECK(r.exit_code == 1);
        const std::string line = line_with(r.out, "repository box (sftp:bk@127.0.0.1:");
        REQUIRE_FALSE(line.empty());
        for (const auto& p : parts)
            CHECK_THAT(line, Catch::Contains(p));
    };

    SECTION("unknown host key") {
        std::ofstream(known) << "";  // nothing pinned
        expect(run_with(box.repo_yaml("box", "/data/repo", known)),
               {"host key is not pinned in " + known,
                "ssh-keyscan -p " + std::to_string(box.port()) + " 127.0.0.1 >> " + known});
    }
    SECTION("changed host key") {
        // The key of another server, pinned for this one's address: a man in the middle.
        SftpServer other(s.tag(), s.dir(), "other");
        std::string line = other.keyscan();
        const std::string from = "[127.0.0.1]:" + std::to_string(other.port());
        REQUIRE(line.find(from) == 0);
        line.replace(0, from.size(), "[127.0.0.1]:" + std::to_string(box.port()));
        std::ofstream(known) << line;
        expect(run_with(box.repo_yaml("box", "/data/repo", known)),
               {"host key has CHANGED", "ssh-keygen -f " + known + " -R"});
    }
    SECTION("host unreachable") {
        const int closed = free_port();
        std::string block = box.repo_yaml("box", "/data/repo", known);
        block.replace(block.find("port: " + std::to_string(box.port())),
                      6 + std::to_string(box.port()).size(),
                      "port: " + std::to_string(closed));
        expect(run_with(block), {"refused the connection", "check that the server runs"});
    }
    SECTION("repository missing without init") {
        expect(run_with(box.repo_yaml("box", "/data/nothing-here", known, false)),
               {"no restic repository at this location", "init: true"});
    }
    SECTION("permission denied") {
        expect(run_with(box.repo_yaml("box", "/readonly/repo", known)),
               {"refused access", "permission denied", "may read and write"});
    }
    SECTION("wrong repository password") {
        REQUIRE(run_with(box.repo_yaml("box", "/data/repo", known)).exit_code == 0);
        expect(run_with(box.repo_yaml("box", "/data/repo", known, true, "e2e-Wr0ng-pass")),
               {"wrong repository password", "password_file"});
    }
    SECTION("server disk full") {
        REQUIRE(run_with(box.repo_yaml("box", "/small/repo", known)).exit_code == 0);
        // Fill the 1 MiB tmpfs to the last byte.
        box.exec("dd if=/dev/zero of=/srv/chroot/small/fill bs=4096 >/dev/null 2>&1; sync");
        REQUIRE(box.exec("df -k /srv/chroot/small | awk 'NR==2 {print $4}'").out == "0\n");
        const auto started = std::chrono::steady_clock::now();
        expect(run_with(box.repo_yaml("box", "/small/repo", known)), {"full disk", "free space"});
        // restic retries a full disk for minutes; backupctl stops it at the first retry.
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
        CHECK(s.snapshot_count(target) == 0);
    }
}

TEST_CASE("sftp: the server killed mid-upload fails the run, the next run succeeds",
          "[e2e][backend][sftp][failure]") {
    Scenario s(kFakeImages);
    SftpServer box(s.tag(), s.dir(), "box");
    const std::string known = (s.dir() / "known_hosts").string();
    box.pin(known);
    s.write_config(kFakeImages + "repositories:\n" + box.repo_yaml("box", "/data/repo", known));
    start_fake(s, "app", "stream", "box");  // 80 MiB of incompressible text over ~10 s
    const std::string target = s.target("app");
    Process run({BK_BACKUPCTL, "--config", s.config_path(), "run", target}, s.dir() / "killed.out");
    // Mid-upload: the first pack file is on the server.
    REQUIRE(eventually(
        [&] {
            return !box.exec("find /srv/chroot/data/repo/data -type f 2>/dev/null | head -1")
                        .out.empty();
        },
        std::chrono::seconds(60)));
    REQUIRE(sh("docker kill " + box.name() + " >/dev/null").exit_code == 0);
    const auto killed = std::chrono::steady_clock::now();
    INFO(run.log());
    CHECK(run.wait(std::chrono::seconds(180)) == 1);
    const auto took =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - killed);
    INFO("the run ended " << took.count() << " s after the kill");
    const std::string line = line_with(run.log(), "repository box (sftp:bk@127.0.0.1:");
    CHECK_THAT(line, Catch::Contains("backup failed"));
    CHECK_THAT(line, Catch::Contains("check that the server runs"));
    check_no_secrets({run.log()}, {kRepoPassword});

    // Same server back (same host key), one more run: succeeds, one snapshot, and the lock the
    // killed run left on the server is gone (retention cleared it: a dead process of this host).
    REQUIRE(sh("docker start " + box.name() + " >/dev/null").exit_code == 0);
    box.wait_up();
    CHECK(box.exec("ls /srv/chroot/data/repo/locks | wc -l").out == "1\n");
    auto again = s.backupctl("run " + target);
    INFO(again.out);
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.out, Catch::Contains(target + ": success"));
    auto snaps = s.backupctl("snapshots --json " + target);
    REQUIRE(snaps.exit_code == 0);
    CHECK(nlohmann::json::parse(snaps.out).size() == 1);
    CHECK(box.exec("ls /srv/chroot/data/repo/locks | wc -l").out == "0\n");
    auto history = nlohmann::json::parse(s.backupctl("history --json " + target).out);
    REQUIRE(history.size() == 2);
    CHECK(history[0]["status"] == "success");
    CHECK(history[1]["status"] == "failed");
}

TEST_CASE("rest: credentials in the URL stay masked, full cycle", "[e2e][backend][rest]") {
    Scenario s;
    RestServer rest(s, "plain", false);
    s.write_config(
        "repositories:\n  vault:\n    url: " + rest.url(RestServer::kUser, RestServer::kPass) +
        "\n    password: " + kRepoPassword + "\n    init: true\n");
    const std::string before = start_pg(s, "vault");
    auto outputs = full_cycle(s, before, "vault");
    auto show = s.backupctl("config show");
    CHECK_THAT(show.out, Catch::Contains("rest:http://bkuser:***@127.0.0.1:"));
    outputs.push_back(show.out);
    check_no_secrets(outputs, {kRepoPassword, kPgSecret, RestServer::kPass});

    // Wrong credentials in the URL: the server's 401, masked.
    s.write_config(
        "repositories:\n  vault:\n    url: " + rest.url(RestServer::kUser, "e2e-Wr0ng-pass") +
        "\n    password: " + kRepoPassword + "\n    init: true\n");
    auto refused = s.backupctl("run " + s.target("db"));
    INFO(refused.out);
    CHECK(refused.exit_code == 1);
    const std::string line =
        line_with(refused.out, "repository vault (rest:http://bkuser:***@127.0.0.1:");
    CHECK_THAT(line, Catch::Contains("refused the credentials") && Catch::Contains("401"));
    check_no_secrets({refused.out, s.backupctl("history --json").out},
                     {"e2e-Wr0ng-pass", RestServer::kPass});
}

TEST_CASE("rest append-only: the backup works, retention is delegated, a refused forget is told",
          "[e2e][backend][rest]") {
    Scenario s(kFakeImages);
    RestServer rest(s, "ao", true);
    const std::string url = rest.url(RestServer::kUser, RestServer::kPass);
    start_fake(s, "app", "ok", "vault");
    const std::string target = s.target("app");
    s.write_config(kFakeImages + "repositories:\n  vault:\n    url: " + url + "\n    password: " +
                   kRepoPassword + "\n    init: true\n    append_only: true\n");
    for (int i = 0; i < 2; ++i) {
        auto run = s.backupctl("run " + target);
        INFO(run.out);
        REQUIRE(run.exit_code == 0);
        CHECK_THAT(run.out, Catch::Contains(target + ": success"));
        CHECK_THAT(
            run.out,
            Catch::Contains("retention: delegated (delegated: repository vault is append-only"));
        check_no_secrets({run.out}, {RestServer::kPass, kRepoPassword});
    }
    auto snaps = s.backupctl("snapshots --json " + target);
    REQUIRE(snaps.exit_code == 0);
    CHECK(nlohmann::json::parse(snaps.out).size() == 2);  // nothing forgotten
    auto prune = s.backupctl("prune vault");
    INFO(prune.out);
    CHECK(prune.exit_code == 0);
    CHECK_THAT(prune.out, Catch::Contains("vault: skipped"));
    auto history = nlohmann::json::parse(s.backupctl("history --json " + target).out);
    REQUIRE(history.size() == 2);
    CHECK(history[0]["status"] == "success");

    // The same server, not marked append-only: restic's forget meets 403 and would retry for
    // minutes; the run stops it, stores the backup and says what to do.
    s.write_config(kFakeImages + "repositories:\n  vault:\n    url: " + url +
                   "\n    password: " + kRepoPassword + "\n    init: true\n");
    const auto started = std::chrono::steady_clock::now();
    auto unmarked = s.backupctl("run " + target);
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(unmarked.out);
    CHECK(unmarked.exit_code == 5);  // partial: stored, retention failed
    CHECK(took < std::chrono::seconds(60));
    const std::string line = line_with(unmarked.out, "repository vault (rest:http://bkuser:***@");
    CHECK_THAT(line, Catch::Contains("append-only") && Catch::Contains("append_only: true"));
    check_no_secrets({unmarked.out}, {RestServer::kPass, kRepoPassword});
    auto after = s.backupctl("snapshots --json " + target);
    CHECK(nlohmann::json::parse(after.out).size() == 3);
}

TEST_CASE("s3: keys from files, a private CA, full cycle", "[e2e][backend][s3]") {
    Scenario s;
    S3Server s3(s);
    const std::string id = (s.dir() / "aws_id").string();
    const std::string secret = (s.dir() / "aws_secret").string();
    // s3rver accepts its own keys only... and, measured, any secret: see docs/backends.md.
    std::ofstream(id) << "S3RVER\n";
    std::ofstream(secret) << "S3RVER\n";
    auto repo = [&](const std::string& bucket, bool cacert) {
        return "repositories:\n  bucket:\n    url: " + s3.url(bucket) +
               "\n    password: " + kRepoPassword + "\n    init: true\n" +
               (cacert ? "    cacert: " + s3.cert() + "\n" : std::string{}) +
               "    env:\n      AWS_ACCESS_KEY_ID_FILE: " + id +
               "\n      AWS_SECRET_ACCESS_KEY_FILE: " + secret + "\n";
    };
    s.write_config(repo("bkrepo", true));
    const std::string before = start_pg(s, "bucket");
    auto outputs = full_cycle(s, before, "bucket");
    check_no_secrets(outputs, {kRepoPassword, kPgSecret});
    auto show = nlohmann::json::parse(s.backupctl("config show --json").out);
    CHECK(show["repositories"]["bucket"]["env"]["AWS_SECRET_ACCESS_KEY"] ==
          "***** (file " + secret + ")");

    // Without the CA: the certificate is not trusted, and the fix names cacert.
    s.write_config(repo("bkrepo", false));
    auto untrusted = s.backupctl("run " + s.target("db"));
    INFO(untrusted.out);
    CHECK(untrusted.exit_code == 1);
    CHECK_THAT(line_with(untrusted.out, "repository bucket (s3:https://127.0.0.1:"),
               Catch::Contains("certificate is not trusted") && Catch::Contains("cacert:"));
    // A bucket that does not exist.
    s.write_config(repo("nobucket", true));
    auto missing = s.backupctl("run " + s.target("db"));
    INFO(missing.out);
    CHECK(missing.exit_code == 1);
    CHECK_THAT(line_with(missing.out, "repository bucket (s3:https://127.0.0.1:"),
               Catch::Contains("bucket does not exist") && Catch::Contains("create the bucket"));
}

namespace {

int snapshots_in(const std::string& url, const std::string& target) {
    auto r = sh("RESTIC_REPOSITORY=" + quoted(url) + " RESTIC_PASSWORD=" + kRepoPassword +
                " restic snapshots --json --tag target:" + target + " 2>/dev/null");
    if (r.exit_code != 0)
        return -1;
    return static_cast<int>(nlohmann::json::parse(r.out).size());
}

nlohmann::json copy_state(const Scenario& s) {
    auto r = s.backupctl("copy --json");
    INFO(r.out);
    const auto at = r.out.find('{');
    REQUIRE(at != std::string::npos);
    return nlohmann::json::parse(r.out.substr(at))["copies"].at(0);
}

std::vector<nlohmann::json> hook_posts(const bk::testing::Receiver& rx) {
    std::vector<nlohmann::json> out;
    for (const auto& r : rx.records()) {
        if (r["path"] == "/hook")
            out.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    return out;
}

}  // namespace

TEST_CASE(
    "copy_to a rest repository: the copy holds the snapshot, a copy server down never fails the "
    "run, the lag alerts and catches up, a drill from the copy passes",
    "[e2e][backend][rest][copy]") {
    bk::testing::TempDir rxdir;
    bk::testing::Receiver rx("http_recorder.py", {}, rxdir.path(), "rx");
    Scenario s;
    RestServer rest(s, "copy", false);
    const std::string url = rest.url(RestServer::kUser, RestServer::kPass);
    const std::string config =
        "repositories:\n  main:\n    url: " + s.repo() + "-main\n    password: " + kRepoPassword +
        "\n    init: true\n    copy_to: offsite\n    copy_overdue: 2s\n"
        "  offsite:\n    url: " +
        url + "\n    password: " + kRepoPassword +
        "\n    init: true\n"
        "notifiers:\n  hook:\n    type: webhook\n    url: http://127.0.0.1:" +
        std::to_string(rx.port()) + "/hook\n    events: [copy_overdue, recovered]\n";
    s.write_config(config);
    const std::string before = start_pg(s, "main");
    const std::string target = s.target("db");

    // 1. A run: its snapshot is in the copy too, nothing pending.
    auto first = s.backupctl("run " + target);
    INFO(first.out);
    REQUIRE(first.exit_code == 0);
    CHECK(snapshots_in(url, target) == 1);
    CHECK(copy_state(s)["pending"] == 0);
    auto steps = s.backupctl("history --json " + target);
    CHECK_THAT(steps.out, Catch::Contains("success"));

    // 2. The copy's server is gone: the run still succeeds, its snapshot waits, the lag grows.
    rest.stop();
    auto down = s.backupctl("run " + target);
    INFO(down.out);
    CHECK(down.exit_code == 0);
    CHECK_THAT(down.out, Catch::Contains(target + ": success"));
    auto lag = copy_state(s);
    CHECK(lag["pending"] == 1);
    CHECK_FALSE(lag["last_error"].get<std::string>().empty());
    CHECK(hook_posts(rx).empty());
    // Past copy_overdue (2 s): the next run (the copy still down) sends copy_overdue, once.
    REQUIRE(eventually([&s] { return copy_state(s)["lag_seconds"].get<int>() > 2; },
                       std::chrono::seconds(30)));
    auto overdue = s.backupctl("run " + target);
    INFO(overdue.out);
    CHECK(overdue.exit_code == 0);
    CHECK(copy_state(s)["pending"] == 2);
    CHECK(copy_state(s)["overdue"] == true);
    CHECK(s.backupctl("copy").exit_code == 1);
    auto posts = hook_posts(rx);
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["event"] == "copy_overdue");
    CHECK(posts[0]["target"] == "main -> offsite");

    // 3. The server is back: `copy --now` catches up (the source's retention kept the newest).
    rest.start();
    auto now = s.backupctl("copy --now");
    INFO(now.out);
    CHECK(now.exit_code == 0);
    CHECK_THAT(now.out, Catch::Contains("main -> offsite: 0 pending, lag 0 s"));
    CHECK(copy_state(s)["pending"] == 0);
    // retention last=1 applied to the copy as well.
    CHECK(snapshots_in(url, target) == 1);
    posts = hook_posts(rx);
    REQUIRE(posts.size() == 2);
    CHECK(posts[1]["event"] == "recovered");
    check_no_secrets({first.out, down.out, overdue.out, now.out, s.backupctl("copy --json").out},
                     {RestServer::kPass, kRepoPassword});

    // 4. A drill from the copy passes (the original's row counts are its reference).
    auto drill = s.backupctl("verify " + target + " --from offsite");
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
    CHECK_THAT(drill.out, Catch::Contains("from repository offsite"));
    CHECK_THAT(drill.out, Catch::Contains("drill passed"));
    CHECK_THAT(drill.out, Catch::Contains("ok   row counts"));
    CHECK(psql(s, kPgChecksum) == before);
}

TEST_CASE(
    "append-only through rclone: backups succeed, retention delegated, restic check passes, a "
    "delete with the backup credentials is refused, maintenance credentials apply the policy",
    "[e2e][backend][rest][append-only]") {
    Scenario s(kFakeImages);
    RestServer backup(s, "ao-backup", true);
    RestServer owner(s, "ao-owner", backup);  // the same directory, deletes allowed
    const std::string url = backup.url(RestServer::kUser, RestServer::kPass);
    const std::string owner_url = owner.url(RestServer::kUser, RestServer::kPass);
    start_fake(s, "app", "ok", "vault");
    const std::string target = s.target("app");
    const std::string repo = "repositories:\n  vault:\n    url: " + url +
                             "\n    password: " + kRepoPassword +
                             "\n    init: true\n    append_only: true\n";
    s.write_config(kFakeImages + repo);
    for (int i = 0; i < 3; ++i) {
        auto run = s.backupctl("run " + target);
        INFO(run.out);
        REQUIRE(run.exit_code == 0);
        CHECK_THAT(run.out, Catch::Contains("retention: delegated"));
    }
    CHECK(snapshots_in(url, target) == 3);
    auto check = sh("RESTIC_REPOSITORY=" + quoted(url) + " RESTIC_PASSWORD=" + kRepoPassword +
                    " restic check 2>&1");
    INFO(check.out);
    CHECK(check.exit_code == 0);
    // A delete through the backup credentials: refused, the snapshot stays.
    auto listed = nlohmann::json::parse(sh("RESTIC_REPOSITORY=" + quoted(url) +
                                           " RESTIC_PASSWORD=" + kRepoPassword +
                                           " restic snapshots --json 2>/dev/null")
                                            .out);
    REQUIRE(listed.size() == 3);
    const std::string victim = listed[0]["id"];
    auto refused = sh("RESTIC_REPOSITORY=" + quoted(url) + " RESTIC_PASSWORD=" + kRepoPassword +
                      " timeout 120 restic forget " + victim + " 2>&1");
    INFO(refused.out);
    CHECK(refused.exit_code != 0);
    CHECK(snapshots_in(url, target) == 3);

    // The same repository with the owner's credentials in a maintenance block (e.g. another
    // host): the run's retention (last=1) removes through them, prune too.
    s.write_config(kFakeImages + repo + "    maintenance:\n      url: " + owner_url +
                   "\n      retention: last=1\n");
    auto run = s.backupctl("run " + target);
    INFO(run.out);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, !Catch::Contains("retention: delegated"));
    CHECK(snapshots_in(url, target) == 1);
    auto prune = s.backupctl("prune vault");
    INFO(prune.out);
    CHECK(prune.exit_code == 0);
    CHECK_THAT(prune.out, Catch::Contains("vault: ok (maintenance credentials)"));
    auto after = sh("RESTIC_REPOSITORY=" + quoted(owner_url) + " RESTIC_PASSWORD=" + kRepoPassword +
                    " restic check 2>&1");
    INFO(after.out);
    CHECK(after.exit_code == 0);
    check_no_secrets({run.out, prune.out, s.backupctl("config show --json").out},
                     {RestServer::kPass, kRepoPassword});
}
