// The audit trail keeps states as the strings older versions wrote: every value goes through the
// real SQLite store and the JSONL fallback as its exact string and comes back as the same value;
// rows written by an older version (plain strings in the columns) read unchanged; a string this
// version does not know is an error, never a default.
#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "adapters/audit/fallback_audit_log.hpp"
#include "adapters/audit/sqlite_audit_log.hpp"
#include "domain/run_status.hpp"
#include "support/fakes/fake_logger.hpp"
#include "support/test_env.hpp"

using bk::adapters::audit::FallbackAuditLog;
using bk::adapters::audit::SqliteAuditLog;
namespace domain = bk::domain;
namespace fs = std::filesystem;

namespace {

domain::RunRecord record(const std::string& id, domain::RunStatus status) {
    domain::RunRecord r;
    r.id = id;
    r.kind = status == domain::RunStatus::passed_empty ? "verify" : "backup";
    r.target = "shop-db";
    r.trigger = "manual";
    r.status = status;
    r.started_at = "2026-11-26T10:00:00.000Z";
    r.finished_at = "2026-11-26T10:01:00.000Z";
    r.instance = "i1";
    return r;
}

std::string column(const std::string& db, const std::string& sql) {
    SQLite::Database d(db, SQLite::OPEN_READONLY);
    return d.execAndGet(sql).getString();
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("sqlite audit: every run status and step outcome is stored as its string and read back",
          "[unit][audit][status]") {
    bk::testing::TempDir dir;
    const auto db = (dir.path() / "audit.db").string();
    auto opened = SqliteAuditLog::open(db);
    REQUIRE(opened.has_value());
    auto& audit = **opened;
    for (const auto status : domain::kRunStatuses) {
        const auto word = domain::to_string(status);
        INFO(word);
        const auto id = "run-" + word;
        REQUIRE(audit.finish_run(record(id, status)).has_value());
        CHECK(column(db, "SELECT status FROM runs WHERE id='" + id + "'") == word);
        auto back = audit.run(id);
        REQUIRE(back.has_value());
        REQUIRE(back->has_value());
        CHECK((*back)->status == status);
    }
    for (const auto status : domain::kRunStatuses) {
        INFO(domain::to_string(status));
        domain::RunQuery q;
        q.status = status;
        auto found = audit.runs(q);
        REQUIRE(found.has_value());
        // The failed filter also takes partial and crashed (one rule: is_failed_run).
        CHECK(found->size() == (status == domain::RunStatus::failed ? 3U : 1U));
        for (const auto& r : *found)
            CHECK((r.status == status || domain::is_failed_run(r.status)));
    }
    auto counts = audit.run_counts();
    REQUIRE(counts.has_value());
    CHECK(counts->size() == std::size(domain::kRunStatuses) - 1);  // running is not finished
    for (const auto outcome : domain::kStepOutcomes) {
        const auto word = domain::to_string(outcome);
        INFO(word);
        domain::StepRecord s{"run-success", "step " + word, "2026-11-26T10:00:0" + word};
        s.outcome = outcome;
        REQUIRE(audit.add_step(s).has_value());
        CHECK(column(db, "SELECT outcome FROM steps WHERE name='step " + word + "'") == word);
    }
    auto steps = audit.steps("run-success");
    REQUIRE(steps.has_value());
    REQUIRE(steps->size() == std::size(domain::kStepOutcomes));
    for (std::size_t i = 0; i < steps->size(); ++i)
        CHECK((*steps)[i].outcome == domain::kStepOutcomes[i]);
}

TEST_CASE("sqlite audit: rows an older version wrote read unchanged, an unknown status is an error",
          "[unit][audit][status]") {
    bk::testing::TempDir dir;
    const auto db = (dir.path() / "audit.db").string();
    {
        auto opened = SqliteAuditLog::open(db);  // the schema
        REQUIRE(opened.has_value());
    }
    {
        // What 02c9f5c and before wrote: the strings themselves.
        SQLite::Database d(db, SQLite::OPEN_READWRITE);
        d.exec(
            "INSERT INTO runs (id, target, trigger, status, started_at, finished_at, kind) VALUES "
            "('a','t','schedule','success','2026-01-01T00:00:01Z','2026-01-01T00:00:02Z','backup'),"
            "('b','t','schedule','partial','2026-01-01T00:00:03Z','2026-01-01T00:00:04Z','backup'),"
            "('c','t','recovery','crashed','2026-01-01T00:00:05Z','2026-01-01T00:00:06Z','backup'),"
            "('d','t','manual','passed-empty','2026-01-01T00:00:07Z','2026-01-01T00:00:08Z',"
            "'verify'),"
            "('e','t','manual','skipped','2026-01-01T00:00:09Z','2026-01-01T00:00:10Z','backup')");
        d.exec(
            "INSERT INTO steps (run_id, name, started_at, finished_at, outcome) VALUES "
            "('a','dump shop','1','2','ok'),('a','retention','3','4','skipped'),"
            "('b','dump cart','5','6','failed')");
    }
    auto opened = SqliteAuditLog::open(db);
    REQUIRE(opened.has_value());
    auto& audit = **opened;
    auto runs = audit.history("t", false, 10);
    REQUIRE(runs.has_value());
    REQUIRE(runs->size() == 5);
    CHECK((*runs)[0].status == domain::RunStatus::skipped);
    CHECK((*runs)[1].status == domain::RunStatus::passed_empty);
    CHECK((*runs)[2].status == domain::RunStatus::crashed);
    CHECK((*runs)[3].status == domain::RunStatus::partial);
    CHECK((*runs)[4].status == domain::RunStatus::success);
    auto failed = audit.history("t", true, 10);
    REQUIRE(failed.has_value());
    CHECK(failed->size() == 2);
    auto steps = audit.steps("a");
    REQUIRE(steps.has_value());
    REQUIRE(steps->size() == 2);
    CHECK((*steps)[0].outcome == domain::StepOutcome::ok);
    CHECK((*steps)[1].outcome == domain::StepOutcome::skipped);

    {
        SQLite::Database d(db, SQLite::OPEN_READWRITE);
        d.exec(
            "INSERT INTO runs (id, target, trigger, status, started_at, kind) VALUES "
            "('z','t','manual','bogus','2026-01-02T00:00:00Z','backup')");
    }
    auto bad = audit.run("z");
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("unknown status 'bogus'"));
}

TEST_CASE("audit fallback: every status and outcome is written as its string and replays back",
          "[unit][audit][status]") {
    bk::testing::TempDir dir;
    bk::testing::FakeLogger log;
    const auto db = (dir.path() / "audit.db").string();
    const auto jsonl = (dir.path() / "audit-fallback.jsonl").string();
    auto opener = [db]() -> bk::Result<std::unique_ptr<domain::AuditLog>> {
        auto d = SqliteAuditLog::open(db);
        if (!d)
            return d.error();
        return std::unique_ptr<domain::AuditLog>(std::move(*d));
    };
    {
        fs::create_directories(db);  // a directory where the database belongs: it cannot open
        FallbackAuditLog broken(opener, jsonl, log);
        for (const auto status : domain::kRunStatuses) {
            REQUIRE(
                broken.finish_run(record("run-" + domain::to_string(status), status)).has_value());
        }
        for (const auto outcome : domain::kStepOutcomes) {
            domain::StepRecord s{"run-success", "step " + domain::to_string(outcome), "t"};
            s.outcome = outcome;
            REQUIRE(broken.add_step(s).has_value());
        }
        fs::remove_all(db);
    }
    const auto text = slurp(jsonl);
    for (const auto status : domain::kRunStatuses)
        CHECK_THAT(text, Catch::Contains("\"status\":\"" + domain::to_string(status) + "\""));
    for (const auto outcome : domain::kStepOutcomes)
        CHECK_THAT(text, Catch::Contains("\"outcome\":\"" + domain::to_string(outcome) + "\""));
    {
        std::ofstream out(jsonl, std::ios::app);
        out << R"({"op":"finish_run","record":{"id":"odd","target":"shop-db",)"
            << R"("trigger":"manual","status":"done","started_at":"2026-11-26T11:00:00Z"}})"
            << "\n";
    }
    FallbackAuditLog healed(opener, jsonl, log);
    auto report = healed.replay();
    CHECK(report.replayed == std::size(domain::kRunStatuses) + std::size(domain::kStepOutcomes));
    CHECK(report.bad == 1);  // an unknown status is set aside, not read as some default
    CHECK_THAT(slurp(jsonl + ".bad"), Catch::Contains("\"odd\""));
    for (const auto status : domain::kRunStatuses) {
        auto back = healed.run("run-" + domain::to_string(status));
        REQUIRE(back.has_value());
        REQUIRE(back->has_value());
        CHECK((*back)->status == status);
    }
    auto steps = healed.steps("run-success");
    REQUIRE(steps.has_value());
    REQUIRE(steps->size() == std::size(domain::kStepOutcomes));
    for (std::size_t i = 0; i < steps->size(); ++i)
        CHECK((*steps)[i].outcome == domain::kStepOutcomes[i]);
}
