// The pure parts of config projects against the engine: the operator's own container id from
// mountinfo, addresses that are never container names, and what a too-old pg_dump is told.
#include "adapters/docker/docker_projects.hpp"

#include <catch2/catch.hpp>

#include "adapters/docker/docker_dumper.hpp"
#include "bootstrap/database_kinds.hpp"
#include "databases/engine.hpp"
#include "support/kinds.hpp"

using bk::adapters::docker::container_id_from_mountinfo;
using bk::adapters::docker::is_ip_address;

namespace {
// What the target's kind says of a failed dump beyond its own words.
std::string client_too_old(const bk::domain::Target& t, const std::string& tail) {
    const auto* engine = bk::bootstrap::database_registry().engine(t.database->kind_name());
    REQUIRE(engine != nullptr);
    return engine->explain_failure(t, tail);
}
}  // namespace

TEST_CASE("the operator's container id comes from its mountinfo, only from it", "[projects]") {
    const std::string id(64, 'a');
    const std::string in_container =
        "652 640 0:52 / / rw,relatime master:282 - overlay overlay rw\n"
        "668 652 254:1 /srv/docker/containers/" +
        id +
        "/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw\n"
        "669 652 254:1 /srv/docker/containers/" +
        id + "/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw\n";
    CHECK(container_id_from_mountinfo(in_container) == id);
    // On the host: no such mounts.
    CHECK(container_id_from_mountinfo("22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n")
              .empty());
    // Not 64 hex digits, or another file of the container's directory.
    CHECK(container_id_from_mountinfo("x /var/lib/docker/containers/abc/hostname /etc/hostname\n")
              .empty());
    CHECK(container_id_from_mountinfo("x /var/lib/docker/containers/" + id + "/config.v2.json y\n")
              .empty());
}

TEST_CASE("addresses are never looked up as containers", "[projects]") {
    CHECK(is_ip_address("10.0.4.20"));
    CHECK(is_ip_address("::1"));
    CHECK(is_ip_address("fd00::5"));
    CHECK_FALSE(is_ip_address("myapp-db"));
    CHECK_FALSE(is_ip_address("10.0.4"));
    CHECK_FALSE(is_ip_address("db.internal.example"));
}

TEST_CASE("a pg_dump older than its server is told so, with the fix", "[projects]") {
    bk::domain::Target t;
    t.name = "billing";
    t.source = bk::domain::Origin::config;
    t.image = "postgres:15";
    t.database = bk::testing::database();
    const std::string tail =
        "pg_dump: error: aborting because of server version mismatch\n"
        "pg_dump: detail: server version: 16.4 (Debian 16.4-1); pg_dump version: 15.8\n";
    const auto why = client_too_old(t, tail);
    CHECK_THAT(why, Catch::Contains("the client in postgres:15 is older than the server"));
    CHECK_THAT(why, Catch::Contains("server version: 16.4 (Debian 16.4-1); pg_dump version: 15.8"));
    CHECK_THAT(why, Catch::Contains("database.image (or defaults.client_images.postgres)"));
    t.source = bk::domain::Origin::labels;
    CHECK_THAT(client_too_old(t, tail), Catch::Contains("backupctl.db.image"));
    // Any other failure is not this one.
    CHECK(client_too_old(t, "pg_dump: error: connection to server failed").empty());
    t.database = bk::testing::database("mariadb");
    CHECK(client_too_old(t, tail).empty());
}
