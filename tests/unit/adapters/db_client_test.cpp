// The argv and option file of a database client: names that a program would read as options or
// as a connection string, and a user that would add lines to my.cnf (audit L3), and the labels a
// client container carries (audit L8).
#include "adapters/docker/db_client.hpp"

#include <catch2/catch.hpp>

#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_restorer.hpp"
#include "backupctl/labels/parse.hpp"
#include "backupctl/labels/schema.hpp"
#include "bootstrap/database_kinds.hpp"
#include "databases/mysql/mysql.hpp"
#include "databases/postgres/postgres.hpp"
#include "support/kinds.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using adapters::docker::unsafe_database_name;
using databases::mysql::cnf_escape;

namespace {

domain::Target target(const std::string& kind) {
    domain::Target t;
    t.name = "shop-db";
    t.image = "mariadb:11";
    t.network = "shop_default";
    t.database = bk::testing::database(kind);
    return t;
}

std::string pg_database_arg(const std::string& name) {
    return databases::postgres::database_arg(name);
}

adapters::docker::ClientCommand client_command(const domain::Target& t,
                                               const adapters::docker::Credentials& cred,
                                               const std::string& instance_id) {
    const auto* engine = adapters::docker::engine_of(bootstrap::database_registry(), t);
    REQUIRE(engine != nullptr);
    return adapters::docker::client_command(t, cred, instance_id, *engine, engine->dump("shop"));
}

std::string file_of(const adapters::docker::ClientCommand& c, const std::string& name) {
    for (const auto& f : c.secret_files) {
        if (f.path == name)
            return f.content;
    }
    FAIL("no " << name);
    return {};
}

}  // namespace

TEST_CASE("pg_dump's -d: a name that libpq would read as a conninfo stays a name", "[dbclient]") {
    CHECK(pg_database_arg("shop") == "shop");
    CHECK(pg_database_arg("host=evil.example dbname=shop") ==
          "dbname='host=evil.example dbname=shop'");
    CHECK(pg_database_arg("postgresql://evil/shop") == "dbname='postgresql://evil/shop'");
    CHECK(pg_database_arg("a='b'\\") == "dbname='a=\\'b\\'\\\\'");
}

TEST_CASE("a database name a client would read as an option is refused", "[dbclient]") {
    CHECK(unsafe_database_name("shop").empty());
    CHECK(unsafe_database_name("a=b").empty());
    CHECK(unsafe_database_name("--host=evil") ==
          "starts with '-', which the client program would read as an option");
    CHECK(unsafe_database_name("a\nb") == "holds a control character");
    CHECK(unsafe_database_name("") == "is empty");
}

TEST_CASE("my.cnf: a line break in the user or password cannot add a line", "[dbclient]") {
    CHECK(cnf_escape("a\"b\\c") == "a\\\"b\\\\c");
    CHECK(cnf_escape("root\n[client]\r\nhost=evil\t") == "root\\n[client]\\r\\nhost=evil\\t");
    adapters::docker::Credentials cred;
    cred.user = "root\nhost=evil";
    cred.password = "pw\nssl=0";
    cred.host = "10.0.0.2\nport=1";
    auto cmd = client_command(target("mariadb"), cred, "op-1");
    const auto cnf = file_of(cmd, "backupctl.my.cnf");
    CHECK(cnf ==
          "[client]\nuser=\"root\\nhost=evil\"\npassword=\"pw\\nssl=0\"\nhost=\"10.0.0.2\\nport="
          "1\"\n");
}

TEST_CASE("a client container's labels make it backupctl's own, never a target", "[dbclient]") {
    // The names the labels library knows are the ones the containers get.
    CHECK(labels::kEphemeralLabel == adapters::docker::kEphemeralLabel);
    CHECK(labels::kInstanceLabel == adapters::docker::kInstanceLabel);
    CHECK(labels::kRunLabel == adapters::docker::kRunLabel);
    CHECK(labels::kForTargetLabel == adapters::docker::kTargetLabel);
    CHECK(labels::kRestoredFromLabel == adapters::docker::kRestoredFromLabel);

    adapters::docker::Credentials cred;
    cred.user = "root";
    cred.password = "pw";
    auto cmd = client_command(target("mariadb"), cred, "0a1b2c3d-0123456789abcdef");
    labels::ContainerFacts facts;
    facts.id = "c0ffee";
    facts.name = "backupctl-dump-r1-1";
    facts.image = "mariadb:11";
    facts.labels = cmd.spec.labels;
    facts.labels["backupctl.enable"] = "true";  // from the target's image, if it has them
    facts.labels["backupctl.db.name"] = "shop";
    domain::OperatorConfig config;
    const auto o = labels::parse_labels(facts, config);
    CHECK(o.disposition == domain::Disposition::ignored);
    CHECK(o.problems.empty());
}

TEST_CASE(
    "a copy made by restore --new-container names its target, run and time, and is not "
    "the janitor's",
    "[dbclient][restore]") {
    const auto l = adapters::docker::restored_copy_labels(
        "shop-db", "20261201T100000-abc", "2026-12-01T10:00:00Z");
    CHECK(l.at("backupctl.restored-from") == "shop-db");
    CHECK(l.at("backupctl.run") == "20261201T100000-abc");
    CHECK(l.at("backupctl.restored-at") == "2026-12-01T10:00:00Z");
    // The janitor reaps backupctl.ephemeral (what a dead run left): a copy is the user's result.
    CHECK_FALSE(l.contains(adapters::docker::kEphemeralLabel));
    CHECK_FALSE(l.contains(adapters::docker::kInstanceLabel));

    labels::ContainerFacts facts;
    facts.id = "c0ffee";
    facts.name = "shop-db-1-restored-20261201T100000";
    facts.image = "postgres:16";
    facts.labels = l;
    facts.labels["backupctl.enable"] = "true";  // from the target's image, if it has them
    domain::OperatorConfig config;
    const auto o = labels::parse_labels(facts, config);
    CHECK(o.disposition == domain::Disposition::ignored);
    CHECK(o.problems.empty());
    CHECK(o.note.find("restored from target shop-db") != std::string::npos);
}
