// The original backupctl's environment variables for `projects:` configs: what each one fills,
// the original's order (a project's own block first), `none`, bad values, and where each value
// came from. The environment is a fake: nothing here reads the process's own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "adapters/config/yaml_config_loader.hpp"
#include "support/kinds.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using adapters::config::EnvLookup;
using adapters::config::load_config_text;

namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

// The blog post's project, with only what the original's .env would not give.
const char* kBare = R"(projects:
  - name: myapp
    cron: '0 3 * * *'
    database: {type: postgres, host: myapp-db, name: myapp_prod, user: backup_user, password: pw}
    restic: {repository_path: /backups/myapp}
)";

std::vector<std::string> described(const std::vector<domain::ConfigProblem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems)
        out.push_back(p.describe());
    return out;
}

bool has(const std::vector<std::string>& lines, const std::string& part) {
    return std::any_of(lines.begin(), lines.end(), [&part](const std::string& l) {
        return l.find(part) != std::string::npos;
    });
}

const domain::Target& project(const domain::OperatorConfig& c, const std::string& name) {
    auto it = std::find_if(
        c.projects.begin(), c.projects.end(), [&name](const auto& t) { return t.name == name; });
    REQUIRE(it != c.projects.end());
    return *it;
}

}  // namespace

TEST_CASE("RESTIC_PASSWORD is a project repository's password when restic.password is absent",
          "[config][env]") {
    auto c = load_config_text(
        bk::testing::database_kinds(), kBare, "p.yml", env({{"RESTIC_PASSWORD", "from-env"}}));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    const auto& repo = c.repositories.at("project:myapp");
    CHECK(repo.password.reveal() == "from-env");
    CHECK(repo.password.masked() == "***** (env RESTIC_PASSWORD)");
    CHECK(c.origins.at("/repositories/project:myapp/password") == "env RESTIC_PASSWORD");

    // The project's own password wins.
    const std::string own = std::string(kBare).replace(
        std::string(kBare).find("/backups/myapp}"), 15, "/backups/myapp, password: mine}");
    auto o = load_config_text(
        bk::testing::database_kinds(), own, "p.yml", env({{"RESTIC_PASSWORD", "from-env"}}));
    REQUIRE(o.problems.empty());
    CHECK(o.repositories.at("project:myapp").password.reveal() == "mine");
    CHECK_FALSE(o.origins.contains("/repositories/project:myapp/password"));

    // Neither: the project says what to give, and is disabled.
    auto none = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env({}));
    REQUIRE(none.problems.size() == 1);
    CHECK(none.problems.front().describe() ==
          "p.yml:5:13: projects[0].restic: has no password: give password or password_file, or "
          "set RESTIC_PASSWORD (project \"myapp\" is disabled)");
    CHECK_FALSE(none.projects.front().enabled);
}

TEST_CASE("ENCRYPTION_ENABLED and GPG_RECIPIENT encrypt a project without an encryption block",
          "[config][env]") {
    const std::string two = std::string(kBare) + R"(  - name: own
    database: {type: postgres, host: own-db, password: pw}
    restic: {repository_path: /backups/own}
    encryption: {recipient: ops@example.com}
  - name: keyed
    database: {type: postgres, host: keyed-db, password: pw}
    restic: {repository_path: /backups/keyed}
    encryption: {enabled: true, recipient: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01'}
)";
    const std::map<std::string, std::string> vars{{"RESTIC_PASSWORD", "r"},
                                                  {"ENCRYPTION_ENABLED", "true"},
                                                  {"ENCRYPTION_TYPE", "gpg"},
                                                  {"GPG_RECIPIENT", "backup@example.com"},
                                                  {"GPG_KEYS_DIR", "/app/gpg-keys"}};
    auto c = load_config_text(bk::testing::database_kinds(), two, "p.yml", env(vars));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    // No block: the environment's key, looked up in GPG_KEYS_DIR by bootstrap.
    CHECK(project(c, "myapp").encrypt == "env");
    CHECK(c.keys.at("env").recipient == "backup@example.com");
    CHECK(c.keys.at("env").keys_dir == "/app/gpg-keys");
    CHECK(c.keys.at("env").public_key_file.empty());
    CHECK(c.origins.at("/projects/myapp/encrypt") == "env ENCRYPTION_ENABLED");
    CHECK(c.origins.at("/keys/env/recipient") == "env GPG_RECIPIENT");
    // A block keeps its own `enabled` (default false), as the original did.
    CHECK(project(c, "own").encrypt == "none");
    // A recipient without public_key_file is looked up in GPG_KEYS_DIR too.
    CHECK(project(c, "keyed").encrypt == "project:keyed");
    CHECK(c.keys.at("project:keyed").keys_dir == "/app/gpg-keys");

    // GPG_KEYS_DIR unset: the original's default.
    auto d = load_config_text(
        bk::testing::database_kinds(), two, "p.yml", env({{"RESTIC_PASSWORD", "r"}}));
    REQUIRE(d.problems.empty());
    CHECK(d.keys.at("project:keyed").keys_dir == "/gpg-keys");
    CHECK(project(d, "myapp").encrypt == "none");  // ENCRYPTION_ENABLED unset: off
    CHECK_FALSE(d.keys.contains("env"));

    // ENCRYPTION_ENABLED=false, and a YAML default, both keep the environment's key out.
    auto off = vars;
    off["ENCRYPTION_ENABLED"] = "false";
    CHECK(project(load_config_text(bk::testing::database_kinds(), two, "p.yml", env(off)), "myapp")
              .encrypt == "none");
    auto own_default = load_config_text(
        bk::testing::database_kinds(),
        "keys:\n  ops: {public_key_file: /k/ops.asc}\ndefaults:\n  encrypt: ops\n" + two,
        "p.yml",
        env(vars));
    REQUIRE(own_default.problems.empty());
    CHECK(project(own_default, "myapp").encrypt == "ops");
}

TEST_CASE(
    "bad encryption variables are problems naming the variable, the value and the accepted ones",
    "[config][env]") {
    auto yes = load_config_text(
        bk::testing::database_kinds(),
        kBare,
        "p.yml",
        env({{"RESTIC_PASSWORD", "r"}, {"ENCRYPTION_ENABLED", "yes"}, {"GPG_RECIPIENT", "a@b.c"}}));
    REQUIRE(yes.problems.size() == 1);
    CHECK(yes.problems.front().describe() ==
          "environment: ENCRYPTION_ENABLED: \"yes\" is not a value it takes (true, false)");
    CHECK(yes.has_fatal_problems());
    CHECK(yes.projects.front().encrypt == "none");

    auto age = load_config_text(bk::testing::database_kinds(),
                                kBare,
                                "p.yml",
                                env({{"RESTIC_PASSWORD", "r"},
                                     {"ENCRYPTION_ENABLED", "true"},
                                     {"ENCRYPTION_TYPE", "age"},
                                     {"GPG_RECIPIENT", "a@b.c"}}));
    REQUIRE(age.problems.size() == 1);
    CHECK(age.problems.front().describe() ==
          "environment: ENCRYPTION_TYPE: \"age\" is not an encryption type (gpg)");

    auto nobody = load_config_text(
        bk::testing::database_kinds(),
        kBare,
        "p.yml",
        env({{"RESTIC_PASSWORD", "r"}, {"ENCRYPTION_ENABLED", "true"}, {"GPG_RECIPIENT", ""}}));
    REQUIRE(nobody.problems.size() == 1);
    CHECK_THAT(
        nobody.problems.front().describe(),
        Catch::StartsWith("environment: GPG_RECIPIENT: is not set, but ENCRYPTION_ENABLED=true"));
}

TEST_CASE(
    "NOTIFICATION_TYPE gives a project without a notification block the environment's notifier",
    "[config][env]") {
    const std::string yaml = std::string(kBare) + R"(  - name: own
    database: {type: postgres, host: own-db, password: pw}
    restic: {repository_path: /backups/own}
    notification: {type: webhook, config: {url: "https://own.example/hook"}}
  - name: quiet
    database: {type: postgres, host: quiet-db, password: pw}
    restic: {repository_path: /backups/quiet}
    notification: {type: none}
)";
    const std::map<std::string, std::string> vars{
        {"RESTIC_PASSWORD", "r"},
        {"NOTIFICATION_TYPE", "slack"},
        {"SLACK_WEBHOOK_URL", "https://hooks.slack.test/T0/B0/secret"},
        {"WEBHOOK_URL", "https://unused.example/"}};
    auto c = load_config_text(bk::testing::database_kinds(), yaml, "p.yml", env(vars));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    CHECK(project(c, "myapp").notify == std::vector<std::string>{"env"});
    const auto& n = c.notifiers.at("env");
    CHECK(n.type == "slack");
    CHECK(n.events == std::vector<std::string>{"all"});  // as the original: success too
    CHECK(n.secrets.at("webhook_url").reveal() == "https://hooks.slack.test/T0/B0/secret");
    CHECK(n.secrets.at("webhook_url").masked() == "***** (env SLACK_WEBHOOK_URL)");
    CHECK(c.origins.at("/notifiers/env/type") == "env NOTIFICATION_TYPE");
    CHECK(c.origins.at("/notifiers/env/secrets/webhook_url") == "env SLACK_WEBHOOK_URL");
    CHECK(c.origins.at("/projects/myapp/notify/0") == "env NOTIFICATION_TYPE");
    // A block is the project's own; its settings win over the environment's.
    CHECK(project(c, "own").notify == std::vector<std::string>{"project:own"});
    CHECK(c.notifiers.at("project:own").secrets.at("url").reveal() == "https://own.example/hook");
    CHECK_FALSE(c.origins.contains("/notifiers/project:own/secrets/url"));
    // type: none is no notifier, and no error.
    CHECK(project(c, "quiet").notify.empty());
    CHECK(project(c, "quiet").enabled);

    // A YAML default wins over the environment.
    auto d = load_config_text(bk::testing::database_kinds(),
                              "notifiers:\n  team: {type: webhook, url: https://team.example}\n"
                              "defaults:\n  notify: [team]\n" +
                                  yaml,
                              "p.yml",
                              env(vars));
    REQUIRE(d.problems.empty());
    CHECK(project(d, "myapp").notify == std::vector<std::string>{"team"});
    CHECK_FALSE(d.notifiers.contains("env"));
}

TEST_CASE("a notification block of a type without settings takes them from the environment",
          "[config][env]") {
    const std::string yaml = std::string(kBare) + "    notification: {type: slack}\n";
    auto c = load_config_text(
        bk::testing::database_kinds(),
        yaml,
        "p.yml",
        env({{"RESTIC_PASSWORD", "r"}, {"SLACK_WEBHOOK_URL", "https://hooks.slack.test/x"}}));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    const auto& n = c.notifiers.at("project:myapp");
    CHECK(n.secrets.at("webhook_url").reveal() == "https://hooks.slack.test/x");
    CHECK(c.origins.at("/notifiers/project:myapp/secrets/webhook_url") == "env SLACK_WEBHOOK_URL");

    // Without the variable the project says what it needs and is disabled.
    auto bare = load_config_text(bk::testing::database_kinds(),
                                 std::string(kBare) + "    notification: {type: webhook}\n",
                                 "p.yml",
                                 env({{"RESTIC_PASSWORD", "r"}}));
    REQUIRE(bare.problems.size() == 1);
    CHECK_THAT(
        bare.problems.front().describe(),
        Catch::EndsWith("projects[0].notification: a webhook notification needs its "
                        "settings in config: or WEBHOOK_URL set (project \"myapp\" is disabled)"));
    auto teams = load_config_text(bk::testing::database_kinds(),
                                  std::string(kBare) + "    notification: {type: teams}\n",
                                  "p.yml",
                                  env({{"RESTIC_PASSWORD", "r"}}));
    REQUIRE(teams.problems.size() == 1);
    CHECK_THAT(
        teams.problems.front().message,
        Catch::Contains("\"teams\" is not a notification type (slack, webhook, email, none)"));
}

TEST_CASE("NOTIFICATION_TYPE=email maps the SMTP variables to the e-mail notifier's settings",
          "[config][env]") {
    const std::map<std::string, std::string> vars{{"RESTIC_PASSWORD", "r"},
                                                  {"NOTIFICATION_TYPE", "email"},
                                                  {"SMTP_HOST", "smtp.example"},
                                                  {"SMTP_PORT", "587"},
                                                  {"SMTP_SECURE", "false"},
                                                  {"SMTP_USER", "mailer"},
                                                  {"SMTP_PASSWORD", "smtp-secret"},
                                                  {"SMTP_TO", "ops@example.com"}};
    auto c = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(vars));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    const auto& n = c.notifiers.at("env");
    CHECK(n.type == "email");
    CHECK(n.settings.at("host") == "smtp.example");
    CHECK(n.settings.at("port") == "587");
    CHECK(n.settings.at("username") == "mailer");
    CHECK(n.settings.at("to") == "ops@example.com");
    CHECK(n.settings.at("from") == "backupctl@localhost");  // the original's default
    CHECK_FALSE(n.settings.contains("starttls"));           // STARTTLS, always
    CHECK(n.secrets.at("password").reveal() == "smtp-secret");
    CHECK(n.secrets.at("password").masked() == "***** (env SMTP_PASSWORD)");
    CHECK(c.origins.at("/notifiers/env/settings/host") == "env SMTP_HOST");
    CHECK(c.origins.at("/notifiers/env/settings/from") == "the original's default for SMTP_FROM");

    auto secure = vars;
    secure["SMTP_SECURE"] = "true";
    secure["SMTP_PORT"] = "465";
    auto s = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(secure));
    REQUIRE(s.problems.size() == 1);
    CHECK_THAT(
        s.problems.front().describe(),
        Catch::StartsWith("environment: SMTP_SECURE: \"true\" (TLS from the first byte, port "
                          "465) is not supported"));

    auto partial = vars;
    partial.erase("SMTP_HOST");
    partial.erase("SMTP_TO");
    auto p = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(partial));
    REQUIRE(p.problems.size() == 1);
    CHECK(p.problems.front().describe() ==
          "environment: NOTIFICATION_TYPE: is email, but SMTP_HOST and SMTP_TO is not set");
    CHECK(p.has_fatal_problems());
}

TEST_CASE(
    "NOTIFICATION_TYPE none is no notifier, an unknown type is a problem with the accepted ones",
    "[config][env]") {
    auto none = load_config_text(bk::testing::database_kinds(),
                                 kBare,
                                 "p.yml",
                                 env({{"RESTIC_PASSWORD", "r"}, {"NOTIFICATION_TYPE", "none"}}));
    REQUIRE(none.problems.empty());
    CHECK(none.projects.front().notify.empty());
    CHECK(none.notifiers.empty());

    auto teams = load_config_text(bk::testing::database_kinds(),
                                  kBare,
                                  "p.yml",
                                  env({{"RESTIC_PASSWORD", "r"}, {"NOTIFICATION_TYPE", "teams"}}));
    REQUIRE(teams.problems.size() == 1);
    CHECK(teams.problems.front().describe() ==
          "environment: NOTIFICATION_TYPE: \"teams\" is not a value it takes (slack, webhook, "
          "email, none)");
    auto typo = load_config_text(bk::testing::database_kinds(),
                                 kBare,
                                 "p.yml",
                                 env({{"RESTIC_PASSWORD", "r"}, {"NOTIFICATION_TYPE", "slak"}}));
    REQUIRE(typo.problems.size() == 1);
    CHECK_THAT(typo.problems.front().message, Catch::EndsWith("did you mean \"slack\"?"));
}

TEST_CASE("TIMEZONE and DAILY_SUMMARY_CRON fill what the YAML leaves out, retries are warnings",
          "[config][env]") {
    const std::map<std::string, std::string> vars{{"RESTIC_PASSWORD", "r"},
                                                  {"TIMEZONE", "Europe/Berlin"},
                                                  {"DAILY_SUMMARY_CRON", "0 7 * * *"},
                                                  {"BACKUP_RETRY_COUNT", "3"},
                                                  {"BACKUP_RETRY_DELAY_MS", "5000"}};
    auto c = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(vars));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    CHECK(c.timezone == "Europe/Berlin");
    CHECK(c.daemon.summary_cron == "0 7 * * *");
    CHECK(c.origins.at("/timezone") == "env TIMEZONE");
    CHECK(c.origins.at("/daemon/summary_cron") == "env DAILY_SUMMARY_CRON");
    const auto warnings = described(c.warnings);
    REQUIRE(warnings.size() == 2);
    CHECK(has(warnings,
              "environment: BACKUP_RETRY_COUNT: \"3\" is ignored: backupctl does not "
              "retry a stage"));
    CHECK(has(warnings, "environment: BACKUP_RETRY_DELAY_MS: \"5000\" is ignored"));

    // The YAML's own values win.
    auto own = load_config_text(
        bk::testing::database_kinds(),
        "timezone: UTC\ndaemon: {summary_cron: '0 9 * * *'}\n" + std::string(kBare),
        "p.yml",
        env(vars));
    REQUIRE(own.problems.empty());
    CHECK(own.timezone == "UTC");
    CHECK(own.daemon.summary_cron == "0 9 * * *");
    CHECK_FALSE(own.origins.contains("/timezone"));

    auto bad = vars;
    bad["DAILY_SUMMARY_CRON"] = "0 7 * *";
    auto b = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(bad));
    REQUIRE(b.problems.size() == 1);
    CHECK_THAT(b.problems.front().describe(),
               Catch::StartsWith("environment: DAILY_SUMMARY_CRON: \"0 7 * *\" is not a schedule"));
}

TEST_CASE("without projects the original's variables are not read", "[config][env]") {
    auto c = load_config_text(bk::testing::database_kinds(),
                              "repositories:\n  default: {url: /r, password: x}\n",
                              "l.yml",
                              env({{"TIMEZONE", "Europe/Berlin"},
                                   {"NOTIFICATION_TYPE", "teams"},
                                   {"BACKUP_RETRY_COUNT", "3"}}));
    CHECK(c.problems.empty());
    CHECK(c.warnings.empty());
    CHECK(c.timezone == "UTC");
    CHECK(c.origins.empty());
}

TEST_CASE("UPTIME_KUMA_BASE_URL is a project monitor's base_url, and says so", "[config][env]") {
    auto c = load_config_text(
        bk::testing::database_kinds(),
        std::string(kBare) + "    monitor: {type: uptime-kuma, config: {push_token: tok}}\n",
        "p.yml",
        env({{"RESTIC_PASSWORD", "r"}, {"UPTIME_KUMA_BASE_URL", "https://kuma.example"}}));
    REQUIRE(c.problems.empty());
    CHECK(c.monitors.at("project:myapp").settings.at("base_url") == "https://kuma.example");
    CHECK(c.origins.at("/monitors/project:myapp/settings/base_url") == "env UPTIME_KUMA_BASE_URL");
}

TEST_CASE("HETZNER_SSH_* put a project's repository_path on the storage box, host key pinned",
          "[config][env]") {
    bk::testing::TempDir dir;
    const auto key = (dir.path() / "id_ed25519").string();
    std::ofstream(key) << "not read at load time\n";
    const std::map<std::string, std::string> box{{"RESTIC_PASSWORD", "r"},
                                                 {"HETZNER_SSH_HOST", "u1.your-storagebox.de"},
                                                 {"HETZNER_SSH_USER", "u1"},
                                                 {"HETZNER_SSH_KEY_PATH", key}};
    // No known_hosts anywhere: the fix is named, nothing is trusted blindly.
    auto unpinned = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(box));
    const auto problems = described(unpinned.problems);
    INFO(Catch::Detail::stringify(problems));
    CHECK(has(problems,
              "projects[0].restic.repository_path: is on the storage box "
              "u1.your-storagebox.de, whose host key must be pinned: run `ssh-keyscan -p 22 "
              "u1.your-storagebox.de > " +
                  (dir.path() / "known_hosts").string() + "`"));

    // known_hosts beside the key (as the original's ssh-keys directory), the port from the env.
    std::ofstream(dir.path() / "known_hosts") << "[u1.your-storagebox.de]:23 ssh-ed25519 AAAA\n";
    auto vars = box;
    vars["HETZNER_SSH_PORT"] = "23";
    auto c = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(vars));
    INFO(Catch::Detail::stringify(described(c.problems)));
    REQUIRE(c.problems.empty());
    const auto& repo = c.repositories.at("project:myapp");
    CHECK(repo.url == "sftp:u1@u1.your-storagebox.de:/backups/myapp");
    CHECK(repo.has_ssh);
    CHECK(repo.ssh.key_file == key);
    CHECK(repo.ssh.port == 23);
    CHECK(repo.ssh.known_hosts_file == (dir.path() / "known_hosts").string());
    CHECK_FALSE(repo.ssh.accept_new_host_key);
    CHECK(c.origins.at("/repositories/project:myapp/ssh/port") == "env HETZNER_SSH_PORT");
    CHECK(c.origins.at("/repositories/project:myapp/ssh/known_hosts_file") ==
          "beside HETZNER_SSH_KEY_PATH");

    // Without a port: the original's code default (22), said so.
    auto d = load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(box));
    REQUIRE(d.problems.empty());
    CHECK(d.repositories.at("project:myapp").ssh.port == 22);
    CHECK_THAT(d.origins.at("/repositories/project:myapp/ssh/port"),
               Catch::Contains("the original's code (its docs said 23)"));

    // A repository with a scheme of its own stays as it is; no HETZNER_SSH_HOST: local.
    const std::string s3 = R"(projects:
  - name: other
    database: {type: postgres, host: db, password: pw}
    restic: {repository_path: "s3:https://s3.example/b/r", password: r}
)";
    auto e = load_config_text(bk::testing::database_kinds(), s3, "p.yml", env(vars));
    CHECK(e.repositories.at("project:other").url == "s3:https://s3.example/b/r");
    auto f = load_config_text(
        bk::testing::database_kinds(), kBare, "p.yml", env({{"RESTIC_PASSWORD", "r"}}));
    CHECK(f.repositories.at("project:myapp").url == "/backups/myapp");

    // A user but no key; a port that is none.
    auto nokey = box;
    nokey.erase("HETZNER_SSH_KEY_PATH");
    CHECK(has(
        described(
            load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(nokey)).problems),
        "HETZNER_SSH_KEY_PATH is not set"));
    auto badport = vars;
    badport["HETZNER_SSH_PORT"] = "twenty-three";
    CHECK(has(
        described(
            load_config_text(bk::testing::database_kinds(), kBare, "p.yml", env(badport)).problems),
        "HETZNER_SSH_PORT: \"twenty-three\" is not a port"));
}
