// The operator's checks (`health` and `run --dry-run`) are one service over ports: one disk floor
// for both, the engine's answers for containers and images, gpg's for keys, what --quick leaves
// out, and a dry run that never probes a database whose container does not run.
#include "application/checks.hpp"

#include <catch2/catch.hpp>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/notify/file_alert_store.hpp"
#include "support/fakes.hpp"
#include "support/fakes/fake_engine_probe.hpp"
#include "support/fakes/fake_host_probe.hpp"
#include "support/fakes/fake_key_inspector.hpp"
#include "support/kinds.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

// Everything the checks read, faked or over a temporary directory.
struct Rig {
    bk::testing::TempDir dir;
    domain::OperatorConfig config;
    bk::testing::FakeHostProbe host;
    bk::testing::FakeKeyInspector keys;
    bk::testing::FakeEngineProbe engine;
    bk::testing::FakeResolver resolver;
    bk::testing::FakeDumper dumper;
    bk::testing::FakeRepository repo;
    std::unique_ptr<adapters::audit::SqliteAuditLog> audit;
    std::unique_ptr<adapters::notify::FileAlertStore> outbox;
    std::vector<std::string> repositories_opened;
    std::string repository_error;

    Rig() {
        config.state_dir = (dir.path() / "state").string();
        config.repositories["main"].url = "/srv/backups/main";
        auto opened = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(opened.has_value());
        audit = std::move(*opened);
        outbox = std::make_unique<adapters::notify::FileAlertStore>(
            (dir.path() / "outbox.json").string());
    }

    Task<Result<domain::BackupRepository*>> open_repository(std::string name) {
        repositories_opened.push_back(name);
        if (!repository_error.empty())
            co_return Failure{errc::repo_failed, repository_error};
        co_return static_cast<domain::BackupRepository*>(&repo);
    }

    app::Checks checks() {
        app::CheckPorts p;
        p.host = &host;
        p.keys = &keys;
        p.engine = &engine;
        p.audit = audit.get();
        p.outbox = outbox.get();
        p.outbox_path = "outbox.json";
        p.repository = [this](std::string name) { return open_repository(std::move(name)); };
        p.resolver = &resolver;
        p.dumper = &dumper;
        p.built_at = host.clock - 86400;
        return app::Checks(config, std::move(p));
    }
};

domain::Target labelled_postgres() {
    domain::Target t;
    t.name = "shop";
    t.source = domain::Origin::labels;
    t.container_id = "c0ffee";
    t.container_name = "shop-db-1";
    t.image = "postgres:16";
    t.repository = "main";
    t.encrypt = "none";
    t.database = bk::testing::database();
    return t;
}

const app::Check* find(const std::vector<app::Check>& checks, const std::string& prefix) {
    for (const auto& c : checks) {
        if (c.name.rfind(prefix, 0) == 0)
            return &c;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("health and the dry run hold the state directory to one disk floor", "[unit][checks]") {
    Rig rig;
    rig.engine.running.insert("c0ffee");
    rig.engine.images.insert("postgres:16");
    // Between the two floors the old code had (512 MiB for a dry run, 1 GiB for health): both
    // must now say the same.
    rig.host.free = 768ULL << 20;
    auto checks = rig.checks();
    auto health = bk::testing::run_task(checks.health(true));
    auto dry = bk::testing::run_task(checks.dry_run(labelled_postgres()));
    const auto* h = find(health, "disk space ");
    const auto* d = find(dry, "disk space ");
    REQUIRE(h != nullptr);
    REQUIRE(d != nullptr);
    CHECK(h->name == "disk space " + rig.config.state_dir);
    CHECK(d->name == h->name);
    CHECK_THAT(h->problem, Catch::Contains("only 768.0 MiB free"));
    CHECK(d->problem == h->problem);
    CHECK_FALSE(d->warning);
    CHECK(rig.host.last_statted == rig.config.state_dir);

    rig.host.free = app::kMinFreeBytes;
    auto enough = bk::testing::run_task(checks.dry_run(labelled_postgres()));
    REQUIRE(find(enough, "disk space ") != nullptr);
    CHECK(find(enough, "disk space ")->problem.empty());
    CHECK(find(enough, "disk space ")->detail == "1.0 GiB free");
}

TEST_CASE("a dry run does not probe the database of a container that does not run",
          "[unit][checks]") {
    Rig rig;
    rig.engine.stopped.insert("c0ffee");
    rig.engine.images.insert("postgres:16");
    auto checks = rig.checks();
    auto dry = bk::testing::run_task(checks.dry_run(labelled_postgres()));
    const auto* c = find(dry, "container shop-db-1");
    REQUIRE(c != nullptr);
    CHECK(c->problem == "not running");
    CHECK(find(dry, "dump image postgres:16")->problem.empty());
    CHECK(find(dry, "database reachable") == nullptr);
    CHECK(rig.dumper.probes == 0);

    rig.engine.stopped.clear();
    rig.engine.running.insert("c0ffee");
    rig.dumper.probe_error = "password authentication failed for user \"postgres\"";
    auto again = bk::testing::run_task(checks.dry_run(labelled_postgres()));
    REQUIRE(find(again, "database reachable from a dump container") != nullptr);
    CHECK_THAT(find(again, "database reachable from a dump container")->problem,
               Catch::Contains("password authentication failed"));
    CHECK(rig.dumper.probes == 1);
}

TEST_CASE("a dry run names a missing image, repository, key and path", "[unit][checks]") {
    Rig rig;
    rig.engine.running.insert("c0ffee");
    rig.repository_error = "repository does not exist";
    auto t = labelled_postgres();
    t.encrypt = "ops";
    rig.config.keys["ops"].public_key_file = "/keys/ops.asc";
    rig.keys.keys["/keys/ops.asc"] = {"ABCD", true, true, false, rig.host.clock - 10};
    t.paths = {"/srv/uploads", "/srv/missing"};
    rig.host.paths = {"/srv/uploads"};
    auto checks = rig.checks();
    auto dry = bk::testing::run_task(checks.dry_run(t));
    CHECK(find(dry, "repository main")->problem == "repository does not exist");
    CHECK(rig.repositories_opened == std::vector<std::string>{"main"});
    CHECK_THAT(find(dry, "dump image postgres:16")->problem, Catch::Contains("no such image"));
    CHECK(rig.dumper.probes == 0);  // no image: no dump container either
    // The same key check as health's: an expired key fails a dry run too (the file exists).
    CHECK_THAT(find(dry, "gpg key ops")->problem, Catch::StartsWith("expired "));
    CHECK(find(dry, "path /srv/uploads")->problem.empty());
    CHECK_THAT(find(dry, "path /srv/missing")->problem, Catch::Contains("does not exist"));

    t.encrypt = "gone";
    auto unknown = bk::testing::run_task(checks.dry_run(t));
    CHECK(find(unknown, "gpg key gone")->problem == "no such key in the config");
}

TEST_CASE("health --quick leaves the keys and repositories alone and the full one reads them",
          "[unit][checks]") {
    Rig rig;
    rig.config.keys["ops"].public_key_file = "/keys/ops.asc";
    rig.keys.keys["/keys/ops.asc"] = {"ABCD", true, false, false, 0};
    auto checks = rig.checks();
    auto quick = bk::testing::run_task(checks.health(true));
    CHECK(rig.keys.inspections == 0);
    CHECK(rig.repositories_opened.empty());
    CHECK(find(quick, "gpg key") == nullptr);
    CHECK(find(quick, "engine unix:///fake/docker.sock")->problem.empty());
    CHECK(find(quick, "clock")->problem.empty());

    auto full = bk::testing::run_task(checks.health(false));
    CHECK(rig.keys.inspections == 1);
    CHECK(rig.repositories_opened == std::vector<std::string>{"main"});
    CHECK(find(full, "gpg key ops")->detail == "ABCD");
    CHECK(find(full, "repository main")->detail == "/srv/backups/main");
}

TEST_CASE("health fails on a silent engine, a clock before the build and a waiting alert",
          "[unit][checks]") {
    Rig rig;
    rig.engine.ping_error = "connection refused";
    domain::QueuedAlert q;
    q.notifier = "ops";
    q.alert.id = "a1";
    q.queued_at = rig.host.clock - 60;
    q.last_error = "HTTP 500";
    REQUIRE(rig.outbox->enqueue(q).has_value());
    auto checks = rig.checks();
    rig.host.clock -= 2 * 86400;  // before built_at
    auto health = bk::testing::run_task(checks.health(true));
    CHECK(find(health, "engine unix:///fake/docker.sock")->problem == "connection refused");
    CHECK_THAT(find(health, "clock")->problem, Catch::Contains("before this program was built"));
    CHECK_THAT(find(health, "notification outbox")->problem,
               Catch::Contains("1 alert(s) not delivered yet; oldest for ops"));
    CHECK(find(health, "audit fallback")->problem.empty());
}
