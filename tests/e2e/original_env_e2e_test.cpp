// A deployment of the original backupctl moved over without editing its files: the blog post's
// projects.yml shape and the original's .env names (RESTIC_PASSWORD, GPG_KEYS_DIR with a
// recipient by e-mail, TIMEZONE, NOTIFICATION_TYPE=webhook + WEBHOOK_URL, a retry count that is
// ignored) against a real PostgreSQL container reached by its name: the run, a dump encrypted to
// the recipient, the restore with the secret key of GPG_KEYS_DIR, the webhook's alert, and
// `config show` with where each value came from and no secret in it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/receivers.hpp"
#include "support/sftp_server.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <signal.h>

using bk::testing::Receiver;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

constexpr const char* kPgSecret = "e2e-original-pg-secret";
constexpr const char* kResticSecret = "e2e-original-restic-secret";

// The original's app: a PostgreSQL server on its own network, no backupctl label.
class OriginalApp {
public:
    OriginalApp() : tag_(bk::testing::unique_suffix()) {
        net_ = "bkorig-" + tag_ + "_default";
        REQUIRE(sh("docker network create --label bk.test=" + tag_ + " " + net_ + " >/dev/null")
                    .exit_code == 0);
    }
    ~OriginalApp() {
        sh("docker ps -aq --filter label=bk.test=" + tag_ +
           " | xargs -r docker rm -f -v >/dev/null 2>&1");
        sh("docker network rm " + net_ + " >/dev/null 2>&1");
        if (!gpg_home_.empty())
            sh("gpgconf --homedir " + bk::testing::quoted(gpg_home_) +
               " --kill gpg-agent >/dev/null 2>&1");
    }
    OriginalApp(const OriginalApp&) = delete;
    OriginalApp& operator=(const OriginalApp&) = delete;

    [[nodiscard]] const std::string& tag() const { return tag_; }
    [[nodiscard]] std::string db() const { return "bkorig-" + tag_ + "-db-1"; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

    void start_db() {
        REQUIRE(sh("docker run -d --name " + db() + " --network " + net_ + " --label bk.test=" +
                   tag_ + " -e POSTGRES_PASSWORD=" + kPgSecret + " -e POSTGRES_DB=myapp_prod " +
                   test_image("BK_TEST_POSTGRES_IMAGE") + " >/dev/null")
                    .exit_code == 0);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        while (sh("docker exec " + db() +
                  " pg_isready -q -h 127.0.0.1 -U postgres -d myapp_prod >/dev/null 2>&1")
                   .exit_code != 0) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }

    std::string psql(const std::string& sql) const {
        auto r = sh("docker exec " + db() + " psql -qtA -U postgres -d myapp_prod -c " +
                    bk::testing::quoted(sql));
        REQUIRE(r.exit_code == 0);
        return r.out;
    }

    /// The original's GPG_KEYS_DIR: a public and a secret key file of one key pair.
    std::filesystem::path make_keys(const std::string& uid) {
        const auto home = dir() / "gnupg";
        std::filesystem::create_directory(home);
        std::filesystem::permissions(home, std::filesystem::perms::owner_all);
        gpg_home_ = home.string();
        const std::string g = "gpg --homedir " + bk::testing::quoted(gpg_home_) + " --batch ";
        REQUIRE(sh(g + "--pinentry-mode loopback --passphrase '' --quick-gen-key " +
                   bk::testing::quoted(uid) + " future-default default never >/dev/null 2>&1")
                    .exit_code == 0);
        const auto keys = dir() / "gpg-keys";
        std::filesystem::create_directory(keys);
        REQUIRE(sh(g + "--armor --export > " + bk::testing::quoted((keys / "backup.pub").string()))
                    .exit_code == 0);
        REQUIRE(sh(g + "--armor --export-secret-keys > " +
                   bk::testing::quoted((keys / "backup-secret.asc").string()))
                    .exit_code == 0);
        return keys;
    }
    [[nodiscard]] const std::string& gpg_home() const { return gpg_home_; }

private:
    std::string tag_;
    std::string net_;
    std::string gpg_home_;
    bk::testing::TempDir dir_;
};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE(
    "the original's projects.yml and .env, unchanged: run, gpg to the recipient, restore, webhook, "
    "config show",
    "[e2e][projects][original][engine-alone]") {
    OriginalApp app;
    app.start_db();
    app.psql(
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2)); "
        "INSERT INTO orders SELECT g, g * 2.5 FROM generate_series(1, 2000) g;");
    const auto keys = app.make_keys("Backups <ops@example.test>");
    const auto uploads = app.dir() / "uploads";
    std::filesystem::create_directories(uploads);
    std::ofstream(uploads / "a.txt") << "an upload\n";

    bk::testing::TempDir rxdir;
    Receiver rx("http_recorder.py", {}, rxdir.path(), "rx");
    const std::string hook_url =
        "http://127.0.0.1:" + std::to_string(rx.port()) + "/hook-e2e-secret-path";

    // The repository the original wrote to exists already.
    const std::string repo = (app.dir() / "repo").string();
    REQUIRE(sh("RESTIC_PASSWORD=" + std::string(kResticSecret) + " restic init --repo " + repo +
               " >/dev/null 2>&1")
                .exit_code == 0);

    // The blog post's projects.yml, with the original's .env doing the rest: no restic.password,
    // a recipient by e-mail without a key file, no notification block.
    const std::string name = "myapp-" + app.tag();
    const auto config = (app.dir() / "projects.yml").string();
    std::ofstream(config) << "state_dir: " << (app.dir() / "state").string()
                          << "\n"
                             "projects:\n"
                             "  - name: "
                          << name
                          << "\n"
                             "    cron: '0 3 * * *'\n"
                             "    database:\n"
                             "      type: postgres\n"
                             "      host: "
                          << app.db()
                          << "\n"
                             "      name: myapp_prod\n"
                             "      user: postgres\n"
                             "      password: ${MYAPP_DB_PASSWORD}\n"
                             "    assets:\n"
                             "      paths:\n"
                             "        - "
                          << uploads.string()
                          << "\n"
                             "    restic:\n"
                             "      repository_path: "
                          << repo
                          << "\n"
                             "    encryption:\n"
                             "      enabled: true\n"
                             "      recipient: ops@example.test\n";
    const std::string dotenv = std::string("MYAPP_DB_PASSWORD=") + kPgSecret +
                               " RESTIC_PASSWORD=" + kResticSecret +
                               " GPG_KEYS_DIR=" + bk::testing::quoted(keys.string()) +
                               " TIMEZONE=Europe/Berlin NOTIFICATION_TYPE=webhook WEBHOOK_URL=" +
                               bk::testing::quoted(hook_url) + " BACKUP_RETRY_COUNT=3 ";
    auto backupctl = [&](const std::string& args) {
        return sh(dotenv + BK_BACKUPCTL + " --config " + config + " " + args + " 2>&1");
    };
    auto no_secret = [&](const std::string& out) {
        return out.find(kPgSecret) == std::string::npos &&
               out.find(kResticSecret) == std::string::npos &&
               out.find("hook-e2e-secret-path") == std::string::npos;
    };

    // validate: clean, the ignored retry count said as a warning.
    auto valid = backupctl("validate");
    INFO(valid.out);
    CHECK(valid.exit_code == 0);
    CHECK_THAT(valid.out,
               Catch::Contains("Warnings:") &&
                   Catch::Contains("environment: BACKUP_RETRY_COUNT: \"3\" is ignored"));

    // config show says where each value came from, and shows no secret.
    auto shown = backupctl("config show");
    INFO(shown.out);
    REQUIRE(shown.exit_code == 0);
    CHECK(no_secret(shown.out));
    CHECK_THAT(shown.out, Catch::Contains("timezone: Europe/Berlin (env TIMEZONE)"));
    CHECK_THAT(shown.out, Catch::Contains("password: \"***** (env RESTIC_PASSWORD)\""));
    CHECK_THAT(shown.out, Catch::Contains("url: \"***** (env WEBHOOK_URL)\""));
    CHECK_THAT(shown.out, Catch::Contains("type: webhook (env NOTIFICATION_TYPE)"));
    CHECK_THAT(shown.out,
               Catch::Contains("public_key_file: \"" + (keys / "backup.pub").string() +
                               " (GPG_KEYS_DIR " + keys.string() + ": the key "));
    auto json = backupctl("config show --json");
    REQUIRE(json.exit_code == 0);
    CHECK(no_secret(json.out));
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["timezone"] == "Europe/Berlin");
    CHECK(j["origins"]["/timezone"] == "env TIMEZONE");
    CHECK(j["origins"]["/projects/" + name + "/notify/0"] == "env NOTIFICATION_TYPE");
    const auto& key = j["keys"]["project:" + name];
    CHECK(key["public_key_file"] == (keys / "backup.pub").string());
    CHECK(key["private_key_file"] == (keys / "backup-secret.asc").string());
    CHECK_THAT(j["origins"]["/keys/project:" + name + "/private_key_file"].get<std::string>(),
               Catch::StartsWith("GPG_KEYS_DIR " + keys.string()));
    CHECK(j["warnings"].size() == 1);

    // The run.
    auto run = backupctl("run " + name);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains(name + ": success"));
    CHECK(no_secret(run.out));

    // The dump is stored encrypted to the recipient: unreadable as it is, and the key of
    // ops@example.test opens it.
    const auto stored = app.dir() / "stored.sql";
    REQUIRE(sh("RESTIC_REPOSITORY=" + repo + " RESTIC_PASSWORD=" + kResticSecret +
               " restic dump --tag kind:db latest /" + name + "/myapp_prod.sql > " +
               bk::testing::quoted(stored.string()) + " 2>/dev/null")
                .exit_code == 0);
    CHECK(read_file(stored).find("CREATE TABLE") == std::string::npos);
    auto packets = sh("gpg --homedir " + bk::testing::quoted(app.gpg_home()) +
                      " --batch --list-packets " + bk::testing::quoted(stored.string()) + " 2>&1");
    CHECK_THAT(packets.out, Catch::Contains(":pubkey enc packet:"));
    auto plain = sh("gpg --homedir " + bk::testing::quoted(app.gpg_home()) + " --batch --decrypt " +
                    bk::testing::quoted(stored.string()) + " 2>/dev/null");
    CHECK_THAT(plain.out, Catch::Contains("CREATE TABLE public.orders"));

    // The webhook got the run's alert (the original told every success).
    std::vector<nlohmann::json> alerts;
    for (const auto& r : rx.records()) {
        if (r["path"] == "/hook-e2e-secret-path")
            alerts.push_back(nlohmann::json::parse(r["body"].get<std::string>()));
    }
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0]["event"] == "success");
    CHECK(alerts[0]["target"] == name);

    // The database back, decrypted with the secret key GPG_KEYS_DIR holds.
    app.psql("DELETE FROM orders WHERE id > 10;");
    auto restore = backupctl("restore " + name + " --only db --yes --no-safety-backup");
    INFO(restore.out);
    REQUIRE(restore.exit_code == 0);
    CHECK(no_secret(restore.out));
    CHECK(app.psql("SELECT count(*) FROM orders") == "2000\n");
}

TEST_CASE(
    "the original's setup on a storage box: HETZNER_SSH_* to SFTP, daemon, recreate, restore, "
    "drill",
    "[e2e][projects][original][sftp][engine-alone]") {
    OriginalApp app;
    app.start_db();
    app.psql(
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2)); "
        "INSERT INTO orders SELECT g, g * 2.5 FROM generate_series(1, 1500) g;");
    const auto keys = app.make_keys("Backups <ops@example.test>");
    const auto uploads = app.dir() / "uploads";
    std::filesystem::create_directories(uploads / "2026");
    std::ofstream(uploads / "2026" / "invoice.pdf") << "%PDF-1.4 an invoice\n";

    // The storage box, and the original's ssh-keys directory: the key, and known_hosts beside it.
    bk::testing::SftpServer box(app.tag(), app.dir(), "box");
    const auto ssh_keys = app.dir() / "ssh-keys";
    std::filesystem::create_directories(ssh_keys);
    std::filesystem::copy_file(box.key(), ssh_keys / "id_ed25519");
    box.pin((ssh_keys / "known_hosts").string());

    const std::string name = "shop-" + app.tag();
    const auto config = (app.dir() / "projects.yml").string();
    std::ofstream(config) << "state_dir: " << (app.dir() / "state").string()
                          << "\n"
                             "scope: s"
                          << app.tag()
                          << "\n"
                             "projects:\n"
                             "  - name: "
                          << name
                          << "\n"
                             "    cron: '0 3 * * *'\n"
                             "    database: {type: postgres, host: "
                          << app.db()
                          << ", name: myapp_prod, user: postgres, "
                             "password: ${MYAPP_DB_PASSWORD}}\n"
                             "    assets: {paths: ["
                          << uploads.string()
                          << "]}\n"
                             "    restic: {repository_path: /data/"
                          << name
                          << ", init: true}\n"
                             "    encryption: {enabled: true, recipient: ops@example.test}\n"
                             "    retention: {local_days: 7, keep_daily: 7, keep_weekly: 4}\n";
    const std::string dotenv = std::string("MYAPP_DB_PASSWORD=") + kPgSecret +
                               " RESTIC_PASSWORD=" + kResticSecret +
                               " GPG_KEYS_DIR=" + bk::testing::quoted(keys.string()) +
                               " HETZNER_SSH_HOST=127.0.0.1 HETZNER_SSH_USER=bk"
                               " HETZNER_SSH_KEY_PATH=" +
                               (ssh_keys / "id_ed25519").string() +
                               " HETZNER_SSH_PORT=" + std::to_string(box.port()) + " ";
    auto backupctl = [&](const std::string& args) {
        return sh(dotenv + BK_BACKUPCTL + " --config " + config + " " + args + " 2>&1");
    };

    auto shown = backupctl("config show");
    INFO(shown.out);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("sftp:bk@127.0.0.1:/data/" + name));
    CHECK_THAT(shown.out, Catch::Contains("(env HETZNER_SSH_PORT)"));
    CHECK_THAT(shown.out, Catch::Contains("(beside HETZNER_SSH_KEY_PATH)"));

    // The daemon's schedule: never backed up, so its catch-up run comes at start.
    bk::testing::Process daemon(
        {"/bin/sh", "-c", dotenv + "exec " + BK_BACKUPCTL + " --config " + config + " daemon"},
        app.dir() / "daemon.log");
    auto runs = [&] {
        auto h = backupctl("history --json " + name);
        auto j = nlohmann::json::parse(h.out, nullptr, false);
        return j.is_array() ? j : nlohmann::json::array();
    };
    const bool scheduled = bk::testing::eventually(
        [&] {
            auto j = runs();
            return !j.empty() && j[0].value("status", "") != "running";
        },
        std::chrono::seconds(120));
    INFO(daemon.log());
    REQUIRE(scheduled);
    CHECK(runs()[0].value("status", "") == "success");
    CHECK(runs()[0].value("trigger", "") == "catch-up");
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(std::chrono::seconds(30)) == 0);

    // docker-compose up --force-recreate of the database: a new container, found again.
    REQUIRE(sh("docker rm -f " + app.db() + " >/dev/null").exit_code == 0);
    app.start_db();
    app.psql(
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2)); "
        "INSERT INTO orders SELECT g, g * 2.5 FROM generate_series(1, 1600) g;");
    auto run = backupctl("run " + name);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find(kPgSecret) == std::string::npos);
    CHECK(run.out.find(kResticSecret) == std::string::npos);
    // On the box: keep_daily kept one database and one files snapshot of today (the run's).
    auto listed = backupctl("snapshots --json " + name);
    REQUIRE(listed.exit_code == 0);
    CHECK(nlohmann::json::parse(listed.out).size() == 2);
    CHECK(box.exec("ls /srv/chroot/data/" + name).out.find("config") != std::string::npos);

    // One asset file back from the box, and the database, decrypted with GPG_KEYS_DIR's key.
    std::filesystem::remove(uploads / "2026" / "invoice.pdf");
    auto file =
        backupctl("restore " + name + " --path " + (uploads / "2026" / "invoice.pdf").string() +
                  " --yes --no-safety-backup");
    INFO(file.out);
    REQUIRE(file.exit_code == 0);
    CHECK(read_file(uploads / "2026" / "invoice.pdf") == "%PDF-1.4 an invoice\n");
    app.psql("DELETE FROM orders WHERE id > 10;");
    auto db = backupctl("restore " + name + " --only db --yes --no-safety-backup");
    INFO(db.out);
    REQUIRE(db.exit_code == 0);
    CHECK(app.psql("SELECT count(*) FROM orders") == "1600\n");

    // The drill, from the box, on a scratch server.
    auto verify = backupctl("verify " + name);
    INFO(verify.out);
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("drill passed"));
}
