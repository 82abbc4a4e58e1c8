#include "json_models.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace dockerapi::detail {
namespace {

using nlohmann::json;

Error malformed(std::string_view what, const std::string& why) {
    return Error{errc::malformed_body, 0, std::string(what) + ": " + why};
}

// Reading helpers: null or missing -> default; a wrong type -> default (the schema is open).
std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string{};
}
bool boolean(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}
template <class Int>
Int integer(const json& j, const char* key) {
    auto it = j.find(key);
    return (it != j.end() && it->is_number_integer()) ? it->get<Int>() : Int{0};
}
std::vector<std::string> strings(const json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_array()) {
        for (const auto& v : *it) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}
std::map<std::string, std::string> string_map(const json& j, const char* key) {
    std::map<std::string, std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_object()) {
        for (const auto& [k, v] : it->items()) {
            if (v.is_string()) {
                out.emplace(k, v.get<std::string>());
            }
        }
    }
    return out;
}
const json& object(const json& j, const char* key) {
    static const json empty = json::object();
    auto it = j.find(key);
    return (it != j.end() && it->is_object()) ? *it : empty;
}

std::map<std::string, EndpointInfo> networks_of(const json& container) {
    std::map<std::string, EndpointInfo> out;
    for (const auto& [name, ep] :
         object(object(container, "NetworkSettings"), "Networks").items()) {
        if (!ep.is_object()) {
            continue;
        }
        out.emplace(name,
                    EndpointInfo{str(ep, "NetworkID"),
                                 str(ep, "EndpointID"),
                                 str(ep, "IPAddress"),
                                 strings(ep, "Aliases")});
    }
    return out;
}

std::vector<MountInfo> mounts_of(const json& container) {
    std::vector<MountInfo> out;
    auto it = container.find("Mounts");
    if (it == container.end() || !it->is_array()) {
        return out;
    }
    for (const auto& m : *it) {
        out.push_back(MountInfo{str(m, "Type"),
                                str(m, "Name"),
                                str(m, "Source"),
                                str(m, "Destination"),
                                boolean(m, "RW")});
    }
    return out;
}

template <class F>
auto parse_with(std::string_view what, std::string_view body, F&& f)
    -> Result<decltype(f(std::declval<const json&>()))> {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        return malformed(what, "not JSON");
    }
    try {
        return f(j);
    } catch (const json::exception& e) {
        return malformed(what, e.what());
    }
}

ContainerSummary summary_of(const json& c) {
    ContainerSummary s;
    s.id = str(c, "Id");
    s.names = strings(c, "Names");
    s.image = str(c, "Image");
    s.image_id = str(c, "ImageID");
    s.state = str(c, "State");
    s.created = integer<std::int64_t>(c, "Created");
    s.labels = string_map(c, "Labels");
    s.network_mode = str(object(c, "HostConfig"), "NetworkMode");
    s.networks = networks_of(c);
    s.mounts = mounts_of(c);
    return s;
}

json json_strings(const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& s : v) {
        a.push_back(s);
    }
    return a;
}

}  // namespace

Result<VersionInfo> parse_version(std::string_view body) {
    return parse_with("version", body, [](const json& j) {
        return VersionInfo{str(j, "Version"),
                           str(j, "ApiVersion"),
                           str(j, "MinAPIVersion"),
                           str(j, "Os"),
                           str(j, "Arch"),
                           str(j, "KernelVersion")};
    });
}

Result<SystemInfo> parse_info(std::string_view body) {
    return parse_with("info", body, [](const json& j) {
        SystemInfo i;
        i.id = str(j, "ID");
        i.name = str(j, "Name");
        i.server_version = str(j, "ServerVersion");
        i.docker_root_dir = str(j, "DockerRootDir");
        i.cgroup_version = str(j, "CgroupVersion");
        i.swarm_state = str(object(j, "Swarm"), "LocalNodeState");
        i.containers = integer<int>(j, "Containers");
        i.containers_running = integer<int>(j, "ContainersRunning");
        return i;
    });
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) {
        return malformed("container list", "expected a JSON array");
    }
    std::vector<ContainerSummary> out;
    out.reserve(j.size());
    for (const auto& c : j) {
        if (c.is_object()) {
            out.push_back(summary_of(c));
        }
    }
    return out;
}

Result<ContainerInspect> parse_container_inspect(std::string_view body) {
    return parse_with("container inspect", body, [](const json& j) {
        ContainerInspect c;
        c.id = str(j, "Id");
        c.name = str(j, "Name");
        if (c.name.starts_with('/')) {
            c.name.erase(0, 1);
        }
        c.image_id = str(j, "Image");
        const json& cfg = object(j, "Config");
        c.image = str(cfg, "Image");
        c.hostname = str(cfg, "Hostname");
        c.user = str(cfg, "User");
        c.env = strings(cfg, "Env");
        c.cmd = strings(cfg, "Cmd");
        c.labels = string_map(cfg, "Labels");
        const json& st = object(j, "State");
        c.state.status = str(st, "Status");
        c.state.running = boolean(st, "Running");
        c.state.paused = boolean(st, "Paused");
        c.state.restarting = boolean(st, "Restarting");
        c.state.oom_killed = boolean(st, "OOMKilled");
        c.state.dead = boolean(st, "Dead");
        c.state.pid = integer<std::int64_t>(st, "Pid");
        c.state.exit_code = integer<int>(st, "ExitCode");
        c.state.error = str(st, "Error");
        c.state.started_at = str(st, "StartedAt");
        c.state.finished_at = str(st, "FinishedAt");
        const json& hc = object(j, "HostConfig");
        c.network_mode = str(hc, "NetworkMode");
        c.log_driver = str(object(hc, "LogConfig"), "Type");
        c.networks = networks_of(j);
        c.mounts = mounts_of(j);
        c.restart_count = integer<int>(j, "RestartCount");
        return c;
    });
}

Result<CreatedContainer> parse_created(std::string_view body) {
    auto r = parse_with("container create", body, [](const json& j) {
        return CreatedContainer{str(j, "Id"), strings(j, "Warnings")};
    });
    if (r && r->id.empty()) {
        return malformed("container create", "no Id in the answer");
    }
    return r;
}

Result<WaitResult> parse_wait(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("StatusCode") ||
        !j["StatusCode"].is_number_integer()) {
        return malformed("container wait", "no StatusCode in the answer");
    }
    WaitResult w;
    w.status_code = j["StatusCode"].get<int>();
    w.error = str(object(j, "Error"), "Message");
    return w;
}

Result<ExecInfo> parse_exec_inspect(std::string_view body) {
    return parse_with("exec inspect", body, [](const json& j) {
        ExecInfo e;
        e.id = str(j, "ID");
        e.container_id = str(j, "ContainerID");
        e.running = boolean(j, "Running");
        if (auto it = j.find("ExitCode"); it != j.end() && it->is_number_integer()) {
            e.exit_code = it->get<int>();
        }
        e.pid = integer<std::int64_t>(j, "Pid");
        return e;
    });
}

Result<std::string> parse_id(std::string_view body) {
    auto r = parse_with("id", body, [](const json& j) { return str(j, "Id"); });
    if (r && r->empty()) {
        return malformed("id", "no Id in the answer");
    }
    return r;
}

namespace {
NetworkSummary network_of(const json& n) {
    NetworkSummary s;
    s.id = str(n, "Id");
    s.name = str(n, "Name");
    s.driver = str(n, "Driver");
    s.scope = str(n, "Scope");
    s.internal = boolean(n, "Internal");
    s.attachable = boolean(n, "Attachable");
    s.labels = string_map(n, "Labels");
    for (const auto& [id, ep] : object(n, "Containers").items()) {
        s.containers.emplace(id, str(ep, "Name"));
    }
    return s;
}
}  // namespace

Result<std::vector<NetworkSummary>> parse_network_list(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) {
        return malformed("network list", "expected a JSON array");
    }
    std::vector<NetworkSummary> out;
    for (const auto& n : j) {
        if (n.is_object()) {
            out.push_back(network_of(n));
        }
    }
    return out;
}

Result<NetworkSummary> parse_network(std::string_view body) {
    return parse_with("network inspect", body, [](const json& j) { return network_of(j); });
}

Result<ImageInfo> parse_image(std::string_view body) {
    return parse_with("image inspect", body, [](const json& j) {
        ImageInfo i;
        i.id = str(j, "Id");
        i.repo_tags = strings(j, "RepoTags");
        const json& cfg = object(j, "Config");
        i.env = strings(cfg, "Env");
        i.cmd = strings(cfg, "Cmd");
        i.entrypoint = strings(cfg, "Entrypoint");
        i.user = str(cfg, "User");
        i.labels = string_map(cfg, "Labels");
        return i;
    });
}

Result<Event> parse_event(std::string_view line) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return malformed("event", "not a JSON object");
    }
    Event e;
    e.type = str(j, "Type");
    e.action = str(j, "Action");
    const json& actor = object(j, "Actor");
    e.actor_id = str(actor, "ID");
    e.attributes = string_map(actor, "Attributes");
    e.scope = str(j, "scope");
    e.time = integer<std::int64_t>(j, "time");
    // timeNano needs 19 digits: nlohmann keeps integers as int64/uint64, never double.
    if (auto it = j.find("timeNano"); it != j.end() && it->is_number_integer()) {
        e.time_nano = it->get<std::int64_t>();
    } else {
        // An absurd "time" (a broken engine or proxy) saturates instead of overflowing.
        constexpr std::int64_t kMaxSeconds =
            std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
        e.time_nano = std::clamp(e.time, -kMaxSeconds, kMaxSeconds) * 1'000'000'000;
    }
    return e;
}

Result<PullProgress> parse_pull_line(std::string_view line) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return malformed("pull progress", "not a JSON object");
    }
    if (j.contains("error") || j.contains("errorDetail")) {
        std::string msg = str(object(j, "errorDetail"), "message");
        if (msg.empty()) {
            msg = str(j, "error");
        }
        return Error{errc::stream_error, 0, msg};
    }
    return PullProgress{str(j, "status"), str(j, "id"), str(j, "progress")};
}

std::string error_message_from_body(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
        if (auto m = str(j, "message"); !m.empty()) {
            return m;
        }
    }
    std::string text(body);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    if (text.size() > 512) {
        text.resize(512);
        text += "...";
    }
    return text;
}

std::string serialize(const ContainerSpec& spec) {
    json j;
    j["Image"] = spec.image;
    if (!spec.cmd.empty()) {
        j["Cmd"] = json_strings(spec.cmd);
    }
    if (spec.entrypoint) {
        j["Entrypoint"] = json_strings(*spec.entrypoint);
    }
    if (!spec.env.empty()) {
        j["Env"] = json_strings(spec.env);
    }
    j["Labels"] = spec.labels;
    if (!spec.user.empty()) {
        j["User"] = spec.user;
    }
    if (!spec.working_dir.empty()) {
        j["WorkingDir"] = spec.working_dir;
    }
    if (!spec.hostname.empty()) {
        j["Hostname"] = spec.hostname;
    }
    j["AttachStdin"] = spec.attach_stdin;
    j["AttachStdout"] = spec.attach_stdout;
    j["AttachStderr"] = spec.attach_stderr;
    j["OpenStdin"] = spec.open_stdin;
    j["StdinOnce"] = spec.stdin_once;
    j["Tty"] = false;  // a TTY merges stderr into stdout and rewrites \n: never for dumps
    json hc = json::object();
    hc["AutoRemove"] = spec.auto_remove;
    if (!spec.log_driver.empty()) {
        hc["LogConfig"] = {{"Type", spec.log_driver}, {"Config", json::object()}};
    }
    if (!spec.network_mode.empty()) {
        hc["NetworkMode"] = spec.network_mode;
    }
    if (!spec.binds.empty()) {
        hc["Binds"] = json_strings(spec.binds);
    }
    j["HostConfig"] = hc;
    if (!spec.networks.empty()) {
        json eps = json::object();
        for (const auto& [net, aliases] : spec.networks) {
            json ep = json::object();
            if (!aliases.empty()) {
                ep["Aliases"] = json_strings(aliases);
            }
            eps[net] = ep;
        }
        j["NetworkingConfig"] = {{"EndpointsConfig", eps}};
    }
    return j.dump();
}

std::string serialize(const ExecSpec& spec) {
    json j;
    j["Cmd"] = json_strings(spec.cmd);
    if (!spec.env.empty()) {
        j["Env"] = json_strings(spec.env);
    }
    if (!spec.user.empty()) {
        j["User"] = spec.user;
    }
    if (!spec.working_dir.empty()) {
        j["WorkingDir"] = spec.working_dir;
    }
    j["AttachStdin"] = spec.attach_stdin;
    j["AttachStdout"] = spec.attach_stdout;
    j["AttachStderr"] = spec.attach_stderr;
    j["Tty"] = false;
    return j.dump();
}

std::string serialize(const NetworkSpec& spec) {
    json j;
    j["Name"] = spec.name;
    j["Driver"] = spec.driver;
    j["Internal"] = spec.internal;
    j["Attachable"] = spec.attachable;
    j["CheckDuplicate"] = true;
    j["Labels"] = spec.labels;
    return j.dump();
}

std::string serialize(const Filters& filters) {
    json j = json::object();
    for (const auto& [k, v] : filters) {
        j[k] = json_strings(v);
    }
    return j.dump();
}

std::string serialize_connect(const std::string& container,
                              const std::vector<std::string>& aliases) {
    json ep = json::object();
    if (!aliases.empty()) {
        ep["Aliases"] = json_strings(aliases);
    }
    return json{{"Container", container}, {"EndpointConfig", ep}}.dump();
}

std::string serialize_disconnect(const std::string& container, bool force) {
    return json{{"Container", container}, {"Force", force}}.dump();
}

}  // namespace dockerapi::detail
