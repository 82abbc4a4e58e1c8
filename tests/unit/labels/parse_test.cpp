#include "backupctl/labels/parse.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "backupctl/labels/schema.hpp"
#include "domain/operator_config.hpp"
#include "domain/printable.hpp"
#include "support/kinds.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using labels::ContainerFacts;
using labels::parse_labels;

namespace {

domain::OperatorConfig config() {
    domain::OperatorConfig c;
    c.database_kinds = bk::testing::database_kinds();
    c.repositories["default"] = {};
    c.repositories["offsite"] = {};
    c.keys["ops"] = {};
    c.notifiers["team-slack"] = {};
    c.monitors["kuma"] = {};
    return c;
}

ContainerFacts pg(std::map<std::string, std::string> extra = {}) {
    ContainerFacts f;
    f.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    f.name = "shop-db-1";
    f.image = "postgres:16.2";
    f.state = "running";
    f.labels = {{"com.docker.compose.project", "shop"},
                {"com.docker.compose.service", "db"},
                {"backupctl.enable", "true"}};
    for (auto& [k, v] : extra) {
        f.labels[k] = v;
    }
    f.networks = {"shop_default", "bridge"};
    f.mounts = {{"volume", "shop_pgdata", "/var/lib/postgresql/data"},
                {"bind", "", "/srv/uploads"}};
    return f;
}

const domain::LabelProblem& only_problem(const labels::LabelOutcome& o) {
    REQUIRE(o.problems.size() == 1);
    return o.problems.front();
}

}  // namespace

TEST_CASE("a labelled postgres container becomes a target with resolved defaults", "[labels]") {
    auto cfg = config();
    auto o = parse_labels(pg(), cfg);
    REQUIRE(o.disposition == domain::Disposition::target);
    REQUIRE(o.target);
    const auto& t = *o.target;
    CHECK(t.name == "shop-db");
    CHECK(t.compose_project == "shop");
    CHECK(t.network == "shop_default");
    REQUIRE(t.database);
    CHECK(t.database->kind_name() == "postgres");
    CHECK(t.database->names.empty());  // auto: from the env at run time
    CHECK(t.database->dump_image.empty());
    CHECK(t.cron == cfg.defaults.cron);
    CHECK(t.retention == cfg.defaults.retention);
    CHECK(t.repository == "default");
    CHECK(t.encrypt == "none");
    CHECK(t.min_interval == std::chrono::hours(1));
    CHECK(o.problems.empty());
}

TEST_CASE("every label is read", "[labels]") {
    auto cfg = config();
    cfg.security.allow_label_hooks = true;
    cfg.security.dump_images = {"postgres:16*"};
    cfg.security.labels_may_use.monitors = {"kuma"};  // none by default
    auto o = parse_labels(pg({{"backupctl.name", "shop-main"},
                              {"backupctl.db.type", "postgres"},
                              {"backupctl.db.name", "shop, audit"},
                              {"backupctl.db.user", "backup"},
                              {"backupctl.db.password-env", "SHOP_DB_PASSWORD"},
                              {"backupctl.db.image", "postgres:16.3"},
                              {"backupctl.network", "bridge"},
                              {"backupctl.volumes", "shop_pgdata,/srv/uploads"},
                              {"backupctl.stop-during-backup", "yes"},
                              {"backupctl.cron", "*/15 2-4 * * mon-fri"},
                              {"backupctl.verify-cron", "@monthly"},
                              {"backupctl.on", "start,image-change"},
                              {"backupctl.min-interval", "1h30m"},
                              {"backupctl.retention", "last=3,daily=7,weekly=4,monthly=6"},
                              {"backupctl.repository", "offsite"},
                              {"backupctl.encrypt", "ops"},
                              {"backupctl.notify", "team-slack"},
                              {"backupctl.monitor", "kuma"},
                              {"backupctl.hooks.pre", "psql -c 'CHECKPOINT'"}}),
                          cfg);
    INFO((o.problems.empty() ? std::string() : o.problems.front().describe()));
    REQUIRE(o.disposition == domain::Disposition::target);
    const auto& t = *o.target;
    CHECK(t.name == "shop-main");
    CHECK(t.database->names == std::vector<std::string>{"shop", "audit"});
    CHECK(t.database->user == "backup");
    CHECK(t.database->password_env == "SHOP_DB_PASSWORD");
    CHECK(t.database->dump_image == "postgres:16.3");
    CHECK(t.network == "bridge");
    CHECK(t.volumes == std::vector<std::string>{"shop_pgdata", "/srv/uploads"});
    CHECK(t.stop_during_backup);
    CHECK(t.cron == "*/15 2-4 * * mon-fri");
    CHECK(t.verify_cron == "@monthly");
    CHECK(t.triggers == std::vector<std::string>{"start", "image-change"});
    CHECK(t.min_interval == std::chrono::minutes(90));
    CHECK(t.retention.to_string() == "last=3,daily=7,weekly=4,monthly=6");
    CHECK(t.repository == "offsite");
    CHECK(t.encrypt == "ops");
    CHECK(t.notify == std::vector<std::string>{"team-slack"});
    CHECK(t.monitor == "kuma");
    CHECK(t.pre_hook == std::vector<std::string>{"psql", "-c", "CHECKPOINT"});
}

TEST_CASE("unknown keys are reported with the nearest valid key", "[labels]") {
    auto cfg = config();
    for (auto [key, want] : std::vector<std::pair<std::string, std::string>>{
             {"backupctl.crom", "backupctl.cron"},
             {"backupctl.db.nmae", "backupctl.db.name"},
             {"backupctl.retension", "backupctl.retention"},
             {"backupctl.db.names", "backupctl.db.name"},
             {"backupctl.stop-during-backups", "backupctl.stop-during-backup"}}) {
        auto o = parse_labels(pg({{key, "x"}}), cfg);
        CHECK(o.disposition == domain::Disposition::invalid);
        CHECK_FALSE(o.target);
        const auto& p = only_problem(o);
        CHECK(p.label == key);
        CHECK(p.message == "is not a backupctl label");
        CHECK(p.suggestion == "did you mean " + want + "?");
    }
}

TEST_CASE("near-miss prefixes are reported, not ignored", "[labels]") {
    auto cfg = config();
    for (const char* key : {"backupctl-enable",
                            "backup-ctl.enable",
                            "backupctl_enable",
                            "backupclt.enable",
                            "Backupctl.enable",
                            "backupctl-cron"}) {
        ContainerFacts f = pg();
        f.labels.erase("backupctl.enable");
        f.labels[key] = "true";
        auto o = parse_labels(f, cfg);
        INFO(key);
        CHECK(o.disposition == domain::Disposition::invalid);
        REQUIRE_FALSE(o.problems.empty());
        CHECK(o.problems.front().label == key);
        CHECK_THAT(o.problems.front().suggestion, Catch::StartsWith("did you mean backupctl."));
        CHECK(labels::mentions_backupctl(f.labels));
    }
    // Labels of other tools are left alone.
    ContainerFacts other = pg();
    other.labels = {{"traefik.enable", "true"},
                    {"com.centurylinklabs.watchtower.enable", "true"},
                    {"docker-volume-backup.stop-during-backup", "true"}};
    CHECK_FALSE(labels::mentions_backupctl(other.labels));
    CHECK(parse_labels(other, cfg).disposition == domain::Disposition::not_enabled);
}

TEST_CASE("secrets in labels are refused and never echoed", "[labels][secrets]") {
    auto cfg = config();
    const std::vector<std::pair<std::string, std::string>> cases{
        {"backupctl.db.password", "hunter2"},
        {"backupctl.db.password-env", "postgres://app:hunter2@db:5432/app"},
        {"backupctl.db.user", "app password=hunter2"},
        {"backupctl.name", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"},
        {"backupctl.notify",
         "https://hooks.example.com/services/T000/B000/XyZ9aBcD3eFgH1iJkL2mNoP4"},
        {"backupctl.repository", "s3://AKIAABCDEFGHIJ:Secret123@bucket/x"},
    };
    for (const auto& [key, value] : cases) {
        auto o = parse_labels(pg({{key, value}}), cfg);
        INFO(key << "=" << value);
        CHECK(o.disposition == domain::Disposition::invalid);
        REQUIRE_FALSE(o.problems.empty());
        bool found = false;
        for (const auto& p : o.problems) {
            CHECK(p.describe().find("hunter2") == std::string::npos);
            CHECK(p.describe().find(value) == std::string::npos);
            found = found || (p.label == key && p.value == "(redacted)");
        }
        CHECK(found);
    }
    // Digests and ordinary words are not secrets.
    CHECK_FALSE(labels::secret_reason(
        "db.image",
        "postgres@sha256:4f2e1a8b9c0d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"));
    CHECK_FALSE(labels::secret_reason("db.password-env", "POSTGRES_PASSWORD"));
    CHECK_FALSE(labels::secret_reason("cron", "0 3 * * *"));
}

TEST_CASE("bad values get precise errors", "[labels]") {
    auto cfg = config();
    struct Case {
        std::string key;
        std::string value;
        std::string message_part;
        std::string suggestion_part;
    };
    const std::vector<Case> cases{
        {"backupctl.cron", "0 25 * * *", "hour: 25 is out of range 0-23", ""},
        {"backupctl.cron", "0 3 * *", "expected 5 fields", ""},
        {"backupctl.cron", "@dialy", "unknown macro", ""},
        {"backupctl.retention", "last=3,dayly=7", "did you mean \"daily\"", ""},
        {"backupctl.retention", "last=0", "keeps nothing", ""},
        {"backupctl.retention", "last=three", "is not a count", ""},
        {"backupctl.db.type", "postgress", "is not a database type", "did you mean postgres?"},
        {"backupctl.min-interval", "1 hour", "not a duration", ""},
        {"backupctl.on", "start,restart", "\"restart\" is not a trigger", ""},
        {"backupctl.network",
         "shop_defualt",
         "is not a network of this container",
         "did you mean shop_default?"},
        {"backupctl.volumes", "pgdata", "is neither a volume nor a mount path", ""},
        {"backupctl.repository", "ofsite", "names no entry", "did you mean offsite?"},
        {"backupctl.encrypt", "opz", "names no key", "did you mean ops?"},
        {"backupctl.notify", "team-slak", "names no notifier", "did you mean team-slack?"},
        {"backupctl.name", "Shop DB", "is not a valid target name", "e.g. shop-db"},
        {"backupctl.enable", "maybe", "is not true or false", ""},
        {"backupctl.stop-during-backup", "sometimes", "is not true or false", ""},
        {"backupctl.db.password-env", "my password", "expects the NAME", ""},
        {"backupctl.db.image", "evil/image:latest", "refused unless the operator's config", ""},
        {"backupctl.hooks.pre", "rm -rf /", "refused unless the operator's config", ""},
        {"backupctl.cron", std::string(2000, '1'), "the limit is 1024", ""},
    };
    for (const auto& c : cases) {
        auto o = parse_labels(pg({{c.key, c.value}}), cfg);
        INFO(c.key << "=" << c.value.substr(0, 40));
        CHECK(o.disposition == domain::Disposition::invalid);
        const auto& p = only_problem(o);
        CHECK(p.label == c.key);
        CHECK_THAT(p.message, Catch::Contains(c.message_part));
        if (!c.suggestion_part.empty()) {
            CHECK_THAT(p.suggestion, Catch::Contains(c.suggestion_part));
        }
    }
}

TEST_CASE("the database type comes from the image or the label", "[labels]") {
    auto cfg = config();
    for (auto [image, type] : std::vector<std::pair<std::string, std::string>>{
             {"postgres:15", "postgres"},
             {"postgis/postgis:16-3.4", "postgres"},
             {"timescale/timescaledb:latest-pg16", "postgres"},
             {"mariadb:11", "mariadb"},
             {"mysql:8.0", "mysql"},
             {"percona:8", "mysql"},
             {"mongo:7", "mongodb"},
             {"registry.example.com:5000/team/postgres@sha256:abc", "postgres"}}) {
        auto f = pg();
        f.image = image;
        auto o = parse_labels(f, cfg);
        INFO(image);
        REQUIRE(o.target);
        CHECK(o.target->database->kind_name() == type);
    }
    // An app image: files only when volumes are named, else an error naming the fix.
    auto app = pg();
    app.image = "ghcr.io/acme/shop:1.2";
    auto o = parse_labels(app, cfg);
    CHECK(o.disposition == domain::Disposition::invalid);
    CHECK_THAT(only_problem(o).message, Catch::Contains("nothing to back up"));
    app.labels["backupctl.volumes"] = "/srv/uploads";
    auto files = parse_labels(app, cfg);
    REQUIRE(files.target);
    CHECK_FALSE(files.target->database);
    app.labels["backupctl.db.name"] = "shop";
    auto noinfer = parse_labels(app, cfg);
    CHECK_THAT(only_problem(noinfer).message, Catch::Contains("cannot be inferred"));
}

TEST_CASE("scope, opt-out, one-off containers and missing enable", "[labels]") {
    auto cfg = config();
    auto off = parse_labels(pg({{"backupctl.enable", "false"}}), cfg);
    CHECK(off.disposition == domain::Disposition::not_enabled);
    auto scoped = parse_labels(pg({{"backupctl.scope", "prod"}}), cfg);
    CHECK(scoped.disposition == domain::Disposition::other_scope);
    cfg.scope = "prod";
    auto mine = parse_labels(pg({{"backupctl.scope", "prod"}}), cfg);
    CHECK(mine.disposition == domain::Disposition::target);
    CHECK(mine.target->scope == "prod");
    auto unscoped = parse_labels(pg(), cfg);
    CHECK(unscoped.disposition == domain::Disposition::other_scope);
    cfg.scope.clear();
    auto oneoff = parse_labels(pg({{"com.docker.compose.oneoff", "True"}}), cfg);
    CHECK(oneoff.disposition == domain::Disposition::ignored);
    auto f = pg({{"backupctl.cron", "@daily"}});
    f.labels.erase("backupctl.enable");
    auto missing = parse_labels(f, cfg);
    CHECK(missing.disposition == domain::Disposition::invalid);
    CHECK(only_problem(missing).label == "backupctl.enable");
}

TEST_CASE("names without compose come from the container", "[labels]") {
    auto f = pg();
    f.labels.erase("com.docker.compose.project");
    f.labels.erase("com.docker.compose.service");
    f.name = "My_Postgres";
    auto o = parse_labels(f, config());
    REQUIRE(o.target);
    CHECK(o.target->name == "my_postgres");
}

TEST_CASE("hooks become an argv without a shell", "[labels]") {
    CHECK(labels::split_command("pg_dump -d 'my db' \"a \\\"b\\\"\" c\\ d") ==
          std::vector<std::string>{"pg_dump", "-d", "my db", "a \"b\"", "c d"});
    CHECK(labels::split_command("echo $(id); rm -rf /") ==
          std::vector<std::string>{"echo", "$(id);", "rm", "-rf", "/"});
    CHECK_FALSE(labels::split_command("echo 'open"));
    CHECK(labels::glob_match("postgres:*", "postgres:16.3"));
    CHECK(labels::glob_match("*/postgres:1?", "docker.io/postgres:16"));
    CHECK_FALSE(labels::glob_match("postgres:*", "evil/postgres:16"));
}

TEST_CASE("docs/labels.md is generated from the schema and up to date", "[labels][docs]") {
    std::ifstream in(std::string(BK_SOURCE_DIR) + "/docs/labels.md");
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    INFO("regenerate with: build/src/backupctl docs labels > docs/labels.md");
    CHECK(ss.str() == labels::render_label_reference(*bk::testing::database_kinds()));
    for (const auto& spec : labels::label_schema()) {
        CHECK_THAT(ss.str(), Catch::Contains("`backupctl." + std::string(spec.key) + "`"));
    }
}

// --- what labels may reach (audit M5) ----------------------------------------------------------

TEST_CASE("a label may name a monitor only when the operator lists it", "[labels][security]") {
    auto cfg = config();
    cfg.monitors["shop-db-check"] = {};
    auto bound = parse_labels(pg({{"backupctl.monitor", "shop-db-check"}}), cfg);
    REQUIRE(bound.disposition == domain::Disposition::invalid);
    const auto& p = only_problem(bound);
    CHECK(p.label == "backupctl.monitor");
    CHECK(p.message ==
          "\"shop-db-check\" is not one of the monitors labels may name "
          "(security.labels_may_use.monitors)");

    cfg.security.labels_may_use.monitors = {"tenant-*"};
    CHECK(parse_labels(pg({{"backupctl.monitor", "shop-db-check"}}), cfg).disposition ==
          domain::Disposition::invalid);
    cfg.monitors["tenant-shop"] = {};
    auto listed = parse_labels(pg({{"backupctl.monitor", "tenant-shop"}}), cfg);
    REQUIRE(listed.disposition == domain::Disposition::target);
    CHECK(listed.target->monitor == "tenant-shop");

    // what the target gets without the label may always be named
    cfg.security.labels_may_use.monitors.clear();
    cfg.defaults.monitor = "kuma";
    CHECK(parse_labels(pg({{"backupctl.monitor", "kuma"}}), cfg).disposition ==
          domain::Disposition::target);
}

TEST_CASE("repositories and notifiers are open to labels unless the operator narrows them",
          "[labels][security]") {
    auto cfg = config();
    auto open = parse_labels(
        pg({{"backupctl.repository", "offsite"}, {"backupctl.notify", "team-slack"}}), cfg);
    REQUIRE(open.disposition == domain::Disposition::target);
    CHECK(open.target->repository == "offsite");

    cfg.security.labels_may_use.repositories = {"default"};
    cfg.security.labels_may_use.notifiers = {};
    auto narrowed = parse_labels(
        pg({{"backupctl.repository", "offsite"}, {"backupctl.notify", "team-slack"}}), cfg);
    REQUIRE(narrowed.disposition == domain::Disposition::invalid);
    REQUIRE(narrowed.problems.size() == 2);
    CHECK(narrowed.problems[0].label == "backupctl.repository");
    CHECK(narrowed.problems[0].message.find("security.labels_may_use.repositories") !=
          std::string::npos);
    CHECK(narrowed.problems[1].label == "backupctl.notify");
    // defaults.notify entries stay reachable
    cfg.defaults.notify = {"team-slack"};
    CHECK(parse_labels(pg({{"backupctl.notify", "team-slack"}}), cfg).disposition ==
          domain::Disposition::target);
}

TEST_CASE("encrypt: none is refused when the operator requires encryption", "[labels][security]") {
    auto cfg = config();
    cfg.defaults.encrypt = "ops";
    auto off = parse_labels(pg({{"backupctl.encrypt", "none"}}), cfg);
    REQUIRE(off.disposition == domain::Disposition::target);  // allowed unless required
    CHECK(off.target->encrypt == "none");

    cfg.security.require_encryption = true;
    auto refused = parse_labels(pg({{"backupctl.encrypt", "none"}}), cfg);
    REQUIRE(refused.disposition == domain::Disposition::invalid);
    CHECK(only_problem(refused).label == "backupctl.encrypt");
    CHECK_THAT(only_problem(refused).message,
               Catch::Contains("requires encryption (security.require_encryption)"));
    CHECK(refused.container_name == "shop-db-1");
    auto keyed = parse_labels(pg({{"backupctl.encrypt", "ops"}}), cfg);
    CHECK(keyed.disposition == domain::Disposition::target);
}

// --- names that are not printable (audit L2, L3) -----------------------------------------------

TEST_CASE("a label value with a control character is refused and shown escaped",
          "[labels][security]") {
    auto cfg = config();
    auto o = parse_labels(pg({{"backupctl.db.name", "shop\r\nContent-Type: text/html"}}), cfg);
    REQUIRE(o.disposition == domain::Disposition::invalid);
    const auto& p = only_problem(o);
    CHECK(p.label == "backupctl.db.name");
    CHECK(p.value == "shop\\r\\nContent-Type: text/html");
    CHECK(p.message == "holds a control character (U+000D at byte 4)");

    for (const std::string bad : {"a\x1b[31mb",
                                  "a\x7f",
                                  "a\xc2\x9b"
                                  "31m",
                                  "evil\xe2\x80\xaegpj.",
                                  "\xff\xfe"}) {
        INFO(bad);
        auto each = parse_labels(pg({{"backupctl.name", bad}}), cfg);
        CHECK(each.disposition == domain::Disposition::invalid);
        for (const auto& q : each.problems) {
            CHECK_FALSE(domain::unprintable(q.value));
            CHECK_FALSE(domain::unprintable(q.label));
        }
    }
    // the same in a key nobody reads: its problem is escaped too
    auto key = parse_labels(pg({{"backupctl.x\x1b[2J", "1"}}), cfg);
    for (const auto& q : key.problems)
        CHECK_FALSE(domain::unprintable(q.label));
    // a hook's line breaks only separate its words; UTF-8 text is fine
    cfg.security.allow_label_hooks = true;
    auto hook = parse_labels(pg({{"backupctl.hooks.pre", "echo\n  é"}}), cfg);
    REQUIRE(hook.disposition == domain::Disposition::target);
    CHECK(hook.target->pre_hook == std::vector<std::string>{"echo", "é"});
}

TEST_CASE("database names and users that a client would read as options are refused",
          "[labels][security]") {
    auto cfg = config();
    auto name = parse_labels(pg({{"backupctl.db.name", "shop, --host=evil"}}), cfg);
    REQUIRE(name.disposition == domain::Disposition::invalid);
    CHECK(only_problem(name).label == "backupctl.db.name");
    CHECK_THAT(only_problem(name).message, Catch::Contains("\"--host=evil\" starts with '-'"));
    auto user = parse_labels(pg({{"backupctl.db.user", "-x"}}), cfg);
    REQUIRE(user.disposition == domain::Disposition::invalid);
    CHECK(only_problem(user).label == "backupctl.db.user");
    // '=' in a name is a name (the dumper quotes it as a conninfo)
    CHECK(parse_labels(pg({{"backupctl.db.name", "a=b"}}), cfg).disposition ==
          domain::Disposition::target);
}

// --- backupctl's own containers (audit L8) -----------------------------------------------------

TEST_CASE("backupctl's own dump, drill and restored containers are neither targets nor invalid",
          "[labels]") {
    auto cfg = config();
    // A dump container runs the target's image: the image's own backupctl labels come along.
    ContainerFacts dump = pg();
    dump.name = "backupctl-dump-20261126-1";
    dump.labels = {{"backupctl.enable", "true"},
                   {"backupctl.ephemeral", "true"},
                   {"backupctl.instance", "0a1b2c3d-0123456789abcdef"},
                   {"backupctl.for-target", "shop-db"},
                   {"backupctl.run", "20261126T030000-abc"}};
    auto o = parse_labels(dump, cfg);
    CHECK(o.disposition == domain::Disposition::ignored);
    CHECK(o.problems.empty());
    CHECK(o.note == "backupctl's own container for target shop-db, run 20261126T030000-abc");

    ContainerFacts restored = pg({{"backupctl.restored-from", "shop-db"}});
    auto r = parse_labels(restored, cfg);
    CHECK(r.disposition == domain::Disposition::ignored);
    CHECK(r.note == "a copy restored from target shop-db by backupctl restore --new-container");

    // Not ours without the labels backupctl sets together: the ephemeral label alone is a
    // misspelt target, reported.
    auto half = parse_labels(pg({{"backupctl.ephemeral", "true"}}), cfg);
    CHECK(half.disposition == domain::Disposition::invalid);
}

TEST_CASE("deadline labels shorten the defaults and lengthen them only as far as allowed",
          "[labels][deadline]") {
    auto cfg = config();
    cfg.defaults.timeout = std::chrono::hours(6);
    cfg.defaults.idle_timeout = std::chrono::minutes(10);
    cfg.defaults.drill_timeout = std::chrono::hours(2);
    cfg.security.max_label_timeout = std::chrono::hours(12);

    auto plain = parse_labels(pg(), cfg);
    REQUIRE(plain.target);
    CHECK(plain.target->timeout == std::chrono::hours(6));
    CHECK(plain.target->idle_timeout == std::chrono::minutes(10));
    CHECK(plain.target->drill_timeout == std::chrono::hours(2));
    CHECK(plain.target->hook_timeout == std::chrono::seconds(60));

    auto own = parse_labels(pg({{"backupctl.timeout", "30m"},
                                {"backupctl.idle-timeout", "90s"},
                                {"backupctl.drill-timeout", "12h"},
                                {"backupctl.hooks.timeout", "5m"}}),
                            cfg);
    REQUIRE(own.target);
    CHECK(own.target->timeout == std::chrono::minutes(30));
    CHECK(own.target->idle_timeout == std::chrono::seconds(90));
    CHECK(own.target->drill_timeout == std::chrono::hours(12));
    CHECK(own.target->hook_timeout == std::chrono::minutes(5));

    // A tenant cannot hold a worker (and the repository's gate) for longer than the operator
    // allows.
    for (const char* key : {"backupctl.timeout",
                            "backupctl.idle-timeout",
                            "backupctl.drill-timeout",
                            "backupctl.hooks.timeout"}) {
        auto o = parse_labels(pg({{key, "100d"}}), cfg);
        INFO(key);
        CHECK(o.disposition == domain::Disposition::invalid);
        const auto& p = only_problem(o);
        CHECK(p.label == key);
        CHECK_THAT(p.message, Catch::Contains("security.max_label_timeout 12h"));
    }
    auto zero = parse_labels(pg({{"backupctl.timeout", "0s"}}), cfg);
    CHECK_THAT(only_problem(zero).message, Catch::Contains("more than 0"));
    auto word = parse_labels(pg({{"backupctl.idle-timeout", "forever"}}), cfg);
    CHECK_THAT(only_problem(word).message, Catch::Contains("not a duration"));
}

TEST_CASE("a sqlite target names its files, the operator's config names the helper image",
          "[labels][kinds]") {
    auto cfg = config();
    auto f = pg({{"backupctl.db.type", "sqlite"},
                 {"backupctl.db.path", "/data/db.sqlite3, /data/icons.sqlite3"}});
    f.image = "vaultwarden/server:1.30";
    // No helper image in the config: refused, saying where it goes.
    auto none = parse_labels(f, cfg);
    CHECK(none.disposition == domain::Disposition::invalid);
    CHECK_THAT(only_problem(none).describe(), Catch::Contains("defaults.client_images.sqlite"));
    cfg.defaults.client_images["sqlite"] = "keinos/sqlite3:3.40";
    auto o = parse_labels(f, cfg);
    INFO((o.problems.empty() ? std::string{} : o.problems.front().describe()));
    REQUIRE(o.target);
    REQUIRE(o.target->database);
    CHECK(o.target->database->kind_name() == "sqlite");
    CHECK(o.target->database->names ==
          std::vector<std::string>{"/data/db.sqlite3", "/data/icons.sqlite3"});
    CHECK(o.target->database->dump_image == "keinos/sqlite3:3.40");
    // Paths that are not absolute file paths, or climb out.
    for (const auto* bad : {"data/db.sqlite3", "/data/../etc/passwd", "/data/", "-x", "/a/./b"}) {
        auto g = f;
        g.labels["backupctl.db.path"] = bad;
        auto p = parse_labels(g, cfg);
        INFO(bad);
        CHECK(p.disposition == domain::Disposition::invalid);
        CHECK_THAT(only_problem(p).label, Catch::Contains("db.path"));
    }
    // A path without a kind, a path for a server kind, a file kind without a path.
    auto g = pg({{"backupctl.db.path", "/data/x.db"}});
    g.image = "ghcr.io/acme/app:1";
    CHECK(parse_labels(g, cfg).disposition == domain::Disposition::invalid);
    auto h = pg({{"backupctl.db.path", "/data/x.db"}});
    CHECK_THAT(only_problem(parse_labels(h, cfg)).message, Catch::Contains("is a server"));
    auto k = pg({{"backupctl.db.type", "sqlite"}});
    CHECK_THAT(only_problem(parse_labels(k, cfg)).message, Catch::Contains("names its database"));
}

TEST_CASE("db.type takes the registry's names, redis is inferred from its image",
          "[labels][kinds]") {
    auto cfg = config();
    auto f = pg({{"backupctl.db.type", "mongo"}});
    CHECK(parse_labels(f, cfg).target->database->kind_name() == "mongodb");  // an alias
    f.labels["backupctl.db.type"] = "redsi";
    auto o = parse_labels(f, cfg);
    CHECK_THAT(only_problem(o).message,
               Catch::Contains("postgres, mysql, mariadb, mongodb, sqlite or redis"));
    CHECK_THAT(only_problem(o).suggestion, Catch::Contains("redis"));
    auto r = pg();
    r.image = "redis:7.2-alpine";
    CHECK(parse_labels(r, cfg).target->database->kind_name() == "redis");
    // Without a registry no kind is known: a database label is an error, never a default.
    cfg.database_kinds = nullptr;
    CHECK(parse_labels(pg(), cfg).disposition == domain::Disposition::invalid);
}
