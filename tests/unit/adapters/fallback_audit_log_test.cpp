// The audit fallback: a broken store never loses a record; replay lands every record once, in
// order, and one unreadable line does not hold back the others.
#include "adapters/audit/fallback_audit_log.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "support/fakes/fake_logger.hpp"
#include "support/test_env.hpp"

using bk::adapters::audit::FallbackAuditLog;
using bk::adapters::audit::SqliteAuditLog;
namespace fs = std::filesystem;

namespace {

FallbackAuditLog::Opener opener(const std::string& db_path) {
    return [db_path]() -> bk::Result<std::unique_ptr<bk::domain::AuditLog>> {
        auto db = SqliteAuditLog::open(db_path);
        if (!db)
            return db.error();
        return std::unique_ptr<bk::domain::AuditLog>(std::move(*db));
    };
}

bk::domain::RunRecord run(const std::string& id, const std::string& status) {
    bk::domain::RunRecord r;
    r.id = id;
    r.target = "shop-db";
    r.trigger = "manual";
    r.status = *bk::domain::parse_run_status(status);
    r.started_at = "2026-11-26T10:00:00.000Z";
    r.instance = "i1";
    r.pid = 42;
    if (status != "running")
        r.finished_at = "2026-11-26T10:01:00.000Z";
    return r;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("records go to the JSONL file while the store is broken and replay once after",
          "[unit][audit]") {
    bk::testing::TempDir dir;
    bk::testing::FakeLogger log;
    const auto db = (dir.path() / "audit.db").string();
    const auto jsonl = (dir.path() / "audit-fallback.jsonl").string();
    fs::create_directories(db);  // a directory where the database belongs: it cannot open

    FallbackAuditLog broken(opener(db), jsonl, log);
    CHECK_FALSE(broken.store_error().empty());
    REQUIRE(broken.begin_run(run("r1", "running")).has_value());
    REQUIRE(broken
                .add_step({"r1",
                           "dump shop",
                           "2026-11-26T10:00:01.000Z",
                           "2026-11-26T10:00:59.000Z",
                           1234,
                           bk::domain::StepOutcome::ok,
                           ""})
                .has_value());
    REQUIRE(broken.finish_run(run("r1", "success")).has_value());
    CHECK(broken.pending() == 3);
    // Each record that missed the store is said in the log, with where it went.
    CHECK(log.has("warn: audit store failed ("));
    CHECK(log.has("the record goes to " + jsonl));
    CHECK_FALSE(broken.history("", false, 10).has_value());
    // Still broken: replay keeps everything.
    CHECK(broken.replay().kept == 3);
    CHECK(broken.pending() == 3);

    fs::remove_all(db);  // the fault is gone
    const auto saved = slurp(jsonl);
    FallbackAuditLog healed(opener(db), jsonl, log);
    auto report = healed.replay();
    CHECK(report.replayed == 3);
    CHECK(report.bad == 0);
    CHECK_FALSE(fs::exists(jsonl));
    CHECK(healed.pending() == 0);

    // A crash between the replay and the rewrite replays the same lines again: they land once.
    std::ofstream(jsonl) << saved;
    CHECK(healed.replay().replayed == 3);
    auto runs = healed.history("", false, 10);
    REQUIRE(runs.has_value());
    REQUIRE(runs->size() == 1);
    CHECK(runs->front().status == bk::domain::RunStatus::success);
    CHECK(runs->front().pid == 42);
    auto steps = healed.steps("r1");
    REQUIRE(steps.has_value());
    REQUIRE(steps->size() == 1);
    CHECK(steps->front().bytes == 1234);
    CHECK(healed.last_success("shop-db").value() == "2026-11-26T10:01:00.000Z");
}

TEST_CASE("an unreadable line is moved aside and the rest replays", "[unit][audit]") {
    bk::testing::TempDir dir;
    bk::testing::FakeLogger log;
    const auto db = (dir.path() / "audit.db").string();
    const auto jsonl = (dir.path() / "audit-fallback.jsonl").string();
    {
        fs::create_directories(db);
        FallbackAuditLog broken(opener(db), jsonl, log);
        REQUIRE(broken.finish_run(run("r1", "failed")).has_value());  // its begin never landed
        fs::remove_all(db);
    }
    {
        std::ofstream out(jsonl, std::ios::app);
        out << "{\"op\":\"finish_run\",\"record\":{\"id\":\"r2\",\"tar\n";  // a torn write
        out << "{\"op\":\"finish_run\",\"record\":"
            << "{\"id\":\"r3\",\"target\":\"shop-db\","
            << "\"trigger\":\"schedule\",\"status\":\"success\",\"started_at\":\"2026-11-26T11:00:"
               "00Z\","
            << "\"finished_at\":\"2026-11-26T11:01:00Z\"}}\n";
    }
    FallbackAuditLog healed(opener(db), jsonl, log);
    auto report = healed.replay();
    CHECK(report.replayed == 2);
    CHECK(report.bad == 1);
    CHECK_THAT(slurp(jsonl + ".bad"), Catch::Contains("\"r2\""));
    CHECK_FALSE(fs::exists(jsonl));
    auto runs = healed.history("", false, 10);
    REQUIRE(runs.has_value());
    CHECK(runs->size() == 2);
    auto failed = healed.history("", true, 10);
    REQUIRE(failed.has_value());
    REQUIRE(failed->size() == 1);
    CHECK(failed->front().id == "r1");
}

TEST_CASE("effects are journalled until settled", "[unit][audit]") {
    bk::testing::TempDir dir;
    bk::testing::FakeLogger log;
    FallbackAuditLog audit(
        opener((dir.path() / "audit.db").string()), (dir.path() / "f.jsonl").string(), log);
    bk::domain::EffectRecord e{
        "r1", "i1", "container_stopped", "abc123", "shop-app-1", "2026-11-26T10:00:00Z"};
    REQUIRE(audit.begin_run(run("r1", "running")).has_value());
    REQUIRE(audit.record_effect(e).has_value());
    REQUIRE(audit.record_effect(e).has_value());  // twice: still one
    auto open = audit.open_effects();
    REQUIRE(open.has_value());
    REQUIRE(open->size() == 1);
    CHECK(open->front().ref == "abc123");
    auto running = audit.running();
    REQUIRE(running.has_value());
    CHECK(running->size() == 1);
    REQUIRE(audit.settle_effect(e).has_value());
    CHECK(audit.open_effects().value().empty());
}
