#include "adapters/config/yaml_config_loader.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "support/kinds.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using adapters::config::EnvLookup;
using adapters::config::load_config_file;
using adapters::config::load_config_text;

namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

// The seed example of PRODUCT.md, verbatim.
const char* kSeed = R"(projects:
  - name: myapp
    cron: '0 3 * * *'
    database: {type: postgres, host: myapp-db, name: myapp_prod, user: backup_user, password: ${MYAPP_DB_PASSWORD}}
    assets: {paths: [/data/myapp/uploads]}
    restic: {repository_path: /backups/myapp, password: ${MYAPP_RESTIC_PASSWORD}}
    encryption: {enabled: true, recipient: you@example.com}
    notification: {type: slack, config: {webhook_url: ${SLACK_WEBHOOK}}}
    monitor: {type: uptime-kuma, config: {push_token: ${KUMA_TOKEN}}}
)";

const std::map<std::string, std::string> kSeedEnv{{"MYAPP_DB_PASSWORD", "db-pw"},
                                                  {"MYAPP_RESTIC_PASSWORD", "restic-pw"},
                                                  {"SLACK_WEBHOOK", "https://hooks.slack.test/x"},
                                                  {"KUMA_TOKEN", "kuma-token"}};

}  // namespace

TEST_CASE("the seed example of PRODUCT.md loads unchanged", "[config]") {
    auto c = load_config_text(bk::testing::database_kinds(), kSeed, "seed.yml", env(kSeedEnv));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    REQUIRE(c.projects.size() == 1);
    const auto& p = c.projects.front();
    CHECK(p.name == "myapp");
    CHECK(p.enabled);
    CHECK(p.source == domain::Origin::config);
    CHECK(p.cron == "0 3 * * *");
    REQUIRE(p.database);
    CHECK(p.database->kind_name() == "postgres");
    CHECK(p.database->host == "myapp-db");
    CHECK(p.database->names == std::vector<std::string>{"myapp_prod"});
    CHECK(p.database->user == "backup_user");
    CHECK(p.database->has_password);
    CHECK(p.database->password.reveal() == "db-pw");
    CHECK(p.database->password.masked().find("db-pw") == std::string::npos);
    // Asset paths are the operator's own files (restic's file backup), not container mounts.
    CHECK(p.paths == std::vector<std::string>{"/data/myapp/uploads"});
    CHECK(p.volumes.empty());
    const auto& repo = c.repositories.at(p.repository);
    CHECK(repo.url == "/backups/myapp");
    CHECK(repo.password.reveal() == "restic-pw");
    CHECK(repo.password.masked().find("restic-pw") == std::string::npos);
    CHECK(c.keys.at(p.encrypt).recipient == "you@example.com");
    CHECK(c.notifiers.at(p.notify.front()).type == "slack");
    CHECK(c.notifiers.at(p.notify.front()).secrets.at("webhook_url").reveal() ==
          "https://hooks.slack.test/x");
    CHECK(c.monitors.at(p.monitor).secrets.at("push_token").reveal() == "kuma-token");
}

TEST_CASE("a missing variable disables only the project that uses it", "[config]") {
    std::string two = std::string(kSeed) + R"(  - name: other
    database: {type: mariadb, host: other-db, password: ${OTHER_PW:-fallback}}
)";
    auto vars = kSeedEnv;
    vars.erase("KUMA_TOKEN");
    auto c = load_config_text(bk::testing::database_kinds(), two, "two.yml", env(vars));
    REQUIRE(c.problems.size() == 1);
    const auto& p = c.problems.front();
    CHECK(p.message == "environment variable KUMA_TOKEN is not set");
    CHECK(p.project == "myapp");
    CHECK(p.line == 9);
    CHECK(p.column > 1);
    CHECK(p.describe().starts_with("two.yml:9:"));
    CHECK_FALSE(c.has_fatal_problems());
    REQUIRE(c.projects.size() == 2);
    CHECK_FALSE(c.projects[0].enabled);
    CHECK(c.projects[1].enabled);
    CHECK(c.projects[1].database->password.reveal() == "fallback");
}

TEST_CASE("project hooks run through the shell, images for outside hosts are allowlisted",
          "[config]") {
    const std::string yaml = R"(security:
  dump_images: ["backupctl-test/*"]
defaults:
  client_images: {postgres: "backupctl-test/postgres:15", mysql: "mysql:8"}
projects:
  - name: shop
    database: {type: postgres, host: 10.0.0.5, port: 5433, password: pw, image: "elsewhere/pg:16"}
    assets: {paths: [/srv/uploads/, "relative/path", "/a,b"]}
    restic: {repository_path: /backups/shop, password: r}
    hooks: {pre_backup: "curl -fsS http://shop/maintenance/on && echo 'on'", timeout: 5s}
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "h.yml", env({}));
    std::vector<std::string> messages;
    for (const auto& p : c.problems)
        messages.push_back(p.describe());
    INFO(Catch::rangeToString(messages));
    REQUIRE(c.projects.size() == 1);
    const auto& p = c.projects.front();
    CHECK(p.pre_hook == std::vector<std::string>{
                            "/bin/sh", "-c", "curl -fsS http://shop/maintenance/on && echo 'on'"});
    CHECK(p.hook_timeout == std::chrono::seconds(5));
    CHECK(p.paths == std::vector<std::string>{"/srv/uploads"});
    CHECK(p.database->port == 5433);
    CHECK(c.defaults.client_images.at("postgres") == "backupctl-test/postgres:15");
    // mysql:8 and elsewhere/pg:16 are not allowed; two bad asset paths.
    REQUIRE(c.problems.size() == 4);
    auto has = [&messages](const std::string& what) {
        return std::any_of(messages.begin(), messages.end(), [&what](const auto& m) {
            return m.find(what) != std::string::npos;
        });
    };
    CHECK(
        has("defaults.client_images.mysql: image \"mysql:8\" is not allowed by "
            "security.dump_images"));
    CHECK(has("projects[0].database.image: image \"elsewhere/pg:16\" is not allowed"));
    CHECK(has("\"relative/path\" must be an absolute path"));
    CHECK(has("\"/a,b\" must be an absolute path without commas"));
}

TEST_CASE("hooks.env names the operator variables a hook gets, http caps its connections",
          "[config]") {
    const std::string yaml =
        R"(http: {listen: "127.0.0.1:0", max_connections: 40, max_event_streams: 4}
projects:
  - name: shop
    database: {type: postgres, host: 10.0.0.5, password: pw}
    restic: {repository_path: /backups/shop, password: r}
    hooks: {pre_backup: "curl -H \"X-Token: $TOKEN\" http://shop/on", env: [TOKEN, LANGUAGE]}
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "h.yml", env({}));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    REQUIRE(c.projects.size() == 1);
    CHECK(c.projects.front().hook_env == std::vector<std::string>{"TOKEN", "LANGUAGE"});
    CHECK(c.http.max_connections == 40);
    CHECK(c.http.max_event_streams == 4);
    auto defaults = load_config_text(
        bk::testing::database_kinds(), "http: {listen: \"127.0.0.1:0\"}\n", "d.yml", env({}));
    CHECK(defaults.http.max_connections == 128);
    CHECK(defaults.http.max_event_streams == 16);

    auto bad = load_config_text(bk::testing::database_kinds(),
                                "http: {max_connections: 8, max_event_streams: 8}\n"
                                "projects:\n"
                                "  - name: shop\n"
                                "    database: {type: postgres, host: db, password: pw}\n"
                                "    restic: {repository_path: /b, password: r}\n"
                                "    hooks: {pre_backup: \"true\", env: [\"A=1\"]}\n",
                                "bad.yml",
                                env({}));
    std::vector<std::string> messages;
    for (const auto& p : bad.problems)
        messages.push_back(p.describe());
    INFO(Catch::rangeToString(messages));
    REQUIRE(bad.problems.size() == 2);
    CHECK_THAT(messages[0],
               Catch::Contains("http.max_event_streams: must be less than "
                               "http.max_connections (8)"));
    CHECK_THAT(messages[1],
               Catch::Contains("projects[0].hooks.env: \"A=1\" is not a variable name"));
}

TEST_CASE("global sections, *_file secrets and substitution", "[config]") {
    bk::testing::TempDir dir;
    const auto pw = (dir.path() / "restic.pw").string();
    std::ofstream(pw) << "from-file\n";
    const std::string yaml = R"(scope: prod
timezone: Europe/Berlin
state_dir: /srv/backupctl
docker: {host: "unix:///run/docker.sock"}
defaults:
  cron: "@daily"
  retention: last=2,weekly=4
  repository: offsite
  encrypt: ops
  notify: [team]
repositories:
  offsite:
    url: ${REPO_URL:-sftp:backup@host:/repo}
    password_file: )" + pw + R"(
    init: true
    env: {AWS_ACCESS_KEY_ID: abc}
    ssh: {key_file: /run/secrets/key, known_hosts_file: /etc/backupctl/known_hosts}
keys:
  ops: {public_key_file: /keys/ops.asc, recipient: ops@example.com}
notifiers:
  team: {type: webhook, url: "https://hooks.test/$${literal}", secret: s3cr3t, events: [failure, overdue]}
monitors:
  kuma: {type: uptime-kuma, base_url: "https://kuma.test", push_token: tok}
http: {listen: "0.0.0.0:9000", token_file: /run/secrets/http}
security: {allow_label_hooks: true, dump_images: ["postgres:*", "mariadb:*"]}
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "full.yml", env({}));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    CHECK(c.scope == "prod");
    CHECK(c.timezone == "Europe/Berlin");
    CHECK(c.docker_host == "unix:///run/docker.sock");
    CHECK(c.defaults.cron == "@daily");
    CHECK(c.defaults.retention.to_string() == "last=2,weekly=4");
    CHECK(c.defaults.notify == std::vector<std::string>{"team"});
    CHECK(c.repositories.at("offsite").url == "sftp:backup@host:/repo");
    CHECK(c.repositories.at("offsite").password.reveal() == "from-file");
    CHECK(c.repositories.at("offsite").password.origin() == "file " + pw);
    CHECK(c.repositories.at("offsite").init);
    CHECK(c.notifiers.at("team").secrets.at("url").reveal() == "https://hooks.test/${literal}");
    CHECK(c.notifiers.at("team").events == std::vector<std::string>{"failure", "overdue"});
    CHECK(c.http.listen == "0.0.0.0:9000");
    CHECK(c.security.allow_label_hooks);
    CHECK(c.security.dump_images.size() == 2);
}

TEST_CASE("remote repositories: ssh, keys read from files, cacert, append_only", "[config]") {
    bk::testing::TempDir dir;
    const auto id = (dir.path() / "aws_id").string();
    const auto secret = (dir.path() / "aws_secret").string();
    std::ofstream(id) << "AKIDEXAMPLE\n";
    std::ofstream(secret) << "wJalrXUtnFEMI\n";
    const std::string yaml = R"(repositories:
  box:
    url: sftp:u123@u123.your-storagebox.de:/backups
    password: x
    ssh: {key_file: /run/secrets/box_key, port: 23, known_hosts_file: /etc/backupctl/known_hosts}
  bucket:
    url: s3:https://s3.example.com/bk/repo
    password: x
    cacert: /etc/backupctl/ca.pem
    env:
      AWS_ACCESS_KEY_ID_FILE: )" +
                             id + R"(
      AWS_SECRET_ACCESS_KEY_file: )" +
                             secret + R"(
      AWS_SHARED_CREDENTIALS_FILE: /root/.aws/credentials
  vault:
    url: rest:http://bk:pw@10.0.0.5:8000/repo
    password: x
    append_only: true
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "remote.yml", env({}));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    const auto& box = c.repositories.at("box");
    CHECK(box.has_ssh);
    CHECK(box.ssh.port == 23);
    CHECK(box.ssh.key_file == "/run/secrets/box_key");
    CHECK(box.ssh.known_hosts_file == "/etc/backupctl/known_hosts");
    CHECK_FALSE(box.ssh.accept_new_host_key);
    const auto& bucket = c.repositories.at("bucket");
    CHECK(bucket.cacert == "/etc/backupctl/ca.pem");
    CHECK(bucket.env.at("AWS_ACCESS_KEY_ID").reveal() == "AKIDEXAMPLE");
    CHECK(bucket.env.at("AWS_ACCESS_KEY_ID").origin() == "file " + id);
    CHECK(bucket.env.at("AWS_SECRET_ACCESS_KEY").reveal() == "wJalrXUtnFEMI");
    CHECK_FALSE(bucket.env.contains("AWS_ACCESS_KEY_ID_FILE"));
    // A variable that is a path by definition is passed on as it is.
    CHECK(bucket.env.at("AWS_SHARED_CREDENTIALS_FILE").reveal() == "/root/.aws/credentials");
    CHECK(c.repositories.at("vault").append_only);
}

TEST_CASE("an sftp repository must pin its host key", "[config]") {
    auto none =
        load_config_text(bk::testing::database_kinds(),
                         "repositories:\n  box: {url: \"sftp:u1@box.example:/r\", password: x}\n",
                         "a.yml",
                         env({}));
    REQUIRE(none.problems.size() == 1);
    CHECK_THAT(none.problems[0].message, Catch::Contains("ssh-keyscan -p 22 box.example > FILE"));
    CHECK(none.has_fatal_problems());
    auto no_pin =
        load_config_text(bk::testing::database_kinds(),
                         "repositories:\n  box:\n    url: sftp:u1@box.example:/r\n    password: x\n"
                         "    ssh: {key_file: /k, port: 23}\n",
                         "b.yml",
                         env({}));
    REQUIRE(no_pin.problems.size() == 1);
    CHECK_THAT(no_pin.problems[0].message,
               Catch::Contains("ssh-keyscan -p 23 box.example > FILE") &&
                   Catch::Contains("accept_new_host_key"));
    auto tofu =
        load_config_text(bk::testing::database_kinds(),
                         "repositories:\n  box:\n    url: sftp:u1@box.example:/r\n    password: x\n"
                         "    ssh: {key_file: /k, accept_new_host_key: true}\n",
                         "c.yml",
                         env({}));
    CHECK(tofu.problems.empty());
    auto spaced =
        load_config_text(bk::testing::database_kinds(),
                         "repositories:\n  box:\n    url: sftp:u1@box.example:/r\n    password: x\n"
                         "    ssh: {key_file: /my keys/k, known_hosts_file: /k}\n",
                         "d.yml",
                         env({}));
    REQUIRE(spaced.problems.size() == 1);
    CHECK_THAT(spaced.problems[0].message, Catch::Contains("holds a space"));
    auto wrong_kind = load_config_text(
        bk::testing::database_kinds(),
        "repositories:\n  r:\n    url: /local\n    password: x\n    ssh: {key_file: /k}\n"
        "    env: {RESTIC_PASSWORD: y}\n",
        "e.yml",
        env({}));
    CHECK(wrong_kind.problems.size() == 2);
}

TEST_CASE("config errors carry file, line and column, and the nearest key", "[config]") {
    const std::string yaml =
        "defaults:\n"
        "  crom: '0 3 * * *'\n"
        "  retention: last=3,daly=2\n"
        "repositories:\n"
        "  main: {url: /r, pasword: x}\n"
        "projects:\n"
        "  - name: app\n"
        "    cron: '0 25 * * *'\n"
        "    database: {type: postgress, host: db}\n"
        "    retention: {keep_daily: seven}\n";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "bad.yml", env({}));
    std::vector<std::string> got;
    for (const auto& p : c.problems) {
        got.push_back(p.describe());
    }
    auto has = [&got](const std::string& part) {
        return std::any_of(got.begin(), got.end(), [&part](const std::string& g) {
            return g.find(part) != std::string::npos;
        });
    };
    INFO(Catch::Detail::stringify(got));
    CHECK(has("bad.yml:2:3: defaults.crom: unknown key \"crom\"; did you mean \"cron\"?"));
    CHECK(has("bad.yml:3:14: defaults.retention: unknown key \"daly\"; did you mean \"daily\"?"));
    CHECK(
        has("bad.yml:5:19: repositories.main.pasword: unknown key \"pasword\"; did you mean "
            "\"password\"?"));
    CHECK(
        has("bad.yml:8:11: projects[0].cron: \"0 25 * * *\" is not a schedule: hour: 25 is out of "
            "range 0-23 (project \"app\" is disabled)"));
    CHECK(has("projects[0].database.type: \"postgress\" is not a database type"));
    CHECK(has("projects[0].retention.keep_daily: \"seven\" is not a whole number"));
    CHECK(c.has_fatal_problems());
}

TEST_CASE("broken YAML and missing files are one clear problem", "[config]") {
    auto c = load_config_text(bk::testing::database_kinds(),
                              "projects:\n  - name: a\n    cron: [unclosed\n",
                              "broken.yml",
                              env({}));
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems.front().line > 0);
    CHECK_THAT(c.problems.front().message, Catch::StartsWith("not valid YAML"));
    auto missing =
        load_config_file(bk::testing::database_kinds(), "/nonexistent/backupctl.yml", env({}));
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems.front().describe() ==
          "/nonexistent/backupctl.yml: cannot read the config file");
    auto both = load_config_text(bk::testing::database_kinds(),
                                 "repositories:\n  r: {url: /r, password: a, password_file: /x}\n",
                                 "both.yml",
                                 env({}));
    REQUIRE(both.problems.size() == 1);
    CHECK_THAT(both.problems.front().message, Catch::Contains("either password or password_file"));
}

namespace {
// Loads every ```yaml block of a doc page (but those marked "# not a config"); returns how many.
int check_doc_examples(const std::string& page) {
    std::ifstream in(std::string(BK_SOURCE_DIR) + "/" + page);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const std::regex block("```yaml\n([\\s\\S]*?)```");
    int examples = 0;
    for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
        const std::string yaml = (*it)[1];
        if (yaml.find("# not a config") != std::string::npos) {
            continue;
        }
        ++examples;
        auto c = load_config_text(bk::testing::database_kinds(),
                                  yaml,
                                  page + " example " + std::to_string(examples),
                                  env({{"MYAPP_DB_PASSWORD", "x"},
                                       {"MYAPP_RESTIC_PASSWORD", "x"},
                                       {"SLACK_WEBHOOK", "https://x"},
                                       {"KUMA_TOKEN", "x"},
                                       {"RESTIC_PASSWORD", "x"},
                                       {"REST_PASSWORD", "x"},
                                       {"OWNER_PASSWORD", "x"}}));
        INFO(yaml);
        for (const auto& p : c.problems) {
            // Files named by *_file keys do not exist here; everything else must be clean.
            if (p.message.starts_with("cannot read ")) {
                continue;
            }
            FAIL(p.describe());
        }
    }
    return examples;
}
}  // namespace

TEST_CASE("every YAML example in docs/configuration.md loads without problems", "[config][docs]") {
    CHECK(check_doc_examples("docs/configuration.md") >= 3);
}

TEST_CASE("every YAML example in docs/backends.md loads without problems", "[config][docs]") {
    CHECK(check_doc_examples("docs/backends.md") >= 4);
}

TEST_CASE("every YAML example in docs/notifications.md loads without problems", "[config][docs]") {
    CHECK(check_doc_examples("docs/notifications.md") >= 5);
}

TEST_CASE("every YAML example in docs/migrating.md loads without problems", "[config][docs]") {
    CHECK(check_doc_examples("docs/migrating.md") >= 1);
}

TEST_CASE("security.labels_may_use and require_encryption", "[config][security]") {
    const std::map<std::string, std::string> none;
    auto defaults = load_config_text(bk::testing::database_kinds(), "", "c.yml", env(none));
    CHECK(defaults.security.labels_may_use.repositories == std::vector<std::string>{"*"});
    CHECK(defaults.security.labels_may_use.notifiers == std::vector<std::string>{"*"});
    CHECK(defaults.security.labels_may_use.monitors.empty());
    CHECK_FALSE(defaults.security.require_encryption);

    auto c = load_config_text(bk::testing::database_kinds(),
                              R"(monitors:
  tenant-a: {type: healthchecks, ping_url: https://hc.test/a}
keys:
  ops: {public_key_file: /keys/ops.asc}
defaults:
  encrypt: ops
security:
  labels_may_use:
    repositories: [default]
    notifiers: []
    monitors: [tenant-a, "tenant-*"]
  require_encryption: true
)",
                              "c.yml",
                              env(none));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    CHECK(c.security.labels_may_use.repositories == std::vector<std::string>{"default"});
    CHECK(c.security.labels_may_use.notifiers.empty());
    CHECK(c.security.labels_may_use.monitors == std::vector<std::string>{"tenant-a", "tenant-*"});
    CHECK(c.security.require_encryption);

    // a plain name that names nothing would refuse every label silently: a problem
    auto typo = load_config_text(bk::testing::database_kinds(),
                                 "security:\n  labels_may_use:\n    monitors: [tenant-b]\n",
                                 "c.yml",
                                 env(none));
    REQUIRE(typo.problems.size() == 1);
    CHECK(typo.problems[0].describe() ==
          "c.yml:3:15: security.labels_may_use.monitors: \"tenant-b\" names no entry of "
          "`monitors:`");

    // required, but the default is none: the line that says none
    auto unencrypted =
        load_config_text(bk::testing::database_kinds(),
                         "defaults:\n  encrypt: none\nsecurity:\n  require_encryption: true\n",
                         "c.yml",
                         env(none));
    REQUIRE(unencrypted.problems.size() == 1);
    CHECK(unencrypted.problems[0].line == 2);
    CHECK(unencrypted.problems[0].path == "defaults.encrypt");
    auto unset = load_config_text(bk::testing::database_kinds(),
                                  "security:\n  require_encryption: true\n",
                                  "c.yml",
                                  env(none));
    REQUIRE(unset.problems.size() == 1);
    CHECK(unset.problems[0].path == "security.require_encryption");
    CHECK(unset.has_fatal_problems());
}

TEST_CASE("a project without encryption is refused when encryption is required",
          "[config][security]") {
    auto c = load_config_text(bk::testing::database_kinds(),
                              R"(keys:
  ops: {public_key_file: /keys/ops.asc}
defaults:
  encrypt: ops
security:
  require_encryption: true
projects:
  - name: plain
    database: {type: postgres, host: db, password: pw}
    encryption: {enabled: false}
  - name: keyed
    database: {type: postgres, host: db, password: pw}
)",
                              "c.yml",
                              env({}));
    REQUIRE(c.problems.size() == 1);
    CHECK(c.problems[0].project == "plain");
    CHECK(c.problems[0].line == 10);
    CHECK_THAT(c.problems[0].message, Catch::Contains("security.require_encryption"));
    REQUIRE(c.projects.size() == 2);
    CHECK_FALSE(c.projects[0].enabled);
    CHECK(c.projects[1].enabled);
    CHECK(c.projects[1].encrypt == "ops");
}

TEST_CASE("names in the config hold no control characters and no leading '-'",
          "[config][security]") {
    auto c = load_config_text(bk::testing::database_kinds(),
                              R"(projects:
  - name: shop
    database: {type: mysql, host: db, password: pw, user: "root\n[client]\nhost=evil", name: "a\r\nb"}
  - name: other
    database: {type: mysql, host: "--protocol=pipe", password: pw, name: "--all-databases"}
  - name: "bad\u001b[2Jname"
    database: {type: mysql, host: db, password: pw}
)",
                              "c.yml",
                              env({}));
    std::vector<std::string> said;
    for (const auto& p : c.problems)
        said.push_back(p.path + ": " + p.message);
    CHECK(said == std::vector<std::string>{
                      "projects[0].database.name: \"a\\r\\nb\" holds a control character "
                      "(U+000D at byte 1)",
                      "projects[0].database.user: \"root\\n[client]\\nhost=evil\" holds a control "
                      "character (U+000A at byte 4)",
                      "projects[1].database.host: \"--protocol=pipe\" starts with '-', which a "
                      "client program would read as an option",
                      "projects[1].database.name: \"--all-databases\" starts with '-', which a "
                      "client program would read as an option",
                      "projects[1].database: has no host (the database's container or host name)",
                      "projects[2].name: \"bad\\u001b[2Jname\" is not a valid name (lower-case "
                      "letters, digits, '.', '_', '-'; at most 63)"});
    for (const auto& p : c.projects)
        CHECK_FALSE(p.enabled);
}

TEST_CASE("deadlines: defaults, per project, and the original's timeout_minutes keys",
          "[config][deadline]") {
    const char* yaml = R"(defaults:
  timeout: 2h
  idle_timeout: 5m
  drill_timeout: 30m
security:
  max_label_timeout: 12h
projects:
  - name: plain
    cron: '0 3 * * *'
    assets: {paths: [/srv/plain]}
    restic: {repository_path: /backups/plain, password: x}
  - name: own
    cron: '0 3 * * *'
    timeout: 90m
    idle_timeout: 1m
    drill_timeout: 1h
    assets: {paths: [/srv/own]}
    restic: {repository_path: /backups/own, password: x}
  - name: original
    cron: '0 3 * * *'
    timeout_minutes: 45
    assets: {paths: [/srv/original]}
    restic: {repository_path: /backups/original, password: x}
  - name: original-dump
    cron: '0 3 * * *'
    timeout_minutes: 45
    database: {type: postgres, host: db, password: x, dump_timeout_minutes: 120}
    restic: {repository_path: /backups/original-dump, password: x}
  - name: original-null
    cron: '0 3 * * *'
    timeout_minutes: 0
    assets: {paths: [/srv/null]}
    restic: {repository_path: /backups/null, password: x}
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "t.yml", env({}));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    using std::chrono::minutes;
    CHECK(c.defaults.timeout == std::chrono::hours(2));
    CHECK(c.defaults.idle_timeout == minutes(5));
    CHECK(c.defaults.drill_timeout == minutes(30));
    CHECK(c.security.max_label_timeout == std::chrono::hours(12));
    REQUIRE(c.projects.size() == 5);
    CHECK(c.projects[0].timeout == std::chrono::hours(2));
    CHECK(c.projects[0].idle_timeout == minutes(5));
    CHECK(c.projects[0].drill_timeout == minutes(30));
    CHECK(c.projects[1].timeout == minutes(90));
    CHECK(c.projects[1].idle_timeout == minutes(1));
    CHECK(c.projects[1].drill_timeout == minutes(60));
    CHECK(c.projects[2].timeout == minutes(45));
    CHECK(c.projects[3].timeout == minutes(120));           // the original killed its dump there
    CHECK(c.projects[4].timeout == std::chrono::hours(2));  // 0: no limit of its own

    // Without a defaults block: 6 h, 10 min, 2 h.
    auto d = load_config_text(bk::testing::database_kinds(), "scope: x\n", "d.yml", env({}));
    CHECK(d.defaults.timeout == std::chrono::hours(6));
    CHECK(d.defaults.idle_timeout == minutes(10));
    CHECK(d.defaults.drill_timeout == std::chrono::hours(2));
    CHECK(d.security.max_label_timeout == std::chrono::hours(24));

    auto bad = load_config_text(bk::testing::database_kinds(),
                                "defaults:\n  timeout: 0s\n  idle_timeout: soon\n",
                                "b.yml",
                                env({}));
    REQUIRE(bad.problems.size() == 2);
    CHECK(bad.problems[0].path == "defaults.timeout");
    CHECK_THAT(bad.problems[0].message, Catch::Contains("more than 0"));
    CHECK(bad.problems[1].path == "defaults.idle_timeout");
}

TEST_CASE("compose/config.yml loads, publishes the API inside the container with a token file",
          "[config][docs]") {
    auto c = load_config_file(
        bk::testing::database_kinds(), std::string(BK_SOURCE_DIR) + "/compose/config.yml", env({}));
    for (const auto& p : c.problems) {
        if (!p.message.starts_with("cannot read "))  // the secrets exist in the container only
            FAIL(p.describe());
    }
    CHECK(c.http.listen == "0.0.0.0:8080");  // docker-compose.yml publishes it on 127.0.0.1
    CHECK(c.http.token_file == "/run/secrets/api_token");
    REQUIRE(c.repositories.count("default") == 1);
    CHECK(c.repositories.at("default").url == "/backups/restic");
}

TEST_CASE("defaults.drill_empty is warn or fail, warn by default", "[config]") {
    CHECK(load_config_text(bk::testing::database_kinds(), "timezone: UTC\n", "t.yml", env({}))
              .defaults.drill_empty == "warn");
    auto fail = load_config_text(
        bk::testing::database_kinds(), "defaults:\n  drill_empty: fail\n", "t.yml", env({}));
    REQUIRE(fail.problems.empty());
    CHECK(fail.defaults.drill_empty == "fail");
    auto bad = load_config_text(
        bk::testing::database_kinds(), "defaults:\n  drill_empty: ignore\n", "t.yml", env({}));
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0].describe().find("must be warn or fail") != std::string::npos);
    CHECK(bad.problems[0].describe().find("t.yml:2") != std::string::npos);
}

TEST_CASE("log.level and log.format: parsed, and a wrong value says where", "[config][log]") {
    const std::map<std::string, std::string> none;
    auto defaults =
        load_config_text(bk::testing::database_kinds(), "timezone: UTC\n", "c.yml", env(none));
    CHECK(defaults.log.level == domain::LogLevel::info);
    CHECK(defaults.log.format == domain::LogFormat::text);

    auto set = load_config_text(bk::testing::database_kinds(),
                                "log:\n  level: debug\n  format: json\n",
                                "c.yml",
                                env(none));
    CHECK(set.problems.empty());
    CHECK(set.log.level == domain::LogLevel::debug);
    CHECK(set.log.format == domain::LogFormat::json);

    auto wrong = load_config_text(bk::testing::database_kinds(),
                                  "log:\n  level: loud\n  format: xml\n  colour: red\n",
                                  "c.yml",
                                  env(none));
    REQUIRE(wrong.problems.size() == 3);
    std::vector<std::string> said;
    for (const auto& p : wrong.problems)
        said.push_back(p.describe());
    CHECK_THAT(Catch::rangeToString(said),
               Catch::Contains("c.yml:2:10: log.level: \"loud\" is not a level (trace, debug, "
                               "info, warn, error)"));
    CHECK_THAT(Catch::rangeToString(said),
               Catch::Contains("c.yml:3:11: log.format: \"xml\" is not a format (text, json)"));
    CHECK_THAT(Catch::rangeToString(said), Catch::Contains("c.yml:4:"));
    CHECK(wrong.has_fatal_problems());
}

TEST_CASE("repository checks: check_cron and check_subsets, with defaults, off and bad values",
          "[config][checks]") {
    const std::string yaml = R"(repositories:
  a:
    url: /srv/a
    password: x
  b:
    url: /srv/b
    password: x
    check_cron: "0 4 * * 0"
    check_subsets: 1
  c:
    url: /srv/c
    password: x
    check_cron: "off"
)";
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "checks.yml", env({}));
    INFO((c.problems.empty() ? "" : c.problems.front().describe()));
    REQUIRE(c.problems.empty());
    CHECK(c.repositories.at("a").check_cron == "@weekly");
    CHECK(c.repositories.at("a").check_subsets == 8);
    CHECK(c.repositories.at("b").check_cron == "0 4 * * 0");
    CHECK(c.repositories.at("b").check_subsets == 1);
    CHECK(c.repositories.at("c").check_cron == "off");

    const std::string bad = R"(repositories:
  a:
    url: /srv/a
    password: x
    check_cron: "every sunday"
    check_subsets: 1001
)";
    auto b = load_config_text(bk::testing::database_kinds(), bad, "checks.yml", env({}));
    REQUIRE(b.problems.size() == 2);
    CHECK(b.problems[0].path == "repositories.a.check_cron");
    CHECK(b.problems[0].line == 5);
    CHECK(b.problems[1].path == "repositories.a.check_subsets");
    CHECK(b.problems[1].line == 6);
    CHECK_THAT(b.problems[1].message, Catch::Contains("from 1 to 1000"));
}

TEST_CASE("copy_to and copy_overdue are read and a bad copy_to names its line", "[config]") {
    auto ok = load_config_text(bk::testing::database_kinds(),
                               "repositories:\n"
                               "  main:\n    url: /r/main\n    password: x\n"
                               "    copy_to: offsite\n    copy_overdue: 2h\n"
                               "  offsite: {url: 'rest:http://h:8000/r', password: y}\n",
                               "c.yml",
                               env({}));
    INFO((ok.problems.empty() ? "" : ok.problems.front().describe()));
    REQUIRE(ok.problems.empty());
    CHECK(ok.repositories.at("main").copy_to == "offsite");
    CHECK(ok.repositories.at("main").copy_overdue == std::chrono::hours(2));
    CHECK(ok.repositories.at("offsite").copy_overdue == std::chrono::hours(24));
    auto bad = load_config_text(bk::testing::database_kinds(),
                                "repositories:\n"
                                "  main:\n    url: /r/main\n    password: x\n"
                                "    copy_to: ofsite\n"
                                "  offsite: {url: 'rest:http://h:8000/r', password: y}\n",
                                "c.yml",
                                env({}));
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0].line == 5);
    CHECK(bad.problems[0].path == "repositories.main.copy_to");
    CHECK_THAT(bad.problems[0].message, Catch::Contains("\"ofsite\" is not a repository"));
    CHECK(bad.has_fatal_problems());
    auto lone =
        load_config_text(bk::testing::database_kinds(),
                         "repositories:\n  main: {url: /r, password: x, copy_overdue: 1h}\n",
                         "c.yml",
                         env({}));
    REQUIRE(lone.problems.size() == 1);
    CHECK(lone.problems[0].path == "repositories.main.copy_overdue");
}

TEST_CASE("an append-only repository's maintenance block is read, and refused elsewhere",
          "[config]") {
    auto ok = load_config_text(bk::testing::database_kinds(),
                               "repositories:\n"
                               "  vault:\n    url: 'rest:http://u:p@h:8000/r'\n    password: x\n"
                               "    append_only: true\n"
                               "    maintenance:\n      url: 'rest:http://o:q@h:8001/r'\n"
                               "      retention: last=2\n",
                               "m.yml",
                               env({}));
    INFO((ok.problems.empty() ? "" : ok.problems.front().describe()));
    REQUIRE(ok.problems.empty());
    const auto& v = ok.repositories.at("vault");
    CHECK(v.has_maintenance);
    CHECK(v.maintenance_url == "rest:http://o:q@h:8001/r");
    REQUIRE(v.maintenance_retention);
    CHECK(v.maintenance_retention->last == 2);
    CHECK(v.maintenance_password.reveal().empty());
    auto plain = load_config_text(bk::testing::database_kinds(),
                                  "repositories:\n"
                                  "  vault:\n    url: /r\n    password: x\n"
                                  "    maintenance: {url: /r}\n",
                                  "m.yml",
                                  env({}));
    REQUIRE(plain.problems.size() == 1);
    CHECK(plain.problems[0].path == "repositories.vault.maintenance");
    CHECK(plain.problems[0].line == 5);
    CHECK_THAT(plain.problems[0].message, Catch::Contains("append_only"));
    auto bad = load_config_text(bk::testing::database_kinds(),
                                "repositories:\n"
                                "  vault:\n    url: /r\n    password: x\n    append_only: true\n"
                                "    maintenance: {url: /r, retention: sometimes}\n",
                                "m.yml",
                                env({}));
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0].path == "repositories.vault.maintenance.retention");
}
