#include "backupctl/labels/parse.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "backupctl/labels/schema.hpp"
#include "domain/operator_config.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using labels::ContainerFacts;
using labels::parse_labels;

namespace {

domain::OperatorConfig config() {
    domain::OperatorConfig c;
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
    CHECK(t.database->type == domain::DbType::postgres);
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
    for (const char* key : {"backupctl-enable", "backup-ctl.enable", "backupctl_enable",
                            "backupclt.enable", "Backupctl.enable", "backupctl-cron"}) {
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
    other.labels = {{"traefik.enable", "true"}, {"com.centurylinklabs.watchtower.enable", "true"},
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
        {"backupctl.notify", "https://hooks.example.com/services/T000/B000/XyZ9aBcD3eFgH1iJkL2mNoP4"},
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
        "db.image", "postgres@sha256:4f2e1a8b9c0d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"));
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
        {"backupctl.network", "shop_defualt", "is not a network of this container",
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
    for (auto [image, type] : std::vector<std::pair<std::string, domain::DbType>>{
             {"postgres:15", domain::DbType::postgres},
             {"postgis/postgis:16-3.4", domain::DbType::postgres},
             {"timescale/timescaledb:latest-pg16", domain::DbType::postgres},
             {"mariadb:11", domain::DbType::mariadb},
             {"mysql:8.0", domain::DbType::mysql},
             {"percona:8", domain::DbType::mysql},
             {"mongo:7", domain::DbType::mongodb},
             {"registry.example.com:5000/team/postgres@sha256:abc", domain::DbType::postgres}}) {
        auto f = pg();
        f.image = image;
        auto o = parse_labels(f, cfg);
        INFO(image);
        REQUIRE(o.target);
        CHECK(o.target->database->type == type);
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
    CHECK(ss.str() == labels::render_label_reference());
    for (const auto& spec : labels::label_schema()) {
        CHECK_THAT(ss.str(), Catch::Contains("`backupctl." + std::string(spec.key) + "`"));
    }
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
