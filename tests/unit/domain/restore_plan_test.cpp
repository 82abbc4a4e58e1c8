// Which snapshots a restore takes: its own target's only, the newest per database and path,
// --at, ids, and the safety backup of a previous restore never as "latest".
#include "domain/restore_plan.hpp"

#include <catch2/catch.hpp>

using bk::domain::choose_points;
using bk::domain::parse_time;
using bk::domain::SnapshotChoice;
using bk::domain::SnapshotInfo;

namespace {

const bk::domain::UtcOffset kUtc = [](std::int64_t) { return std::int64_t{0}; };

SnapshotInfo snap(std::string id, std::string time, std::vector<std::string> tags) {
    SnapshotInfo s;
    s.id = id;
    s.full_id = id + "ffffffff";
    s.time = std::move(time);
    s.tags = std::move(tags);
    s.paths = {"/x"};
    return s;
}

const std::vector<SnapshotInfo> kRepo{
    snap("a1", "2026-11-20T03:00:00.123456789Z", {"target:shop", "kind:db", "db:shop"}),
    snap("a2", "2026-11-21T03:00:00Z", {"target:shop", "kind:db", "db:shop", "gpg:k"}),
    snap("b1", "2026-11-22T03:00:00+01:00", {"target:shop2", "kind:db", "db:shop"}),
    snap("a3", "2026-11-21T04:00:00Z", {"target:shop", "kind:files", "path:/srv/up"}),
    snap("a4", "2026-11-23T03:00:00Z", {"target:shop", "kind:db", "db:shop", "pre-restore"}),
};

}  // namespace

TEST_CASE("the newest of each database and path of the target itself", "[unit][restore]") {
    auto c = choose_points(kRepo, "shop", {});
    REQUIRE(c.error.empty());
    REQUIRE(c.points.size() == 2);
    CHECK(c.points[0].kind == "db");
    CHECK(c.points[0].snapshot.id == "a2");  // not shop2's newer b1, not the pre-restore a4
    CHECK(c.points[0].key == "k");
    CHECK(c.points[1].kind == "files");
    CHECK(c.points[1].name == "/srv/up");
}

TEST_CASE("a restore takes the newest before a time or of one kind or database or one id",
          "[unit][restore]") {
    SnapshotChoice at;
    at.at = parse_time("2026-11-20T12:00:00Z", kUtc);
    auto c = choose_points(kRepo, "shop", at);
    REQUIRE(c.points.size() == 1);
    CHECK(c.points[0].snapshot.id == "a1");

    SnapshotChoice only;
    only.only = "files";
    CHECK(choose_points(kRepo, "shop", only).points.at(0).snapshot.id == "a3");

    SnapshotChoice id;
    id.snapshot = "a4";  // a safety backup is restored by its id
    CHECK(choose_points(kRepo, "shop", id).points.at(0).snapshot.id == "a4");
    id.snapshot = "b1";
    auto other = choose_points(kRepo, "shop", id);
    CHECK(other.points.empty());
    CHECK(other.error.find("is not a snapshot of shop") != std::string::npos);

    SnapshotChoice none;
    none.database = "crm";
    CHECK(choose_points(kRepo, "shop", none).error == "no snapshot of shop of database crm");
    CHECK(!choose_points(kRepo, "shop3", {}).error.empty());
}

TEST_CASE("times in RFC 3339 and restic form and local ones in the configured zone",
          "[unit][restore]") {
    CHECK(parse_time("1970-01-02T00:00:00Z", kUtc) == 86400);
    CHECK(parse_time("1970-01-02T01:00:00+01:00", kUtc) == 86400);
    CHECK(parse_time("1970-01-02T00:00:00.999999999Z", kUtc) == 86400);
    const bk::domain::UtcOffset plus2 = [](std::int64_t) { return std::int64_t{7200}; };
    CHECK(parse_time("1970-01-02 02:00", plus2) == 86400);
    CHECK(parse_time("1970-01-02", kUtc) == 86400);
    CHECK_FALSE(parse_time("yesterday", kUtc));
    CHECK_FALSE(parse_time("2026-13-01", kUtc));
    CHECK_FALSE(parse_time("2026-11-26T03:00:00+0100x", kUtc));
}
