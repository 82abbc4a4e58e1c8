#include "drivers/http/api.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "domain/run_status.hpp"
#include "domain/utc_time.hpp"

namespace bk::drivers::http {

using nlohmann::json;

namespace {

constexpr auto kReplace = json::error_handler_t::replace;

std::string decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else if (s[i] == '+') {
            out += ' ';
        } else {
            out += s[i];
        }
    }
    return out;
}

json or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

json run_json(const domain::RunRecord& r) {
    json snaps = json::array();
    std::string cur;
    for (char c : r.snapshots + ",") {
        if (c == ',') {
            if (!cur.empty())
                snaps.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return {{"id", r.id},
            {"kind", r.kind},
            {"target", r.target},
            {"trigger", r.trigger},
            {"status", domain::to_string(r.status)},
            {"started_at", r.started_at},
            {"finished_at", or_null(r.finished_at)},
            {"seconds",
             r.finished_at.empty() ? 0.0 : domain::seconds_between(r.started_at, r.finished_at)},
            {"bytes", r.bytes},
            {"snapshots", snaps},
            {"error", or_null(r.error)}};
}

Response json_response(int status, const json& j) {
    Response r;
    r.status = status;
    r.body = j.dump(-1, ' ', false, kReplace);
    return r;
}

bool is_name(const std::string& s) {
    if (s.empty() || s.size() > 200)
        return false;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

}  // namespace

Response error_response(int status, const std::string& code, const std::string& message) {
    return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string query_param(const std::string& target, const std::string& key) {
    const auto q = target.find('?');
    if (q == std::string::npos)
        return {};
    std::string rest = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= rest.size()) {
        const auto amp = rest.find('&', pos);
        const auto part =
            rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        const auto eq = part.find('=');
        if (decode(part.substr(0, eq)) == key) {
            return eq == std::string::npos ? std::string{} : decode(part.substr(eq + 1));
        }
        if (amp == std::string::npos)
            break;
        pos = amp + 1;
    }
    return {};
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff = static_cast<unsigned char>(
            diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
    }
    return diff == 0;
}

bool Api::authorized(const Request& r) const {
    if (token_.empty())
        return false;
    const std::string prefix = "Bearer ";
    if (r.authorization.size() > prefix.size() &&
        r.authorization.compare(0, prefix.size(), prefix) == 0) {
        return constant_time_equal(r.authorization.substr(prefix.size()), token_);
    }
    const auto path = r.target.substr(0, r.target.find('?'));
    if (path == "/api/v1/events") {
        const auto t = query_param(r.target, "access_token");
        return !t.empty() && constant_time_equal(t, token_);
    }
    return false;
}

std::string Api::event_json(const app::RunEvent& e) {
    json j{{"type", e.type},
           {"run_id", e.run_id},
           {"target", e.target},
           {"kind", e.kind},
           {"seconds", e.seconds}};
    if (e.type == "started")
        j["trigger"] = e.trigger;
    if (e.type == "progress") {
        j["item"] = e.item;
        j["bytes"] = e.bytes;
        j["rate"] = e.rate;
    }
    if (e.type == "finished") {
        j["status"] = e.status;
        j["error"] = or_null(e.error);
    }
    return j.dump(-1, ' ', false, kReplace);
}

json snapshot_json(const app::SnapshotEntry& s) {
    return {{"id", s.id},
            {"full_id", s.full_id},
            {"time", s.time},
            {"kind", s.kind},
            {"database", s.kind == "database" ? json(s.item) : json(nullptr)},
            {"path", s.kind != "database" ? or_null(s.item) : json(nullptr)},
            {"bytes", s.bytes ? json(*s.bytes) : json(nullptr)},
            {"tags", s.tags},
            {"marks", s.marks},
            {"why", or_null(s.why)},
            {"run_id", or_null(s.run_id)}};
}

Task<Response> Api::serve(Request r) {
    const auto path = r.target.substr(0, r.target.find('?'));
    const std::string prefix = "/api/v1/targets/";
    const std::string suffix = "/snapshots";
    const bool snapshots = path.size() > prefix.size() + suffix.size() &&
                           path.rfind(prefix, 0) == 0 &&
                           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (!snapshots || !enabled() || !authorized(r))
        co_return handle(r);
    if (r.method != "GET") {
        auto resp = error_response(405, "method_not_allowed", "use GET");
        resp.headers.emplace_back("Allow", "GET");
        co_return resp;
    }
    const auto name =
        decode(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()));
    if (!is_name(name))
        co_return error_response(400, "bad_request", "not a target name");
    auto list = co_await backend_.snapshots(name);
    if (!list) {
        if (list.error().code == errc::not_found)
            co_return error_response(404, "not_found", list.error().message);
        co_return error_response(502, "repository_failed", list.error().message);
    }
    json out = json::array();
    for (const auto& s : *list)
        out.push_back(snapshot_json(s));
    json body;
    body["target"] = name;
    body["snapshots"] = std::move(out);
    co_return json_response(200, body);
}

Response Api::handle(const Request& r) {
    const auto path = r.target.substr(0, r.target.find('?'));
    if (path.rfind("/api/", 0) != 0)
        return error_response(404, "not_found", "no such path: " + path);
    if (!enabled()) {
        return error_response(
            403, "api_disabled", "the API needs http.token_file in the config (a bearer token)");
    }
    if (!authorized(r)) {
        auto resp = error_response(
            401, "unauthorized", "a valid \"Authorization: Bearer <token>\" header is needed");
        resp.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"backupctl\"");
        return resp;
    }
    const std::string base = "/api/v1/";
    if (path.rfind(base, 0) != 0)
        return error_response(404, "not_found", "no such path: " + path);
    const auto rest = path.substr(base.size());
    std::vector<std::string> parts;
    {
        std::string cur;
        for (char c : rest + "/") {
            if (c == '/') {
                if (!cur.empty())
                    parts.push_back(decode(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
    }
    auto only = [&r](const char* method) { return r.method == method; };
    auto not_allowed = [](const char* allow) {
        auto resp = error_response(405, "method_not_allowed", std::string("use ") + allow);
        resp.headers.emplace_back("Allow", allow);
        return resp;
    };
    if (parts.size() == 1 && parts[0] == "targets") {
        return only("GET") ? targets() : not_allowed("GET");
    }
    if (parts.size() == 2 && parts[0] == "targets") {
        return only("GET") ? target(parts[1]) : not_allowed("GET");
    }
    if (parts.size() == 3 && parts[0] == "targets" && (parts[2] == "run" || parts[2] == "verify")) {
        return only("POST") ? start(parts[1], parts[2] == "verify") : not_allowed("POST");
    }
    if (parts.size() == 1 && parts[0] == "repositories") {
        return only("GET") ? repositories() : not_allowed("GET");
    }
    if (parts.size() == 1 && parts[0] == "runs") {
        return only("GET") ? runs(r.target) : not_allowed("GET");
    }
    if (parts.size() == 2 && parts[0] == "runs") {
        return only("GET") ? run(parts[1]) : not_allowed("GET");
    }
    return error_response(404, "not_found", "no such path: " + path);
}

namespace {
json target_json(const app::TargetView& v,
                 domain::AuditLog& audit,
                 const std::vector<app::RunEvent>& live) {
    const auto& t = v.target;
    json j{{"name", t.name},
           {"container", t.container_name},
           {"compose_project", or_null(t.compose_project)},
           {"source", t.source == domain::Origin::labels ? "labels" : "config"},
           {"enabled", t.enabled},
           {"database", t.database ? json(t.database->kind_name()) : json(nullptr)},
           {"volumes", t.volumes},
           {"repository", t.repository},
           {"cron", t.cron},
           {"verify_cron", t.verify_cron},
           {"next_run", or_null(domain::format_utc(v.next_run))},
           {"next_drill", or_null(domain::format_utc(v.next_drill))},
           {"running", v.running},
           {"queued", v.queued},
           {"overdue", v.overdue},
           {"state", app::state_of(t)},
           {"stopped_since", t.stopped() ? or_null(t.stopped_since) : json(nullptr)}};
    j["last_run"] = nullptr;
    if (auto r = audit.last_run(t.name, "backup"); r && *r)
        j["last_run"] = run_json(**r);
    j["last_success"] = nullptr;
    if (auto s = audit.last_success(t.name); s && !s->empty())
        j["last_success"] = *s;
    j["last_drill"] = nullptr;
    if (auto d = audit.last_run(t.name, "verify"); d && *d) {
        auto dj = run_json(**d);
        dj["rto_seconds"] = app::drill_restore_seconds(audit, (*d)->id);
        j["last_drill"] = dj;
    }
    // The size trend: bytes of the last successful backups, oldest first.
    j["sizes"] = app::backup_sizes(audit, t.name);
    j["progress"] = nullptr;
    for (const auto& e : live) {
        if (e.target == t.name) {
            j["progress"] = {
                {"run_id", e.run_id}, {"item", e.item}, {"bytes", e.bytes}, {"rate", e.rate}};
        }
    }
    return j;
}
}  // namespace

Response Api::targets() {
    const auto live = backend_.live();
    json out = json::array();
    for (const auto& v : backend_.targets())
        out.push_back(target_json(v, backend_.audit(), live));
    return json_response(200, {{"targets", out}});
}

Response Api::target(const std::string& name) {
    for (const auto& v : backend_.targets()) {
        if (v.target.name == name)
            return json_response(200, target_json(v, backend_.audit(), backend_.live()));
    }
    return error_response(404, "not_found", "no target named " + name);
}

Response Api::start(const std::string& name, bool drill) {
    if (!is_name(name))
        return error_response(400, "bad_request", "not a target name");
    auto id = backend_.request(name, drill);
    if (!id) {
        const auto code = id.error().code;
        if (code == errc::not_found)
            return error_response(404, "not_found", id.error().message);
        if (code == errc::conflict)
            return error_response(409, "conflict", id.error().message);
        return error_response(422, "not_possible", id.error().message);
    }
    auto resp = json_response(
        202, {{"run_id", *id}, {"target", name}, {"kind", drill ? "verify" : "backup"}});
    resp.headers.emplace_back("Location", "/api/v1/runs/" + *id);
    return resp;
}

Response Api::runs(const std::string& target) {
    domain::RunQuery q;
    q.target = query_param(target, "target");
    const auto status = query_param(target, "status");
    q.kind = query_param(target, "kind");
    q.before = query_param(target, "before");
    if (const auto l = query_param(target, "limit"); !l.empty()) {
        int n = -1;
        try {
            std::size_t used = 0;
            n = std::stoi(l, &used);
            if (used != l.size())
                n = -1;
        } catch (const std::exception&) {
            n = -1;
        }
        if (n < 1 || n > 500)
            return error_response(400, "bad_request", "limit must be 1..500");
        q.limit = n;
    }
    if (!status.empty())
        q.status = domain::parse_run_status(status);
    if (!status.empty() && !q.status) {
        return error_response(
            400,
            "bad_request",
            "status must be running, success, failed, partial, skipped, crashed, passed-empty or "
            "suspect");
    }
    if (!q.kind.empty() && q.kind != "backup" && q.kind != "restore" && q.kind != "verify") {
        return error_response(400, "bad_request", "kind must be backup, restore or verify");
    }
    auto rs = backend_.audit().runs(q);
    if (!rs)
        return error_response(503, "audit_unavailable", rs.error().message);
    json out = json::array();
    for (const auto& r : *rs)
        out.push_back(run_json(r));
    json next = nullptr;
    if (static_cast<int>(rs->size()) == q.limit && !rs->empty())
        next = rs->back().started_at;
    return json_response(200, {{"runs", out}, {"next_before", next}});
}

Response Api::run(const std::string& id) {
    auto r = backend_.audit().run(id);
    if (!r)
        return error_response(503, "audit_unavailable", r.error().message);
    if (!*r)
        return error_response(404, "not_found", "no run " + id);
    auto j = run_json(**r);
    json steps = json::array();
    if (auto s = backend_.audit().steps(id)) {
        for (const auto& st : *s) {
            steps.push_back({{"name", st.name},
                             {"started_at", or_null(st.started_at)},
                             {"finished_at", or_null(st.finished_at)},
                             {"bytes", st.bytes},
                             {"outcome", domain::to_string(st.outcome)},
                             {"detail", or_null(st.detail)}});
        }
    }
    j["steps"] = steps;
    return json_response(200, j);
}

nlohmann::json repository_check_json(const app::RepositoryCheckState& s) {
    nlohmann::json last = nullptr;
    if (s.last) {
        const auto& c = *s.last;
        last = {{"id", c.id},
                {"started_at", c.started_at},
                {"finished_at", c.finished_at},
                {"subset", c.subset},
                {"subsets", c.subsets},
                {"ok", c.ok},
                {"packs_read", c.packs_read},
                {"total_packs", c.total_packs},
                {"error", c.error}};
    }
    nlohmann::json j{{"repository", s.repository},
                     {"check_cron", s.cron},
                     {"check_subsets", s.subsets},
                     {"next_subset", s.next_subset},
                     {"read_fraction", s.read_fraction},
                     {"next_due", s.next_due >= 0 ? domain::format_utc(s.next_due) : ""},
                     {"overdue", s.overdue},
                     {"last", last}};
    if (!s.error.empty())
        j["error"] = s.error;
    return j;
}

Response Api::repositories() {
    auto out = nlohmann::json::array();
    for (const auto& s : backend_.repository_checks())
        out.push_back(repository_check_json(s));
    return {200,
            "application/json",
            out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {}};
}

}  // namespace bk::drivers::http
