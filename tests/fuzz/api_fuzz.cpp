// The HTTP API's request path over any request: input lines method, target, Authorization, then
// the body. A response of a sane status whose JSON body parses, never an exception; a run is
// requested only with the token. The audit store is a real SQLite file with a few runs.
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "drivers/http/api.hpp"
#include "fuzz_input.hpp"

namespace {

const std::string kToken = "fuzz-token-0123456789";

class FuzzBackend final : public bk::drivers::http::ApiBackend {
public:
    explicit FuzzBackend(bk::domain::AuditLog& audit) : audit_(audit) {}
    std::vector<bk::app::TargetView> targets() override {
        bk::app::TargetView v;
        v.target.name = "shop-db";
        v.target.container_name = "shop-db-1";
        v.target.database = bk::domain::DatabaseSpec{};
        v.target.cron = "0 3 * * *";
        v.next_run = 1'800'000'000;
        return {v};
    }
    bk::Result<std::string> request(const std::string& name, bool) override {
        ++requests;
        if (name != "shop-db")
            return bk::Failure{bk::errc::not_found, "no target named " + name};
        return std::string("20261127T050000Z-abc123");
    }
    bk::domain::AuditLog& audit() override { return audit_; }
    std::string metrics() override { return "m 1\n"; }
    std::vector<bk::app::RunEvent> live() override {
        bk::app::RunEvent e;
        e.run_id = "r-live";
        e.target = "shop-db";
        e.item = "shop\xff";
        e.bytes = 4096;
        return {e};
    }
    bk::Task<bk::Result<std::vector<bk::app::SnapshotEntry>>> snapshots(std::string) override {
        co_return std::vector<bk::app::SnapshotEntry>{};
    }
    int requests{0};

private:
    bk::domain::AuditLog& audit_;
};

struct World {
    std::filesystem::path dir;
    std::unique_ptr<bk::adapters::audit::SqliteAuditLog> audit;
    std::unique_ptr<FuzzBackend> backend;
    std::unique_ptr<bk::drivers::http::Api> api;

    World() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "bk-fuzz-api-XXXXXX").string();
        BK_FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        auto a = bk::adapters::audit::SqliteAuditLog::open((dir / "audit.db").string());
        BK_FUZZ_CHECK(a);
        audit = std::move(*a);
        for (int i = 1; i <= 3; ++i) {
            bk::domain::RunRecord r;
            r.id = "run-" + std::to_string(i);
            r.target = "shop-db";
            r.trigger = "schedule";
            r.status = i == 2 ? bk::domain::RunStatus::failed : bk::domain::RunStatus::success;
            r.started_at = "2026-11-2" + std::to_string(i) + "T03:00:00.000Z";
            r.finished_at = "2026-11-2" + std::to_string(i) + "T03:00:10.500Z";
            r.error = i == 2 ? "pg_dump exited 1 \xc3" : "";
            BK_FUZZ_CHECK(audit->begin_run(r));
            BK_FUZZ_CHECK(audit->finish_run(r));
        }
        BK_FUZZ_CHECK(audit->add_step({"run-2",
                                       "dump shop",
                                       "2026-11-22T03:00:00.000Z",
                                       "2026-11-22T03:00:10.000Z",
                                       0,
                                       bk::domain::StepOutcome::failed,
                                       "exit 1"}));
        backend = std::make_unique<FuzzBackend>(*audit);
        api = std::make_unique<bk::drivers::http::Api>(*backend, kToken);
    }
    ~World() {
        api.reset();
        audit.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    bk::fuzz::FuzzInput in(data, size);
    bk::drivers::http::Request r;
    r.method = std::string(in.line());
    r.target = std::string(in.line());
    r.authorization = std::string(in.line());
    r.body = std::string(in.rest());
    const int before = world.backend->requests;
    const auto resp = world.api->handle(r);
    BK_FUZZ_CHECK(resp.status >= 200 && resp.status <= 599);
    if (resp.content_type == "application/json") {
        BK_FUZZ_CHECK(nlohmann::json::accept(resp.body));
    }
    if (world.backend->requests != before)
        BK_FUZZ_CHECK(world.api->authorized(r));
    (void)bk::drivers::http::query_param(r.target, std::string(in.rest().substr(0, 8)));
    return 0;
}
