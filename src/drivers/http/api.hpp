#pragma once
// The HTTP API's logic, without the transport: requests in, responses out (the server in
// server.cpp does the HTTP). JSON everywhere; errors have one shape:
// {"error": {"code": "not_found", "message": "..."}}. Everything under /api/ needs the bearer
// token from `http.token_file` (compared in constant time); without a token file the API answers
// 403 and only /healthz, /metrics and the dashboard's page are served.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "application/daemon.hpp"
#include "application/repository_checks.hpp"
#include "application/snapshot_listing.hpp"
#include "core/task.hpp"
#include "domain/ports/bookkeeping.hpp"

namespace bk::drivers::http {

struct Request {
    std::string method;
    std::string target;         ///< path and query, as sent
    std::string authorization;  ///< the Authorization header
    std::string body;
};

struct Response {
    int status{200};
    std::string content_type{"application/json"};
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// What the API reads and asks of the daemon.
class ApiBackend {
public:
    virtual ~ApiBackend() = default;
    virtual std::vector<app::TargetView> targets() = 0;
    virtual Result<std::string> request(const std::string& name, bool drill) = 0;
    virtual domain::AuditLog& audit() = 0;
    virtual std::string metrics() = 0;
    /// Runs in flight: run id -> (item, bytes so far).
    virtual std::vector<app::RunEvent> live() = 0;
    /// The target's snapshots in its repository, described and marked (see snapshot_listing.hpp).
    /// Errors: not_found (no such target), the repository's.
    virtual Task<Result<std::vector<app::SnapshotEntry>>> snapshots(std::string name) = 0;
    /// Each repository's rotating check (see repository_checks.hpp); none by default.
    virtual std::vector<app::RepositoryCheckState> repository_checks() { return {}; }
};

/// One repository's check state as `check --json` and GET /api/v1/repositories show it.
nlohmann::json repository_check_json(const app::RepositoryCheckState& s);

/// One snapshot as `snapshots --json` and the API show it.
nlohmann::json snapshot_json(const app::SnapshotEntry& s);

/// "a=1&b=x%20y" -> value of `key` (decoded), or empty.
std::string query_param(const std::string& target, const std::string& key);
/// Equal strings in time that depends on the length only.
bool constant_time_equal(const std::string& a, const std::string& b);

class Api {
public:
    Api(ApiBackend& backend, std::string token) : backend_(backend), token_(std::move(token)) {}

    Response handle(const Request& request);
    /// handle(), and the requests that wait for something (a target's snapshots: restic).
    Task<Response> serve(Request request);
    /// Whether the request carries the token: "Authorization: Bearer <token>", or for the event
    /// stream (EventSource cannot set headers) `?access_token=<token>`.
    [[nodiscard]] bool authorized(const Request& request) const;
    [[nodiscard]] bool enabled() const { return !token_.empty(); }
    /// The JSON of one event for the event stream.
    static std::string event_json(const app::RunEvent& e);

private:
    Response targets();
    Response target(const std::string& name);
    Response runs(const std::string& target);
    Response run(const std::string& id);
    Response start(const std::string& name, bool drill);
    Response repositories();

    ApiBackend& backend_;
    std::string token_;
};

/// {"error": {"code": ..., "message": ...}} with that status.
Response error_response(int status, const std::string& code, const std::string& message);

}  // namespace bk::drivers::http
