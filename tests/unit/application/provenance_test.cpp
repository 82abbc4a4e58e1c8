// A container that claims another app's target name (its compose labels or backupctl.name) must
// not take over that target: its snapshots, its retention, its restores. The first sight of a
// target records where it comes from; a change holds it until the operator runs `adopt`.
#include <catch2/catch.hpp>

#include "adapters/audit/fallback_audit_log.hpp"
#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "application/backup_runner.hpp"
#include "application/provenance_guard.hpp"
#include "application/registry.hpp"
#include "application/restore.hpp"
#include "domain/snapshot_tags.hpp"
#include "support/fakes.hpp"
#include "support/fakes/fake_logger.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

/// The victim: compose project shop, service db, image postgres:15, named shop-db.
domain::DiscoveredContainer victim() {
    auto c = bk::testing::labelled_target("shop-db");
    c.container_name = "shop-db-1";
    c.target->compose_project = "shop";
    c.target->compose_service = "db";
    c.target->image = "postgres:15";
    return c;
}

/// A tenant's container that claims the same name (backupctl.name=shop-db).
domain::DiscoveredContainer impostor() {
    auto c = bk::testing::labelled_target("shop-db");
    c.container_id = "id-evil";
    c.container_name = "evil-db-1";
    c.target->container_id = c.container_id;
    c.target->compose_project = "evil";
    c.target->compose_service = "db";
    c.target->image = "evil/pg:1";
    return c;
}

struct Rig : bk::testing::RunRig {
    bk::testing::FakeLogger log;
    /// `store_works == false`: an audit store that cannot be opened, records go to the fallback.
    explicit Rig(bool store_works = true) {
        if (!store_works) {
            audit = std::make_unique<adapters::audit::FallbackAuditLog>(
                []() -> Result<std::unique_ptr<domain::AuditLog>> {
                    return Failure{errc::io_error, "disk I/O error"};
                },
                (dir.path() / "fallback.jsonl").string(),
                log);
        }
    }
    app::RunReport run(const domain::Target& t) {
        auto r = runner();
        return bk::testing::run_task(r.run(t, "manual", ""));
    }
};

}  // namespace

TEST_CASE("image repositories leave out tag, digest and the default registry", "[provenance]") {
    CHECK(domain::image_repository("postgres:15") == "postgres");
    CHECK(domain::image_repository("docker.io/library/postgres:16-alpine") == "postgres");
    CHECK(domain::image_repository("registry:5000/team/pg:1@sha256:abcd") ==
          "registry:5000/team/pg");
    CHECK(domain::image_repository("registry:5000/team/pg") == "registry:5000/team/pg");
    CHECK(domain::image_repository("sha256:0123456789abcdef").empty());
    CHECK(domain::image_repository("0123456789ab").empty());
}

TEST_CASE("what counts as a change of provenance", "[provenance]") {
    const auto v = domain::provenance_of(*victim().target);
    CHECK(domain::provenance_changes(v, v).empty());
    auto upgraded = *victim().target;
    upgraded.image = "postgres:16";  // a new version of the same image: the same app
    CHECK(domain::provenance_changes(v, domain::provenance_of(upgraded)).empty());
    auto by_id = *victim().target;
    by_id.image = "sha256:0123456789abcdef0123";  // its tag moved since the container was made
    CHECK(domain::provenance_changes(v, domain::provenance_of(by_id)).empty());
    const auto changes = domain::provenance_changes(v, domain::provenance_of(*impostor().target));
    REQUIRE(changes.size() == 2);
    CHECK(changes[0] == "compose project shop -> evil");
    CHECK(changes[1] == "image postgres -> evil/pg");
    auto project = *victim().target;
    project.source = domain::Origin::config;
    CHECK(domain::provenance_changes(v, domain::provenance_of(project)).size() == 1);
}

TEST_CASE("an impostor of an absent target is held: no snapshot, no retention, no restore",
          "[provenance]") {
    Rig rig;
    // The real shop-db is seen once and backed up.
    auto first = rig.run(*victim().target);
    REQUIRE(first.status == domain::RunStatus::success);
    REQUIRE(rig.repo.snapshots_stored.size() == 1);
    REQUIRE(rig.repo.forgets.size() == 1);
    auto recorded = rig.audit->provenance("shop-db");
    REQUIRE(recorded.has_value());
    REQUIRE(recorded->has_value());
    CHECK((*recorded)->compose_project == "shop");
    CHECK((*recorded)->confirmed_by == "first sight");

    // Compose down; a tenant's container now claims the name.
    auto held = rig.run(*impostor().target);
    CHECK(held.status == domain::RunStatus::failed);
    CHECK(held.stage == "provenance");
    CHECK(held.error.find("compose project shop -> evil") != std::string::npos);
    CHECK(held.error.find("backupctl adopt shop-db") != std::string::npos);
    CHECK(rig.dumper.dumps == 1);                  // it never dumped
    CHECK(rig.repo.snapshots_stored.size() == 1);  // nothing beside the victim's snapshots
    CHECK(rig.repo.forgets.size() == 1);           // and nothing forgotten

    // Neither a restore nor a drill hands the victim's data to it.
    auto runner = rig.runner();
    auto restore = rig.restore_service(runner);
    app::RestoreRequest request;
    request.safety_backup = false;
    auto restored = bk::testing::run_task(restore.restore(*impostor().target, request, "manual"));
    CHECK(restored.status == domain::RunStatus::failed);
    CHECK(restored.error.find("held") != std::string::npos);
    const domain::SnapshotChoice newest;
    auto drill = bk::testing::run_task(restore.verify(*impostor().target, newest, "manual"));
    CHECK(drill.status == domain::DrillResult::failed);
    CHECK(drill.error.find("held") != std::string::npos);
    CHECK(rig.restorer.clones == 0);
    CHECK(rig.restorer.loads == 0);

    // The real one comes back: it runs as before.
    auto back = rig.run(*victim().target);
    CHECK(back.status == domain::RunStatus::success);

    // The operator says the change is theirs: from then on the new provenance is the target's.
    auto adopted = app::adopt_provenance(*rig.audit, *impostor().target, "ops 0");
    REQUIRE(adopted.has_value());
    CHECK(adopted->confirmed_by == "adopt (ops 0)");
    auto after = rig.run(*impostor().target);
    CHECK(after.status == domain::RunStatus::success);
    auto old = rig.run(*victim().target);
    CHECK(old.status == domain::RunStatus::failed);  // and now the old one would be the stranger
}

TEST_CASE("a conflict goes to the claimant whose provenance is recorded", "[provenance]") {
    domain::OperatorConfig cfg;
    // Nothing recorded: neither runs (as before).
    auto blind = app::Registry::merge(cfg, {victim(), impostor()});
    CHECK(blind.targets.empty());
    REQUIRE(blind.conflicts.size() == 1);

    std::map<std::string, domain::Provenance> known;
    known["shop-db"] = domain::provenance_of(*victim().target);
    known["shop-db"].confirmed_at = "2026-12-01T00:00:00Z";
    auto inv = app::Registry::merge(cfg, {impostor(), victim()}, known);
    REQUIRE(inv.targets.size() == 1);
    CHECK(inv.targets[0].compose_project == "shop");
    REQUIRE(inv.conflicts.size() == 1);
    CHECK(inv.conflicts[0].find("stays with the one recorded") != std::string::npos);
    // The impostor is reported, with why.
    bool reported = false;
    for (const auto& c : inv.containers) {
        if (c.container_name != "evil-db-1")
            continue;
        CHECK(c.disposition == domain::Disposition::invalid);
        REQUIRE_FALSE(c.problems.empty());
        CHECK(c.problems[0].message.find("belongs to labels: compose project shop") !=
              std::string::npos);
        reported = true;
    }
    CHECK(reported);

    // Alone, the impostor is a held target with a problem that says so.
    auto alone = app::Registry::merge(cfg, {impostor()}, known);
    REQUIRE(alone.targets.size() == 1);
    CHECK(alone.has_problems());
}

TEST_CASE("with the audit store down the backup runs but retention waits", "[provenance]") {
    Rig rig(false);
    auto report = rig.run(*victim().target);
    CHECK(report.status == domain::RunStatus::success);
    CHECK(rig.repo.snapshots_stored.size() == 1);
    CHECK(rig.repo.forgets.empty());
    CHECK(report.retention == domain::RetentionOutcome::skipped);
    CHECK(report.retention_detail.find("provenance could not be checked") != std::string::npos);
}

TEST_CASE("a database name cannot add a tag to its snapshot", "[tags]") {
    Rig rig;
    // A database the tenant created in their own server, named to add a tag.
    rig.dumper.databases = {"x,target:bank-db"};
    auto report = rig.run(*victim().target);
    REQUIRE(report.status == domain::RunStatus::success);
    REQUIRE(rig.repo.snapshots_stored.size() == 1);
    const auto& tags = rig.repo.snapshots_stored[0].tags;
    for (const auto& tag : tags)
        CHECK(tag.find(',') == std::string::npos);
    CHECK(std::find(tags.begin(), tags.end(), "target:bank-db") == tags.end());
    CHECK(domain::snapshot_tag_value(tags, "target") == "shop-db");
    CHECK(domain::snapshot_tag_value(tags, "db") == "x,target:bank-db");
}
