#include "application/registry.hpp"

#include <catch2/catch.hpp>

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {
domain::DiscoveredContainer labelled(const std::string& container, const std::string& name) {
    domain::DiscoveredContainer c;
    c.container_id = container + "-id";
    c.container_name = container;
    c.disposition = domain::Disposition::target;
    domain::Target t;
    t.name = name;
    t.container_name = container;
    c.target = t;
    return c;
}
}  // namespace

TEST_CASE("labels and projects merge into one sorted set", "[registry]") {
    domain::OperatorConfig cfg;
    cfg.file = "c.yml";
    domain::Target p;
    p.name = "legacy";
    p.source = domain::Origin::config;
    cfg.projects.push_back(p);
    auto inv = app::Registry::merge(cfg, {labelled("b-db-1", "b-db"), labelled("a-db-1", "a-db")});
    REQUIRE(inv.targets.size() == 3);
    CHECK(inv.targets[0].name == "a-db");
    CHECK(inv.targets[2].name == "legacy");
    CHECK(inv.conflicts.empty());
    CHECK_FALSE(inv.has_problems());
    CHECK(inv.find("b-db") != nullptr);
    CHECK(inv.find("nope") == nullptr);
}

TEST_CASE("a name claimed twice runs nowhere and is reported on every claimant", "[registry]") {
    domain::OperatorConfig cfg;
    cfg.file = "c.yml";
    domain::Target p;
    p.name = "shop-db";
    p.source = domain::Origin::config;
    cfg.projects.push_back(p);
    auto inv = app::Registry::merge(cfg,
                                    {labelled("shop-db-1", "shop-db"),
                                     labelled("shop-db-2", "shop-db"),
                                     labelled("other-1", "other")});
    REQUIRE(inv.targets.size() == 1);
    CHECK(inv.targets[0].name == "other");
    REQUIRE(inv.conflicts.size() == 1);
    CHECK_THAT(inv.conflicts[0], Catch::Contains("container shop-db-1 (labels)"));
    CHECK_THAT(inv.conflicts[0], Catch::Contains("container shop-db-2 (labels)"));
    CHECK_THAT(inv.conflicts[0], Catch::Contains("project shop-db (c.yml)"));
    int flagged = 0;
    for (const auto& c : inv.containers) {
        if (c.disposition == domain::Disposition::invalid) {
            ++flagged;
            REQUIRE(c.problems.size() == 1);
            CHECK(c.problems[0].label == "backupctl.name");
        }
    }
    CHECK(flagged == 2);
    CHECK(inv.has_problems());
}

#include "application/backup_runner.hpp"

TEST_CASE("the progress line says what streams, how much and how fast", "[progress]") {
    app::Progress p{"shop", 3ull << 30};
    CHECK(app::format_progress(p, 30.0) == "shop: 3.0 GiB at 102.4 MiB/s");
    CHECK(app::format_progress(p, 0.1) == "shop: 3.0 GiB");
    CHECK(app::format_progress({"files:/srv", 512}, 2.0) == "files:/srv: 512 B at 256 B/s");
}
