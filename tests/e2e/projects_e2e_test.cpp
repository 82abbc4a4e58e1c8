// Config projects (the original backupctl's `projects:` shape) against the real engine, restic
// and gpg: a database found by its container name on an app's own network (no labels), asset
// paths with restic's file backup, hooks through the shell, a recreated container found again,
// restore of one file and of the database, a drill; a database outside Docker reached by address
// with a client image; what resolution says when the host is ambiguous or absent.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <signal.h>
#include <stdlib.h>

using bk::testing::quoted;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

constexpr const char* kPgSecret = "e2e-project-pg-secret";
constexpr const char* kResticSecret = "e2e-project-restic-secret";

// One app "deployed" without any backupctl label: its own network, a PostgreSQL server on it.
class App {
public:
    App() : tag_(bk::testing::unique_suffix()) {
        net_ = "bkapp-" + tag_ + "_default";
        REQUIRE(sh("docker network create --label bk.test=" + tag_ + " " + net_ + " >/dev/null")
                    .exit_code == 0);
        REQUIRE(sh("docker volume create --label bk.test=" + tag_ + " " + volume() + " >/dev/null")
                    .exit_code == 0);
    }
    ~App() {
        sh("docker ps -aq --filter label=bk.test=" + tag_ +
           " | xargs -r docker rm -f -v >/dev/null 2>&1");
        for (const auto& n : extra_networks_)
            sh("docker network rm " + n + " >/dev/null 2>&1");
        sh("docker network rm " + net_ + " >/dev/null 2>&1");
        sh("docker volume rm " + volume() + " >/dev/null 2>&1");
    }
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    [[nodiscard]] const std::string& tag() const { return tag_; }
    [[nodiscard]] const std::string& network() const { return net_; }
    [[nodiscard]] std::string db() const { return "bkapp-" + tag_ + "-db-1"; }
    [[nodiscard]] std::string volume() const { return "bkapp-" + tag_ + "-pgdata"; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

    /// The database container, as compose would run it (labels of compose, none of ours). Its
    /// data lives in a volume, so a recreated container keeps it.
    void start_db(const std::string& extra = {}) {
        REQUIRE(sh("docker run -d --name " + db() + " --network " + net_ +
                   " --network-alias db --label bk.test=" + tag_ +
                   " --label com.docker.compose.project=bkapp-" + tag_ +
                   " --label com.docker.compose.service=db -v " + volume() +
                   ":/var/lib/postgresql/data -e POSTGRES_PASSWORD=" + kPgSecret +
                   " -e POSTGRES_DB=myapp_prod " + extra + " " +
                   test_image("BK_TEST_POSTGRES_IMAGE") + " >/dev/null")
                    .exit_code == 0);
        wait_ready(db());
    }

    static void wait_ready(const std::string& container) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        while (sh("docker exec " + container +
                  " pg_isready -q -h 127.0.0.1 -U postgres -d myapp_prod >/dev/null 2>&1")
                   .exit_code != 0) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }

    std::string psql(const std::string& sql, const std::string& container = {}) const {
        auto r = sh("docker exec " + (container.empty() ? db() : container) +
                    " psql -qtA -U postgres -d myapp_prod -c " + quoted(sql));
        REQUIRE(r.exit_code == 0);
        return r.out;
    }

    std::string make_network(const std::string& suffix) {
        const std::string n = "bkapp-" + tag_ + "-" + suffix;
        REQUIRE(sh("docker network create --label bk.test=" + tag_ + " " + n + " >/dev/null")
                    .exit_code == 0);
        extra_networks_.push_back(n);
        return n;
    }

    [[nodiscard]] std::string write_config(const std::string& yaml) const {
        const auto path = (dir_.path() / "backupctl.yml").string();
        std::ofstream(path) << "state_dir: " << (dir_.path() / "state").string() << "\n" << yaml;
        return path;
    }

    /// backupctl with the original's way of passing secrets: ${VAR} in the YAML, values in env.
    bk::testing::ShellResult backupctl(const std::string& config, const std::string& args) const {
        return sh(std::string("MYAPP_DB_PASSWORD=") + kPgSecret +
                  " MYAPP_RESTIC_PASSWORD=" + kResticSecret + " " + BK_BACKUPCTL + " --config " +
                  config + " " + args + " 2>&1");
    }

    [[nodiscard]] std::string restic(const std::string& repo, const std::string& args) const {
        auto r = sh("RESTIC_REPOSITORY=" + repo + " RESTIC_PASSWORD=" + kResticSecret + " restic " +
                    args + " 2>/dev/null");
        return r.out;
    }

private:
    std::string tag_;
    std::string net_;
    std::vector<std::string> extra_networks_;
    bk::testing::TempDir dir_;
};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a YAML project: database by container name, asset paths, hooks, gpg, restore, drill",
          "[e2e][projects][engine-alone]") {
    App app;
    app.start_db();
    app.psql(
        "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2)); "
        "INSERT INTO orders SELECT g, g * 2.5 FROM generate_series(1, 3000) g;");

    // The app's uploads, on the operator's own filesystem.
    const auto uploads = app.dir() / "uploads";
    std::filesystem::create_directories(uploads / "sub");
    std::ofstream(uploads / "a.txt") << "first upload\n";
    std::ofstream(uploads / "sub" / "b.bin") << std::string(200000, 'b');

    // A gpg key pair, as the original's GPG_KEYS_DIR would hold it.
    const auto home = app.dir() / "gnupg";
    std::filesystem::create_directory(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    REQUIRE(sh("gpg --homedir " + home.string() +
               " --batch --pinentry-mode loopback --passphrase '' "
               "--quick-gen-key 'backupctl e2e <ops@example.test>' future-default default never "
               ">/dev/null 2>&1")
                .exit_code == 0);
    REQUIRE(sh("gpg --homedir " + home.string() + " --armor --export > " +
               (app.dir() / "pub.asc").string())
                .exit_code == 0);
    REQUIRE(sh("gpg --homedir " + home.string() + " --armor --export-secret-keys > " +
               (app.dir() / "sec.asc").string())
                .exit_code == 0);

    const std::string repo = (app.dir() / "repo").string();
    const std::string hooks_log = (app.dir() / "hooks.log").string();
    const std::string name = "myapp-" + app.tag();
    const std::string project =
        "projects:\n"
        "  - name: " +
        name +
        "\n"
        "    cron: '0 3 * * *'\n"
        "    database: {type: postgres, host: " +
        app.db() +
        ", name: myapp_prod, user: postgres, "
        "password: ${MYAPP_DB_PASSWORD}}\n"
        "    assets: {paths: [" +
        uploads.string() +
        "]}\n"
        "    restic: {repository_path: " +
        repo +
        ", password: ${MYAPP_RESTIC_PASSWORD}, init: true}\n"
        "    retention: {keep_daily: 7, keep_last: 3}\n"
        "    encryption: {enabled: true, recipient: ops@example.test, public_key_file: " +
        (app.dir() / "pub.asc").string() +
        ", private_key_file: " + (app.dir() / "sec.asc").string() +
        "}\n"
        "    hooks: {pre_backup: \"echo pre-$((1+1)) >> " +
        hooks_log + "\", post_backup: \"echo post >> " + hooks_log + "\"}\n";
    const auto config = app.write_config(project);

    auto valid = app.backupctl(config, "validate");
    INFO(valid.out);
    REQUIRE(valid.exit_code == 0);

    auto run = app.backupctl(config, "run " + name);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains(name + ": success"));
    CHECK(run.out.find(kPgSecret) == std::string::npos);
    // The hooks ran through /bin/sh (the arithmetic is the shell's), the post-hook after.
    CHECK(read_file(hooks_log) == "pre-2\npost\n");

    auto snaps = nlohmann::json::parse(app.restic(repo, "snapshots --json --tag target:" + name));
    REQUIRE(snaps.size() == 2);
    int db_snaps = 0;
    int file_snaps = 0;
    for (const auto& s : snaps) {
        const auto tags = s["tags"].get<std::vector<std::string>>();
        if (std::find(tags.begin(), tags.end(), "kind:db") != tags.end())
            ++db_snaps;
        if (std::find(tags.begin(), tags.end(), "path:" + uploads.string()) != tags.end()) {
            ++file_snaps;
            // restic's own file backup: the path itself, files listed one by one.
            CHECK(s["paths"][0] == uploads.string());
        }
    }
    CHECK(db_snaps == 1);
    CHECK(file_snaps == 1);
    // The dump is stored encrypted to the recipient.
    auto raw = sh("RESTIC_REPOSITORY=" + repo + " RESTIC_PASSWORD=" + kResticSecret +
                  " restic dump latest /" + name +
                  "/myapp_prod.sql 2>/dev/null | head -c 200 | grep -c CREATE || true");
    CHECK(raw.out.find('0') == 0);
    // No dump container is left.
    CHECK(sh("docker ps -aq --filter label=backupctl.for-target=" + name + " | wc -l").out ==
          "0\n");

    // compose up --force-recreate: a new container (new id) of the same service, same data.
    REQUIRE(sh("docker rm -f " + app.db() + " >/dev/null").exit_code == 0);
    app.start_db();
    app.psql("INSERT INTO orders VALUES (3001, 1.00);");
    auto again = app.backupctl(config, "run " + name);
    INFO(again.out);
    REQUIRE(again.exit_code == 0);
    // Unchanged files dedup: the second files snapshot added (almost) nothing.
    auto history = app.backupctl(config, "history --json " + name);
    REQUIRE(history.exit_code == 0);
    CHECK(history.out.find(kPgSecret) == std::string::npos);

    // One file back, in place.
    std::filesystem::remove(uploads / "a.txt");
    std::ofstream(uploads / "sub" / "b.bin") << "changed since";
    auto one = app.backupctl(config,
                             "restore " + name + " --path " + (uploads / "a.txt").string() +
                                 " --yes --no-safety-backup");
    INFO(one.out);
    REQUIRE(one.exit_code == 0);
    CHECK(read_file(uploads / "a.txt") == "first upload\n");
    CHECK(read_file(uploads / "sub" / "b.bin") == "changed since");  // only what was asked
    // The whole path into another directory.
    const auto elsewhere = app.dir() / "restored";
    auto files = app.backupctl(
        config, "restore " + name + " --only files --files-to " + elsewhere.string() + " --yes");
    INFO(files.out);
    REQUIRE(files.exit_code == 0);
    CHECK(read_file(elsewhere / uploads.relative_path() / "sub" / "b.bin") ==
          std::string(200000, 'b'));

    // The database back, into the server the project names.
    app.psql("DELETE FROM orders WHERE id > 100;");
    auto db = app.backupctl(config, "restore " + name + " --only db --yes --no-safety-backup");
    INFO(db.out);
    REQUIRE(db.exit_code == 0);
    CHECK(app.psql("SELECT count(*) FROM orders") == "3001\n");

    // A drill on a scratch server of the database's own image.
    auto verify = app.backupctl(config, "verify " + name);
    INFO(verify.out);
    REQUIRE(verify.exit_code == 0);
    CHECK_THAT(verify.out, Catch::Contains("passed"));

    // A missing asset path: the run is partial and says which.
    const std::string missing = (app.dir() / "not-there").string();
    const auto partial_config = app.write_config(
        project.substr(0, project.find("    assets:")) + "    assets: {paths: [" +
        uploads.string() + ", " + missing + "]}\n" + project.substr(project.find("    restic:")));
    auto partial = app.backupctl(partial_config, "run " + name);
    INFO(partial.out);
    CHECK(partial.exit_code == 5);
    CHECK_THAT(partial.out, Catch::Contains(missing));
}

TEST_CASE("a project's host: several matches, none, or on another network, each named",
          "[e2e][projects][engine-alone]") {
    App app;
    app.start_db();
    // A second "db" service of another compose project on a network of its own.
    const std::string other_net = app.make_network("other");
    REQUIRE(sh("docker run -d --name bkapp-" + app.tag() + "-other-db-1 --network " + other_net +
               " --network-alias db --label bk.test=" + app.tag() +
               " --label com.docker.compose.service=db -e POSTGRES_PASSWORD=x " +
               test_image("BK_TEST_POSTGRES_IMAGE") + " >/dev/null")
                .exit_code == 0);
    const std::string repo = (app.dir() / "repo").string();
    auto project = [&](const std::string& host, const std::string& network) {
        return "projects:\n  - name: amb-" + app.tag() + "\n" +
               (network.empty() ? std::string{} : "    docker_network: " + network + "\n") +
               "    database: {type: postgres, host: " + host +
               ", name: myapp_prod, password: ${MYAPP_DB_PASSWORD}}\n"
               "    restic: {repository_path: " +
               repo + ", password: ${MYAPP_RESTIC_PASSWORD}, init: true}\n";
    };
    // "db" is a service (and alias) in two projects: which one is meant?
    auto amb = app.backupctl(app.write_config(project("db", "")), "run amb-" + app.tag());
    INFO(amb.out);
    CHECK(amb.exit_code == 1);
    CHECK_THAT(amb.out, Catch::Contains("matches 2 containers"));
    CHECK_THAT(amb.out, Catch::Contains(app.db()));
    CHECK_THAT(amb.out, Catch::Contains("bkapp-" + app.tag() + "-other-db-1"));
    // docker_network settles it.
    auto one =
        app.backupctl(app.write_config(project("db", app.network())), "run amb-" + app.tag());
    INFO(one.out);
    CHECK(one.exit_code == 0);
    // A name that is no container: the networks searched and the fix.
    auto none = app.backupctl(app.write_config(project("no-such-db", app.network())),
                              "run amb-" + app.tag());
    INFO(none.out);
    CHECK(none.exit_code == 1);
    CHECK_THAT(none.out, Catch::Contains("\"no-such-db\" is no running container"));
    CHECK_THAT(none.out, Catch::Contains("network " + app.network()));
    CHECK_THAT(none.out, Catch::Contains("database.image"));
    // A project with asset paths whose database is not there: the paths are backed up all the
    // same, and the run is partial, naming the host.
    const auto assets = app.dir() / "assets";
    std::filesystem::create_directories(assets);
    std::ofstream(assets / "kept.txt") << "kept\n";
    auto with_paths = project("no-such-db", app.network());
    with_paths += "    assets: {paths: [" + assets.string() + "]}\n";
    auto partial = app.backupctl(app.write_config(with_paths), "run amb-" + app.tag());
    INFO(partial.out);
    CHECK(partial.exit_code == 5);
    CHECK_THAT(partial.out, Catch::Contains("failed: no-such-db"));
    CHECK_THAT(partial.out, Catch::Contains("files:" + assets.string() + ": ok"));
    // The right container on the wrong network.
    auto wrong =
        app.backupctl(app.write_config(project(app.db(), other_net)), "run amb-" + app.tag());
    INFO(wrong.out);
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.out, Catch::Contains(app.db() + " is, on another network"));
    // `run --dry-run` says the same before anything runs.
    auto dry = app.backupctl(app.write_config(project("no-such-db", app.network())),
                             "run amb-" + app.tag() + " --dry-run");
    CHECK(dry.exit_code == 4);
    CHECK_THAT(dry.out, Catch::Contains("FAIL  database.host no-such-db"));
}

TEST_CASE("a database outside Docker, reached by address and port with a client image",
          "[e2e][projects]") {
    App app;
    // A server the project does not know as a container: on the default bridge, another port.
    const std::string server = "bkapp-" + app.tag() + "-external";
    REQUIRE(sh("docker run -d --name " + server + " --label bk.test=" + app.tag() +
               " -e POSTGRES_PASSWORD=" + kPgSecret + " -e POSTGRES_DB=myapp_prod " +
               test_image("BK_TEST_POSTGRES_IMAGE") + " postgres -p 5433 >/dev/null")
                .exit_code == 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (sh("docker exec " + server +
              " pg_isready -q -h 127.0.0.1 -p 5433 -U postgres >/dev/null 2>&1")
               .exit_code != 0) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    REQUIRE(sh("docker exec " + server + " psql -qtA -p 5433 -U postgres -d myapp_prod -c " +
               quoted("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 77);"))
                .exit_code == 0);
    auto ip = sh("docker inspect -f '{{.NetworkSettings.IPAddress}}' " + server);
    REQUIRE(ip.exit_code == 0);
    const std::string address = ip.out.substr(0, ip.out.find('\n'));
    REQUIRE_FALSE(address.empty());
    const std::string repo = (app.dir() / "repo").string();
    const std::string image = test_image("BK_TEST_POSTGRES_IMAGE");
    const std::string name = "ext-" + app.tag();
    const std::string body = "projects:\n  - name: " + name +
                             "\n"
                             "    database: {type: postgres, host: " +
                             address +
                             ", port: 5433, name: myapp_prod, "
                             "user: postgres, password: ${MYAPP_DB_PASSWORD}, image: " +
                             image +
                             "}\n"
                             "    restic: {repository_path: " +
                             repo + ", password: ${MYAPP_RESTIC_PASSWORD}, init: true}\n";

    // The client image is the operator's choice, and must be allowed.
    auto refused = app.backupctl(app.write_config(body), "validate");
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.out, Catch::Contains("is not allowed by security.dump_images"));

    const auto config =
        app.write_config("security: {dump_images: [\"backupctl-test/*\"]}\n" + body);
    auto run = app.backupctl(config, "run " + name);
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(app.restic(repo, "dump latest /" + name + "/myapp_prod.sql").find("COPY public.t") !=
          std::string::npos);
    auto history = app.backupctl(
        config,
        "history --json --run " +
            nlohmann::json::parse(app.backupctl(config, "history --json " + name).out)[0]["id"]
                .get<std::string>());
    CHECK_THAT(history.out, Catch::Contains("outside Docker, client " + image));
}

TEST_CASE("daemon: a project is scheduled like a label target (its catch-up run at start)",
          "[e2e][projects][daemon][engine-alone]") {
    App app;
    app.start_db();
    const std::string repo = (app.dir() / "repo").string();
    const std::string name = "sched-" + app.tag();
    // Scoped: this daemon sees no labelled container of another test.
    const auto config =
        app.write_config("scope: s" + app.tag() +
                         "\n"
                         "daemon: {grace_period: 3s}\n"
                         "projects:\n  - name: " +
                         name +
                         "\n    cron: '0 3 * * *'\n"
                         "    database: {type: postgres, host: " +
                         app.db() +
                         ", name: myapp_prod, password: ${MYAPP_DB_PASSWORD}}\n"
                         "    restic: {repository_path: " +
                         repo + ", password: ${MYAPP_RESTIC_PASSWORD}, init: true}\n");
    ::setenv("MYAPP_DB_PASSWORD", kPgSecret, 1);
    ::setenv("MYAPP_RESTIC_PASSWORD", kResticSecret, 1);
    bk::testing::Process daemon({BK_BACKUPCTL, "--config", config, "daemon"},
                                app.dir() / "daemon.log");
    auto runs = [&] {
        auto h = app.backupctl(config, "history --json " + name);
        auto j = nlohmann::json::parse(h.out, nullptr, false);
        return j.is_array() ? j : nlohmann::json::array();
    };
    // Never backed up: one catch-up run, from the schedule's own path.
    const bool ran = bk::testing::eventually(
        [&] {
            auto j = runs();
            return j.size() == 1 && j[0].value("status", "") == "success";
        },
        std::chrono::seconds(90));
    INFO(daemon.log());
    CHECK(ran);
    CHECK(runs()[0].value("trigger", "") == "catch-up");
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(std::chrono::seconds(30)) == 0);
    ::unsetenv("MYAPP_DB_PASSWORD");
    ::unsetenv("MYAPP_RESTIC_PASSWORD");
}
