// A file kind's helper reaches a database file only through the named volume that holds it,
// mounted at the same path; a host directory (bind mount) or no mount at all is an error.
#include <catch2/catch.hpp>

#include "adapters/docker/db_client.hpp"

using bk::adapters::docker::helper_volumes;

TEST_CASE("a helper mounts the named volume that holds each file, at its path", "[kinds]") {
    const std::vector<dockerapi::MountInfo> mounts{{"volume", "app_data", "", "/data", true},
                                                   {"volume", "app_icons", "", "/data/icons", true},
                                                   {"bind", "", "/srv/app", "/srv", true}};
    auto v =
        helper_volumes(mounts, {"/data/db.sqlite3", "/data/icons/i.db", "/data/b.db"}, "app-1");
    CHECK(v.error.empty());
    CHECK(v.binds == std::vector<std::string>{"app_data:/data", "app_icons:/data/icons"});
    auto bind = helper_volumes(mounts, {"/srv/app.db"}, "app-1");
    CHECK(bind.binds.empty());
    CHECK_THAT(bind.error, Catch::Contains("bind mount") && Catch::Contains("host directory"));
    auto outside = helper_volumes(mounts, {"/database.db"}, "app-1");
    CHECK_THAT(outside.error, Catch::Contains("is not on a volume of app-1"));
    // A prefix of a name is not a parent directory.
    auto prefix = helper_volumes(mounts, {"/datafile.db"}, "app-1");
    CHECK_THAT(prefix.error, Catch::Contains("is not on a volume"));
}
