// The Prometheus exposition from a real audit store: the series a dashboard needs, label values
// escaped, and Prometheus' own checker (promtool, Debian's prometheus package) accepts it.
#include "application/metrics.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/gpg/gpg_keys.hpp"
#include "support/bk_result_printing.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using namespace bk;

namespace {
void add_run(domain::AuditLog& audit,
             const std::string& id,
             const std::string& target,
             const std::string& kind,
             const std::string& status,
             const std::string& start,
             const std::string& end,
             std::uint64_t bytes) {
    domain::RunRecord r;
    r.id = id;
    r.kind = kind;
    r.target = target;
    r.trigger = "schedule";
    r.status = *domain::parse_run_status(status);
    r.started_at = start;
    r.finished_at = end;
    r.bytes = bytes;
    REQUIRE(audit.finish_run(r));
}
}  // namespace

TEST_CASE("metrics: per-target series from the audit trail pass promtool check metrics",
          "[integration][metrics]") {
    bk::testing::TempDir dir;
    auto audit = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
    REQUIRE(audit);
    auto& a = **audit;
    add_run(a,
            "r1",
            "shop-db",
            "backup",
            "success",
            "2026-11-27T03:00:00.000Z",
            "2026-11-27T03:00:12.500Z",
            1000);
    add_run(a,
            "r2",
            "shop-db",
            "backup",
            "failed",
            "2026-11-27T04:00:00.000Z",
            "2026-11-27T04:00:02.000Z",
            0);
    add_run(a,
            "r3",
            "we\"ird\\name",
            "backup",
            "success",
            "2026-11-27T03:00:00.000Z",
            "2026-11-27T03:00:01.000Z",
            5);
    add_run(a,
            "v1",
            "shop-db",
            "verify",
            "success",
            "2026-11-27T05:00:00.000Z",
            "2026-11-27T05:00:30.000Z",
            0);
    domain::StepRecord restore{"v1",
                               "restore db shop",
                               "2026-11-27T05:00:10.000Z",
                               "2026-11-27T05:00:17.250Z",
                               0,
                               domain::StepOutcome::ok,
                               ""};
    REQUIRE(a.add_step(restore));

    app::MetricsInput in;
    in.targets = {"fresh"};
    in.memory["shop-db"].snapshots = 7;
    in.overdue = {"shop-db"};
    in.audit_fallback_records = 2;
    in.notification_queue = 1;
    in.events_connected = 1;
    const auto text = app::render_metrics(a, in);
    INFO(text);
    auto has = [&text](const std::string& line) {
        return text.find(line + "\n") != std::string::npos;
    };
    CHECK(has("backupctl_runs_total{target=\"shop-db\",status=\"success\"} 1"));
    CHECK(has("backupctl_runs_total{target=\"shop-db\",status=\"failed\"} 1"));
    CHECK(has("backupctl_last_success_timestamp_seconds{target=\"shop-db\"} 1795748412.5"));
    CHECK(has("backupctl_last_run_duration_seconds{target=\"shop-db\"} 2"));
    CHECK(has("backupctl_last_run_success{target=\"shop-db\"} 0"));
    CHECK(has("backupctl_last_run_suspect{target=\"shop-db\"} 0"));
    CHECK(has("backupctl_last_run_bytes{target=\"shop-db\"} 0"));
    CHECK(has("backupctl_snapshots{target=\"shop-db\"} 7"));
    CHECK(has("backupctl_overdue{target=\"shop-db\"} 1"));
    CHECK(has("backupctl_overdue{target=\"fresh\"} 0"));
    CHECK(has("backupctl_last_drill_success{target=\"shop-db\"} 1"));
    CHECK(has("backupctl_last_drill_rto_seconds{target=\"shop-db\"} 7.25"));
    CHECK(has("backupctl_runs_total{target=\"we\\\"ird\\\\name\",status=\"success\"} 1"));
    CHECK(has("backupctl_audit_fallback_records 2"));
    CHECK(has("backupctl_notification_queue_length 1"));
    CHECK(has("backupctl_events_stream_connected 1"));

    const auto file = dir.path() / "metrics.txt";
    std::ofstream(file) << text;
    const auto check = bk::testing::sh("promtool check metrics < " + file.string() + " 2>&1");
    INFO(check.out);
    CHECK(check.exit_code == 0);
    // The checker does fail on a broken exposition (so the check above means something).
    std::ofstream(dir.path() / "bad.txt") << "# TYPE x counter\nx{a=\"1\" 2\n";
    CHECK(bk::testing::sh("promtool check metrics < " + (dir.path() / "bad.txt").string() +
                          " >/dev/null 2>&1")
              .exit_code != 0);
}

TEST_CASE("gpg colons: expired, revoked and encryption capability are read from the pub record",
          "[integration][health]") {
    const std::string good =
        "pub:-:3072:1:AAAABBBBCCCCDDDD:1700000000:1900000000::-:::scESC::::::23::0:\n"
        "fpr:::::::::0123456789ABCDEF0123456789ABCDEF01234567:\n"
        "sub:-:3072:1:EEEEFFFF00001111:1700000000:1900000000:::::e::::::23:\n";
    auto k = adapters::gpg::parse_gpg_colons(good, 1800000000);
    CHECK(k.fingerprint == "0123456789ABCDEF0123456789ABCDEF01234567");
    CHECK(k.can_encrypt);
    CHECK_FALSE(k.expired);
    CHECK(k.expires == 1900000000);
    CHECK(adapters::gpg::parse_gpg_colons(good, 1950000000).expired);
    const std::string revoked =
        "pub:r:3072:1:AAAA:1700000000:::-:::sc::::::23::0:\nfpr:::::::::AB:\n";
    auto r = adapters::gpg::parse_gpg_colons(revoked, 1800000000);
    CHECK(r.revoked);
    CHECK_FALSE(r.can_encrypt);
}
