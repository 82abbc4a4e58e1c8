// Hostile labels and hostile databases against the real engine, restic and PostgreSQL: a tenant
// who controls one container's labels and its server must not get another target's snapshots,
// retention or restores, nor add tags to snapshots.
#include <catch2/catch.hpp>

#include "support/scenario.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::Scenario;
using bk::testing::sh;
using bk::testing::test_image;

namespace {

const char* kPgProbe = "pg_isready -q -h 127.0.0.1 -U postgres -d app";

std::vector<std::string> pg_env() {
    return {"POSTGRES_PASSWORD=e2e-db-secret", "POSTGRES_DB=app"};
}

/// A tenant's container that claims `victim`'s name: its own compose project, the same service.
void start_impostor(Scenario& s, const std::string& victim) {
    s.start("evil",
            test_image("BK_TEST_POSTGRES_IMAGE"),
            {"backupctl.name=" + victim,
             "com.docker.compose.project=evil-" + s.tag(),
             "com.docker.compose.service=db",
             "backupctl.retention=last=1"},
            pg_env());
    s.wait_until("evil", kPgProbe);
}

}  // namespace

TEST_CASE("an impostor of an absent target is held until the operator adopts it",
          "[e2e][hostile]") {
    Scenario s;
    s.start("db", test_image("BK_TEST_POSTGRES_IMAGE"), {}, pg_env());
    s.wait_until("db", kPgProbe);
    const auto victim = s.target("db");
    auto first = s.backupctl("run " + victim);
    INFO(first.out);
    REQUIRE(first.exit_code == 0);
    REQUIRE(s.snapshot_count(victim) == 1);

    // compose down of the app; a tenant's container takes the name.
    REQUIRE(sh("docker rm -f -v " + s.container("db") + " >/dev/null").exit_code == 0);
    start_impostor(s, victim);
    auto held = s.backupctl("run " + victim);
    INFO(held.out);
    CHECK(held.exit_code == 1);
    CHECK_THAT(held.out, Catch::Contains("held"));
    CHECK_THAT(held.out, Catch::Contains("backupctl adopt " + victim));
    CHECK(s.snapshot_count(victim) == 1);  // its snapshot never joined the victim's, none forgotten

    auto restore = s.backupctl("restore " + victim + " --yes --no-safety-backup");
    INFO(restore.out);
    CHECK(restore.exit_code == 1);
    CHECK_THAT(restore.out, Catch::Contains("held"));
    auto drill = s.backupctl("verify " + victim);
    CHECK(drill.exit_code == 1);
    CHECK(s.leftovers(victim) == 0);

    auto no_tty = s.backupctl("adopt " + victim + " < /dev/null");
    CHECK(no_tty.exit_code == 1);
    CHECK_THAT(no_tty.out, Catch::Contains("-> evil-" + s.tag()));  // it says what changed
    auto adopt = s.backupctl("adopt " + victim + " --yes");
    INFO(adopt.out);
    REQUIRE(adopt.exit_code == 0);
    CHECK_THAT(adopt.out, Catch::Contains("adopted"));
    auto after = s.backupctl("run " + victim);
    INFO(after.out);
    CHECK(after.exit_code == 0);
}

TEST_CASE("an impostor beside the real target blocks neither its backup nor its restore",
          "[e2e][hostile]") {
    Scenario s;
    s.start("db", test_image("BK_TEST_POSTGRES_IMAGE"), {}, pg_env());
    s.wait_until("db", kPgProbe);
    const auto victim = s.target("db");
    REQUIRE(s.backupctl("run " + victim).exit_code == 0);  // first sight: recorded

    start_impostor(s, victim);
    auto run = s.backupctl("run " + victim);
    INFO(run.out);
    CHECK(run.exit_code == 0);
    auto restore = s.backupctl("restore " + victim + " --yes --no-safety-backup");
    INFO(restore.out);
    CHECK(restore.exit_code == 0);
    // What ran and what was restored is the real one.
    auto runs = s.backupctl("history " + victim + " --json");
    CHECK(runs.out.find("evil") == std::string::npos);
}

TEST_CASE("a database name with a comma adds no tag to its snapshot", "[e2e][hostile]") {
    Scenario s;
    const auto victim = s.target("bank");
    // The tenant names its own database so that restic would read two tags.
    s.start("db",
            test_image("BK_TEST_POSTGRES_IMAGE"),
            {},
            {"POSTGRES_PASSWORD=e2e-db-secret", "POSTGRES_DB=x,target:" + victim});
    s.wait_until("db", "pg_isready -q -h 127.0.0.1 -U postgres");
    auto run = s.backupctl("run " + s.target("db"));
    INFO(run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(s.snapshot_count(victim) == 0);
    CHECK(s.snapshot_count(s.target("db")) == 1);
    // The name reads back whole: the drill restores and counts the right database.
    auto drill = s.backupctl("verify " + s.target("db"));
    INFO(drill.out);
    CHECK(drill.exit_code == 0);
}
