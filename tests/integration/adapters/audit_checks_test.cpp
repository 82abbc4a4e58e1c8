// The audit store's repository checks: recorded once per id, read newest first per repository,
// kept in the JSONL fallback while the store is away and replayed into it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "adapters/audit/fallback_audit_log.hpp"
#include "adapters/audit/sqlite_audit_log.hpp"
#include "domain/ports/logger.hpp"
#include "support/bk_result_printing.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {
domain::CheckRecord rec(std::string id, std::string repo, int k, bool ok, std::string at) {
    domain::CheckRecord c;
    c.id = std::move(id);
    c.repository = std::move(repo);
    c.started_at = at;
    c.finished_at = at;
    c.subset = k;
    c.subsets = 4;
    c.ok = ok;
    c.packs_read = 7;
    c.total_packs = 30;
    c.error = ok ? "" : "Pack ID does not match";
    return c;
}
}  // namespace

TEST_CASE("the sqlite store keeps repository checks newest first and lands a replay once",
          "[integration][checks]") {
    bk::testing::TempDir dir;
    auto store = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
    REQUIRE(store.has_value());
    auto& audit = **store;
    REQUIRE(audit.record_check(rec("a", "main", 1, true, "2026-12-01T00:00:00.000Z")));
    REQUIRE(audit.record_check(rec("b", "main", 2, false, "2026-12-02T00:00:00.000Z")));
    REQUIRE(audit.record_check(rec("b", "main", 2, false, "2026-12-02T00:00:00.000Z")));
    REQUIRE(audit.record_check(rec("c", "other", 1, true, "2026-12-03T00:00:00.000Z")));
    auto main = audit.checks("main", 10);
    REQUIRE(main.has_value());
    REQUIRE(main->size() == 2);
    CHECK(main->at(0).id == "b");
    CHECK_FALSE(main->at(0).ok);
    CHECK(main->at(0).subset == 2);
    CHECK(main->at(0).subsets == 4);
    CHECK(main->at(0).packs_read == 7);
    CHECK(main->at(0).total_packs == 30);
    CHECK(main->at(0).error == "Pack ID does not match");
    CHECK(main->at(1).id == "a");
    auto one = audit.checks("main", 1);
    REQUIRE(one.has_value());
    CHECK(one->size() == 1);
    // Reopened (the migration ran once): still there.
    store->reset();
    auto again = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
    REQUIRE(again.has_value());
    auto kept = (*again)->checks("other", 10);
    REQUIRE(kept.has_value());
    CHECK(kept->size() == 1);
}

TEST_CASE("a check recorded while the store is away goes to the fallback file and replays",
          "[integration][checks]") {
    bk::testing::TempDir dir;
    const auto db = (dir.path() / "audit.db").string();
    bool up = false;
    domain::NullLogger log;
    adapters::audit::FallbackAuditLog audit(
        [&]() -> Result<std::unique_ptr<domain::AuditLog>> {
            if (!up)
                return Failure{errc::io_error, "store away"};
            auto s = adapters::audit::SqliteAuditLog::open(db);
            if (!s)
                return s.error();
            return std::unique_ptr<domain::AuditLog>(std::move(*s));
        },
        (dir.path() / "fallback.jsonl").string(),
        log);
    REQUIRE(audit.record_check(rec("x", "main", 3, false, "2026-12-04T00:00:00.000Z")));
    CHECK(audit.pending() == 1);
    CHECK_FALSE(audit.checks("main", 5).has_value());
    up = true;
    const auto report = audit.replay();
    CHECK(report.replayed == 1);
    auto read = audit.checks("main", 5);
    REQUIRE(read.has_value());
    REQUIRE(read->size() == 1);
    CHECK(read->front().id == "x");
    CHECK(read->front().subset == 3);
    CHECK_FALSE(read->front().ok);
}
