// restic splits --tag at commas: a value that holds one must never become several tags.
#include "domain/snapshot_tags.hpp"

#include <catch2/catch.hpp>

#include "domain/restore_plan.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

TEST_CASE("tag values with commas, percent signs and control characters are encoded", "[tags]") {
    CHECK(domain::snapshot_tag("db", "shop") == "db:shop");
    const auto hostile = domain::snapshot_tag("db", "x,target:shop-db");
    CHECK(hostile.find(',') == std::string::npos);
    CHECK(hostile == "db:x%2Ctarget:shop-db");
    CHECK(domain::snapshot_tag("path", "/srv/100%/a\nb") == "path:/srv/100%25/a%0Ab");
    for (const std::string v : {"x,target:shop-db", "100%", "%2C", "a\tb\r\n", "", "plain/path"}) {
        CHECK(domain::decode_tag_value(domain::encode_tag_value(v)) == v);
    }
    // Values written before encoding existed read as they were.
    CHECK(domain::decode_tag_value("shop_db") == "shop_db");
    CHECK(domain::decode_tag_value("50%") == "50%");
    CHECK(domain::snapshot_tag_value({"target:a", "db:x%2Cy"}, "db") == "x,y");
    CHECK(domain::snapshot_tag_value({"target:a"}, "db").empty());
}

TEST_CASE("a restore point's database name is the decoded tag", "[tags]") {
    domain::SnapshotInfo s;
    s.id = "abcd1234";
    s.full_id = s.id;
    s.time = "2026-12-01T03:00:00Z";
    s.tags = {"target:shop-db", "kind:db", domain::snapshot_tag("db", "a,b")};
    const std::vector<domain::SnapshotInfo> snapshots{s};
    auto chosen = domain::choose_points(snapshots, "shop-db", {});
    REQUIRE(chosen.points.size() == 1);
    CHECK(chosen.points[0].name == "a,b");
}
