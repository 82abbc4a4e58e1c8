// The HTTP API's logic without the transport: auth (missing, wrong, right, the event stream's
// query token), the error shape, paging through runs, run detail, 202/404/409/422 for run
// requests, methods, and the small helpers.
#include "drivers/http/api.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "support/bk_result_printing.hpp"
#include "support/kinds.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;
using drivers::http::Api;
using drivers::http::Request;
using nlohmann::json;

namespace {

const std::string kToken = "0123456789abcdef-token";

class FakeBackend final : public drivers::http::ApiBackend {
public:
    explicit FakeBackend(domain::AuditLog& audit) : audit_(audit) {}
    std::vector<app::TargetView> targets() override {
        app::TargetView v;
        v.target.name = "shop-db";
        v.target.container_name = "shop-db-1";
        v.target.database = bk::testing::database();
        v.target.cron = "0 3 * * *";
        v.next_run = 1'800'000'000;
        v.overdue = true;
        return {v};
    }
    Result<std::string> request(const std::string& name, bool drill) override {
        requested.push_back(name + (drill ? " verify" : " run"));
        if (name == "busy")
            return Failure{errc::conflict, "target busy is locked by pid 42"};
        if (name == "files")
            return Failure{errc::invalid_config, "target files has no database to drill"};
        if (name != "shop-db")
            return Failure{errc::not_found, "no target named " + name};
        return std::string("20261127T050000Z-abc123");
    }
    domain::AuditLog& audit() override { return audit_; }
    std::string metrics() override { return "m 1\n"; }
    std::vector<app::RepositoryCheckState> repository_checks() override {
        app::RepositoryCheckState s;
        s.repository = "main";
        s.cron = "@weekly";
        s.subsets = 8;
        s.next_subset = 3;
        s.read_fraction = 0.25;
        s.next_due = 1'800'000'000;
        domain::CheckRecord c;
        c.id = "check-1";
        c.repository = "main";
        c.finished_at = "2026-12-07T04:00:00Z";
        c.subset = 3;
        c.subsets = 8;
        c.ok = false;
        c.packs_read = 12;
        c.total_packs = 100;
        c.error = "Pack ID does not match";
        s.last = c;
        return {s};
    }
    std::vector<app::RunEvent> live() override {
        app::RunEvent e;
        e.run_id = "r-live";
        e.target = "shop-db";
        e.item = "shop";
        e.bytes = 4096;
        return {e};
    }
    Task<Result<std::vector<app::SnapshotEntry>>> snapshots(std::string name) override {
        if (name != "shop-db")
            co_return Failure{errc::not_found, "no target named " + name};
        app::SnapshotEntry safety;
        safety.id = "5afe0001";
        safety.time = "2026-11-26T10:00:00Z";
        safety.kind = "database";
        safety.item = "shop";
        safety.bytes = 4096;
        safety.tags = {"target:shop-db", "kind:db", "db:shop", "pre-restore"};
        safety.marks = {"safety"};
        safety.why = "a restore's safety backup of the target, taken before it wrote";
        app::SnapshotEntry files;
        files.id = "f11e0001";
        files.time = "2026-11-25T03:00:00Z";
        files.kind = "files";
        files.item = "/var/lib/data";
        co_return std::vector<app::SnapshotEntry>{safety, files};
    }
    std::vector<std::string> requested;

private:
    domain::AuditLog& audit_;
};

Request get(const std::string& target, const std::string& token = kToken) {
    Request r;
    r.method = "GET";
    r.target = target;
    if (!token.empty())
        r.authorization = "Bearer " + token;
    return r;
}

struct Fixture {
    bk::testing::TempDir dir;
    std::unique_ptr<adapters::audit::SqliteAuditLog> audit;
    std::unique_ptr<FakeBackend> backend;
    std::unique_ptr<Api> api;
    Fixture() {
        auto a = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(a);
        audit = std::move(*a);
        for (int i = 1; i <= 5; ++i) {
            domain::RunRecord r;
            r.id = "run-" + std::to_string(i);
            r.target = "shop-db";
            r.trigger = "schedule";
            r.status = i == 3 ? domain::RunStatus::failed : domain::RunStatus::success;
            r.started_at = "2026-11-2" + std::to_string(i) + "T03:00:00.000Z";
            r.finished_at = "2026-11-2" + std::to_string(i) + "T03:00:10.500Z";
            r.bytes = static_cast<std::uint64_t>(1000 * i);
            REQUIRE(audit->finish_run(r));
        }
        REQUIRE(audit->add_step({"run-3",
                                 "dump shop",
                                 "2026-11-23T03:00:00.000Z",
                                 "2026-11-23T03:00:10.000Z",
                                 0,
                                 domain::StepOutcome::failed,
                                 "pg_dump exited 1"}));
        backend = std::make_unique<FakeBackend>(*audit);
        api = std::make_unique<Api>(*backend, kToken);
    }
    json call(const Request& r, int want) {
        auto resp = api->handle(r);
        INFO(resp.body);
        CHECK(resp.status == want);
        CHECK(resp.content_type == "application/json");
        return json::parse(resp.body);
    }
};

}  // namespace

TEST_CASE("api: no token file means no API, a wrong or missing token is refused", "[unit][api]") {
    Fixture f;
    Api off(*f.backend, "");
    auto r = off.handle(get("/api/v1/targets"));
    CHECK(r.status == 403);
    CHECK(json::parse(r.body)["error"]["code"] == "api_disabled");

    auto missing = f.api->handle(get("/api/v1/targets", ""));
    CHECK(missing.status == 401);
    CHECK(json::parse(missing.body)["error"]["code"] == "unauthorized");
    REQUIRE(missing.headers.size() == 1);
    CHECK(missing.headers[0].first == "WWW-Authenticate");
    CHECK(f.api->handle(get("/api/v1/targets", kToken + "x")).status == 401);
    CHECK(f.api->handle(get("/api/v1/targets", "0123456789abcdef-tokeN")).status == 401);
    // The query token is for the event stream only (EventSource cannot send headers).
    CHECK(f.api->handle(get("/api/v1/targets?access_token=" + kToken, "")).status == 401);
    CHECK(f.api->authorized(get("/api/v1/events?access_token=" + kToken, "")));
    CHECK_FALSE(f.api->authorized(get("/api/v1/events?access_token=nope", "")));
    CHECK(f.backend->requested.empty());
}

TEST_CASE("api: targets with their schedule, state, last runs, size trend and live progress",
          "[unit][api]") {
    Fixture f;
    auto j = f.call(get("/api/v1/targets"), 200);
    REQUIRE(j["targets"].size() == 1);
    const auto& t = j["targets"][0];
    CHECK(t["name"] == "shop-db");
    CHECK(t["database"] == "postgres");
    CHECK(t["overdue"] == true);
    CHECK(t["next_run"] == "2027-01-15T08:00:00Z");
    CHECK(t["last_run"]["id"] == "run-5");
    CHECK(t["last_run"]["seconds"] == 10.5);
    CHECK(t["last_success"] == "2026-11-25T03:00:10.500Z");
    CHECK(t["last_drill"].is_null());
    CHECK(t["sizes"] == json::array({1000, 2000, 4000, 5000}));
    CHECK(t["progress"]["bytes"] == 4096);
    auto one = f.call(get("/api/v1/targets/shop-db"), 200);
    CHECK(one["name"] == "shop-db");
    CHECK(f.call(get("/api/v1/targets/nope"), 404)["error"]["code"] == "not_found");
}

TEST_CASE("api: runs page by page, filtered, and one run with its steps", "[unit][api]") {
    Fixture f;
    auto p1 = f.call(get("/api/v1/runs?target=shop-db&limit=2"), 200);
    REQUIRE(p1["runs"].size() == 2);
    CHECK(p1["runs"][0]["id"] == "run-5");
    CHECK(p1["runs"][1]["id"] == "run-4");
    REQUIRE(p1["next_before"].is_string());
    auto p2 = f.call(
        get("/api/v1/runs?target=shop-db&limit=2&before=" + p1["next_before"].get<std::string>()),
        200);
    REQUIRE(p2["runs"].size() == 2);
    CHECK(p2["runs"][0]["id"] == "run-3");
    auto p3 = f.call(
        get("/api/v1/runs?target=shop-db&limit=2&before=" + p2["next_before"].get<std::string>()),
        200);
    REQUIRE(p3["runs"].size() == 1);
    CHECK(p3["runs"][0]["id"] == "run-1");
    CHECK(p3["next_before"].is_null());
    auto failed = f.call(get("/api/v1/runs?status=failed"), 200);
    REQUIRE(failed["runs"].size() == 1);
    CHECK(failed["runs"][0]["id"] == "run-3");
    CHECK(f.call(get("/api/v1/runs?limit=0"), 400)["error"]["code"] == "bad_request");
    CHECK(f.call(get("/api/v1/runs?limit=5x"), 400)["error"]["code"] == "bad_request");
    CHECK(f.call(get("/api/v1/runs?status=weird"), 400)["error"]["code"] == "bad_request");

    auto run = f.call(get("/api/v1/runs/run-3"), 200);
    CHECK(run["status"] == "failed");
    REQUIRE(run["steps"].size() == 1);
    CHECK(run["steps"][0]["name"] == "dump shop");
    CHECK(run["steps"][0]["detail"] == "pg_dump exited 1");
    CHECK(f.call(get("/api/v1/runs/nope"), 404)["error"]["code"] == "not_found");
}

TEST_CASE("api: run and verify requests answer 202 with the run id, or 404, 409, 422",
          "[unit][api]") {
    Fixture f;
    auto post = [](const std::string& target) {
        Request r = get(target);
        r.method = "POST";
        return r;
    };
    auto resp = f.api->handle(post("/api/v1/targets/shop-db/run"));
    CHECK(resp.status == 202);
    CHECK(json::parse(resp.body)["run_id"] == "20261127T050000Z-abc123");
    CHECK(json::parse(resp.body)["kind"] == "backup");
    CHECK(f.call(post("/api/v1/targets/shop-db/verify"), 202)["kind"] == "verify");
    CHECK(f.call(post("/api/v1/targets/busy/run"), 409)["error"]["message"] ==
          "target busy is locked by pid 42");
    CHECK(f.call(post("/api/v1/targets/ghost/run"), 404)["error"]["code"] == "not_found");
    CHECK(f.call(post("/api/v1/targets/files/verify"), 422)["error"]["code"] == "not_possible");
    CHECK(f.call(post("/api/v1/targets/a%2Fb/run"), 400)["error"]["code"] == "bad_request");
    CHECK(f.backend->requested ==
          std::vector<std::string>{
              "shop-db run", "shop-db verify", "busy run", "ghost run", "files verify"});
    // GET on a POST path, POST on a GET path, an unknown path.
    CHECK(f.call(get("/api/v1/targets/shop-db/run"), 405)["error"]["code"] == "method_not_allowed");
    CHECK(f.call(post("/api/v1/targets"), 405)["error"]["code"] == "method_not_allowed");
    CHECK(f.call(get("/api/v1/nothing"), 404)["error"]["code"] == "not_found");
}

TEST_CASE("api helpers: query parameters decoded, constant-time comparison", "[unit][api]") {
    using drivers::http::query_param;
    CHECK(query_param("/x?a=1&b=two%20words&c=", "b") == "two words");
    CHECK(query_param("/x?a=1&b=2", "c").empty());
    CHECK(query_param("/x", "a").empty());
    CHECK(query_param("/x?before=2026-11-27T03%3A00%3A00.000Z", "before") ==
          "2026-11-27T03:00:00.000Z");
    CHECK(drivers::http::constant_time_equal("abc", "abc"));
    CHECK_FALSE(drivers::http::constant_time_equal("abc", "abd"));
    CHECK_FALSE(drivers::http::constant_time_equal("abc", "abcd"));
    const auto e = Api::event_json(
        app::RunEvent{"progress", "r1", "shop-db", "backup", "", "", "shop", 10, 2.5, 1.0, ""});
    CHECK(json::parse(e)["bytes"] == 10);
}

TEST_CASE("api: the last backup and the size trend never count a safety backup", "[unit][api]") {
    Fixture f;
    // A restore's safety backup after the last scheduled one.
    domain::RunRecord r;
    r.id = "run-safety";
    r.target = "shop-db";
    r.trigger = domain::kSafetyTrigger;
    r.status = domain::RunStatus::success;
    r.started_at = "2026-11-26T10:00:00.000Z";
    r.finished_at = "2026-11-26T10:00:05.000Z";
    r.bytes = 9999;
    REQUIRE(f.audit->finish_run(r));
    auto t = f.call(get("/api/v1/targets/shop-db"), 200);
    CHECK(t["last_run"]["id"] == "run-5");
    CHECK(t["last_success"] == "2026-11-25T03:00:10.500Z");
    CHECK(t["sizes"] == json::array({1000, 2000, 4000, 5000}));
    // The run itself is in the history, as what it is.
    auto runs = f.call(get("/api/v1/runs?limit=1"), 200);
    CHECK(runs["runs"][0]["trigger"] == "pre-restore");
}

TEST_CASE("api: a target's snapshots with kind, database or path, size and marks", "[unit][api]") {
    Fixture f;
    auto serve = [&f](const Request& r) { return bk::testing::run_task(f.api->serve(r)); };
    auto ok = serve(get("/api/v1/targets/shop-db/snapshots"));
    INFO(ok.body);
    REQUIRE(ok.status == 200);
    auto j = json::parse(ok.body);
    CHECK(j["target"] == "shop-db");
    REQUIRE(j["snapshots"].size() == 2);
    const auto& s = j["snapshots"][0];
    CHECK(s["id"] == "5afe0001");
    CHECK(s["time"] == "2026-11-26T10:00:00Z");
    CHECK(s["kind"] == "database");
    CHECK(s["database"] == "shop");
    CHECK(s["path"].is_null());
    CHECK(s["bytes"] == 4096);
    CHECK(s["marks"] == json::array({"safety"}));
    CHECK(s["tags"].size() == 4);
    const auto& files = j["snapshots"][1];
    CHECK(files["path"] == "/var/lib/data");
    CHECK(files["database"].is_null());
    CHECK(files["bytes"].is_null());
    CHECK(files["marks"] == json::array());
    CHECK(serve(get("/api/v1/targets/nope/snapshots")).status == 404);
    CHECK(serve(get("/api/v1/targets/shop-db/snapshots", "")).status == 401);
    auto post = get("/api/v1/targets/shop-db/snapshots");
    post.method = "POST";
    CHECK(serve(post).status == 405);
    // Everything else is served as handle() serves it.
    CHECK(serve(get("/api/v1/targets/shop-db")).status == 200);
}

TEST_CASE("api: each repository's check with its rotation", "[unit][api][checks]") {
    Fixture f;
    auto j = f.call(get("/api/v1/repositories"), 200);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["repository"] == "main");
    CHECK(j[0]["check_subsets"] == 8);
    CHECK(j[0]["next_subset"] == 3);
    CHECK(j[0]["read_fraction"] == 0.25);
    CHECK(j[0]["next_due"] == "2027-01-15T08:00:00Z");
    CHECK(j[0]["last"]["ok"] == false);
    CHECK(j[0]["last"]["subset"] == 3);
    CHECK(j[0]["last"]["error"] == "Pack ID does not match");
    CHECK(f.call(get("/api/v1/repositories"), 200).dump() == j.dump());
}
