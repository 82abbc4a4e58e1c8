#include "drivers/cli/views.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "application/daemon.hpp"
#include "domain/duration.hpp"
#include "domain/human.hpp"
#include "domain/repository_location.hpp"
#include "domain/run_status.hpp"
#include "domain/utc_time.hpp"

namespace bk::drivers::cli {

using nlohmann::json;

json to_json(const domain::Target& t) {
    json j;
    j["name"] = t.name;
    j["source"] = t.source == domain::Origin::labels ? "labels" : "config";
    j["enabled"] = t.enabled;
    if (!t.scope.empty())
        j["scope"] = t.scope;
    if (!t.container_name.empty()) {
        j["container"] = t.container_name;
        j["container_id"] = t.container_id;
        j["image"] = t.image;
    }
    if (!t.compose_project.empty()) {
        j["compose"] = {{"project", t.compose_project}, {"service", t.compose_service}};
    }
    j["network"] = t.network;
    if (t.source == domain::Origin::labels) {
        j["state"] = t.stopped() ? "stopped" : "active";
        j["stopped_since"] =
            t.stopped() && !t.stopped_since.empty() ? json(t.stopped_since) : json(nullptr);
    }
    if (t.database) {
        const auto& d = *t.database;
        json db;
        db["type"] = d.kind_name();
        db["names"] = d.names.empty() ? json("auto") : json(d.names);
        db["user"] = d.user.empty() ? json("auto") : json(d.user);
        if (t.source == domain::Origin::labels) {
            db["password_env"] = d.password_env.empty() ? json("auto") : json(d.password_env);
            db["dump_image"] = d.dump_image.empty() ? json(t.image) : json(d.dump_image);
        } else {
            db["host"] = d.host;
            if (d.port != 0)
                db["port"] = d.port;
            db["password"] = d.has_password ? "*****" : "";
            if (!d.dump_image.empty())
                db["dump_image"] = d.dump_image;
        }
        j["database"] = db;
    } else {
        j["database"] = nullptr;
    }
    j["volumes"] = t.volumes;
    if (t.source == domain::Origin::config)
        j["paths"] = t.paths;
    j["stop_during_backup"] = t.stop_during_backup;
    j["cron"] = t.cron;
    j["verify_cron"] = t.verify_cron;
    j["on"] = t.triggers;
    j["min_interval"] = domain::format_duration(t.min_interval);
    j["retention"] = t.retention.to_string();
    j["repository"] = t.repository;
    j["encrypt"] = t.encrypt;
    j["notify"] = t.notify;
    j["monitor"] = t.monitor;
    j["hooks"] = {{"pre", t.pre_hook}, {"post", t.post_hook}};
    if (t.source == domain::Origin::config) {
        j["hooks"]["timeout"] = domain::format_duration(t.hook_timeout);
    }
    return j;
}

json to_json(const domain::DiscoveredContainer& c) {
    json j;
    j["container"] = c.container_name;
    j["container_id"] = c.container_id;
    j["state"] = c.state;
    j["disposition"] = domain::to_string(c.disposition);
    if (c.target)
        j["target"] = c.target->name;
    if (!c.note.empty())
        j["note"] = c.note;
    json problems = json::array();
    for (const auto& p : c.problems) {
        problems.push_back({{"label", p.label},
                            {"value", p.value},
                            {"message", p.message},
                            {"suggestion", p.suggestion}});
    }
    j["problems"] = problems;
    return j;
}

json to_json(const domain::ConfigProblem& p) {
    json j{{"file", p.file},
           {"line", p.line},
           {"column", p.column},
           {"path", p.path},
           {"message", p.message}};
    if (!p.project.empty())
        j["disables_project"] = p.project;
    return j;
}

json to_json(const app::Inventory& inv, const domain::OperatorConfig& config) {
    json j;
    j["targets"] = json::array();
    for (const auto& t : inv.targets)
        j["targets"].push_back(to_json(t));
    j["containers"] = json::array();
    for (const auto& c : inv.containers)
        j["containers"].push_back(to_json(c));
    j["conflicts"] = inv.conflicts;
    j["config_problems"] = json::array();
    for (const auto& p : config.problems)
        j["config_problems"].push_back(to_json(p));
    j["config_warnings"] = json::array();
    for (const auto& p : config.warnings)
        j["config_warnings"].push_back(to_json(p));
    return j;
}

namespace {
json secrets_json(const std::map<std::string, domain::Secret>& m) {
    json j = json::object();
    for (const auto& [k, v] : m)
        j[k] = v.masked();
    return j;
}
}  // namespace

json config_to_json(const domain::OperatorConfig& c) {
    json j;
    j["file"] = c.file;
    j["scope"] = c.scope;
    j["timezone"] = c.timezone;
    j["docker"] = {
        {"host", c.docker_host.empty() ? "(DOCKER_HOST or the default socket)" : c.docker_host}};
    j["state_dir"] = c.state_dir;
    j["defaults"] = {{"cron", c.defaults.cron},
                     {"retention", c.defaults.retention.to_string()},
                     {"repository", c.defaults.repository},
                     {"encrypt", c.defaults.encrypt},
                     {"notify", c.defaults.notify},
                     {"monitor", c.defaults.monitor},
                     {"verify_cron", c.defaults.verify_cron},
                     {"catch_up", c.defaults.catch_up},
                     {"drill_empty", c.defaults.drill_empty},
                     {"client_images", c.defaults.client_images}};
    j["repositories"] = json::object();
    for (const auto& [name, r] : c.repositories) {
        j["repositories"][name] = {{"url", domain::mask_url(r.url)},
                                   {"password", r.password.masked()},
                                   {"init", r.init},
                                   {"append_only", r.append_only},
                                   {"check_cron", r.check_cron},
                                   {"check_subsets", r.check_subsets},
                                   {"env", secrets_json(r.env)}};
        if (!r.cacert.empty())
            j["repositories"][name]["cacert"] = r.cacert;
        if (!r.copy_to.empty()) {
            j["repositories"][name]["copy_to"] = r.copy_to;
            j["repositories"][name]["copy_overdue"] = r.copy_overdue.count();
        }
        if (r.has_maintenance) {
            j["repositories"][name]["maintenance"] = {
                {"url", domain::mask_url(r.maintenance_url)},
                {"password", r.maintenance_password.masked()},
                {"env", secrets_json(r.maintenance_env)},
                {"retention",
                 r.maintenance_retention ? r.maintenance_retention->to_string() : std::string{}}};
        }
        if (r.has_ssh) {
            j["repositories"][name]["ssh"] = {{"key_file", r.ssh.key_file},
                                              {"port", r.ssh.port},
                                              {"known_hosts_file", r.ssh.known_hosts_file},
                                              {"accept_new_host_key", r.ssh.accept_new_host_key},
                                              {"user", r.ssh.user},
                                              {"connect_timeout", r.ssh.connect_timeout}};
        }
    }
    j["keys"] = json::object();
    for (const auto& [name, k] : c.keys) {
        j["keys"][name] = {{"recipient", k.recipient},
                           {"public_key_file", k.public_key_file},
                           {"private_key_file", k.private_key_file},
                           {"passphrase_file", k.passphrase_file}};
    }
    j["notifiers"] = json::object();
    for (const auto& [name, n] : c.notifiers) {
        j["notifiers"][name] = {{"type", n.type},
                                {"events", n.events},
                                {"settings", n.settings},
                                {"secrets", secrets_json(n.secrets)}};
    }
    j["monitors"] = json::object();
    for (const auto& [name, m] : c.monitors) {
        j["monitors"][name] = {
            {"type", m.type}, {"settings", m.settings}, {"secrets", secrets_json(m.secrets)}};
    }
    j["http"] = {{"listen", c.http.listen},
                 {"token_file", c.http.token_file},
                 {"max_connections", c.http.max_connections},
                 {"max_event_streams", c.http.max_event_streams}};
    j["log"] = {{"level", std::string(domain::log_level_name(c.log.level))},
                {"format", c.log.format == domain::LogFormat::json ? "json" : "text"}};
    j["daemon"] = {{"concurrency", c.daemon.concurrency},
                   {"grace_period", domain::format_duration(c.daemon.grace_period)},
                   {"event_delay", domain::format_duration(c.daemon.event_delay)},
                   {"resync", domain::format_duration(c.daemon.resync)},
                   {"heartbeat", c.daemon.heartbeat},
                   {"heartbeat_interval", domain::format_duration(c.daemon.heartbeat_interval)},
                   {"summary_cron", c.daemon.summary_cron}};
    j["security"] = {{"allow_label_hooks", c.security.allow_label_hooks},
                     {"dump_images", c.security.dump_images}};
    j["projects"] = json::array();
    for (const auto& p : c.projects)
        j["projects"].push_back(to_json(p));
    j["problems"] = json::array();
    for (const auto& p : c.problems)
        j["problems"].push_back(to_json(p));
    j["warnings"] = json::array();
    for (const auto& p : c.warnings)
        j["warnings"].push_back(to_json(p));
    j["origins"] = c.origins;
    return j;
}

namespace {
std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::size_t at = 1;
    while (at <= path.size()) {
        const auto slash = path.find('/', at);
        out.push_back(path.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
        if (slash == std::string::npos)
            break;
        at = slash + 1;
    }
    return out;
}

// The node at `path` ("/projects/<name>/notify/0": projects by name, other lists by index).
json* find_node(json& root, const std::string& path) {
    json* node = &root;
    bool in_projects = false;
    for (const auto& seg : segments(path)) {
        if (node->is_object()) {
            auto it = node->find(seg);
            if (it == node->end())
                return nullptr;
            in_projects = node == &root && seg == "projects";
            node = &*it;
        } else if (node->is_array()) {
            json* next = nullptr;
            if (in_projects) {
                for (auto& p : *node) {
                    if (p.is_object() && p.value("name", "") == seg)
                        next = &p;
                }
            } else if (!seg.empty() && std::all_of(seg.begin(), seg.end(), [](char ch) {
                           return std::isdigit(static_cast<unsigned char>(ch)) != 0;
                       })) {
                const auto i = std::stoul(seg);
                if (i < node->size())
                    next = &(*node)[i];
            }
            if (next == nullptr)
                return nullptr;
            in_projects = false;
            node = next;
        } else {
            return nullptr;
        }
    }
    return node;
}
}  // namespace

json with_origins(json config) {
    auto origins = config.value("origins", json::object());
    config.erase("origins");
    for (const auto& [path, from] : origins.items()) {
        json* node = find_node(config, path);
        if (node == nullptr || !from.is_string())
            continue;
        const auto suffix = " (" + from.get<std::string>() + ")";
        if (node->is_string()) {
            auto v = node->get<std::string>();
            if (!v.ends_with(suffix))
                *node = v + suffix;  // a masked secret says it already
        } else if (node->is_primitive()) {
            *node = node->dump() + suffix;
        }
    }
    return config;
}

namespace {
std::string pad(std::string s, std::size_t w) {
    if (w == 0)
        return s;  // the last column: as long as it is
    if (s.size() > w) {
        s = s.substr(0, w - 1) + "~";
    }
    s.resize(w, ' ');
    return s;
}
}  // namespace

std::string render_discovery(const app::Inventory& inv,
                             const domain::OperatorConfig& config,
                             bool verbose) {
    std::string out;
    struct Col {
        const char* title;
        std::size_t width;
    };
    const Col cols[] = {{"TARGET", 24},
                        {"SOURCE", 7},
                        {"CONTAINER", 24},
                        {"DB", 9},
                        {"DATABASES", 12},
                        {"NETWORK", 18},
                        {"SCHEDULE", 12},
                        {"REPOSITORY", 10},
                        {"STATE", 0}};
    for (const auto& c : cols)
        out += pad(c.title, c.width) + " ";
    out += "\n";
    for (const auto& t : inv.targets) {
        std::string dbs = "-";
        if (t.database) {
            dbs.clear();
            for (const auto& n : t.database->names)
                dbs += (dbs.empty() ? "" : ",") + n;
            if (dbs.empty())
                dbs = "(auto)";
        }
        const std::string row[] = {
            t.name + (t.enabled ? "" : " (disabled)"),
            t.source == domain::Origin::labels ? "labels" : "config",
            t.container_name.empty() ? (t.database ? t.database->host : "-") : t.container_name,
            t.database ? t.database->kind_name() : std::string("files"),
            dbs,
            t.network.empty() ? "-" : t.network,
            t.cron,
            t.repository,
            t.stopped()
                ? "stopped since " + (t.stopped_since.empty() ? std::string("?") : t.stopped_since)
            : t.source == domain::Origin::labels ? std::string("active")
                                                 : std::string("-")};
        for (std::size_t i = 0; i < std::size(cols); ++i)
            out += pad(row[i], cols[i].width) + " ";
        out += "\n";
    }
    if (inv.targets.empty()) {
        out += "(no targets)\n";
    }
    bool header = false;
    auto section = [&] {
        if (!header) {
            out += "\nProblems:\n";
            header = true;
        }
    };
    for (const auto& p : config.problems) {
        section();
        out += "  " + p.describe() + "\n";
    }
    for (const auto& c : inv.containers) {
        for (const auto& p : c.problems) {
            section();
            out += "  container " + c.container_name + " (" + c.container_id.substr(0, 12) +
                   "): " + p.describe() + "\n";
        }
    }
    for (const auto& c : inv.conflicts) {
        section();
        out += "  " + c + "\n";
    }
    if (!config.warnings.empty()) {
        out += "\nWarnings:\n";
        for (const auto& w : config.warnings)
            out += "  " + w.describe() + "\n";
    }
    if (verbose) {
        bool skipped = false;
        for (const auto& c : inv.containers) {
            if (c.disposition == domain::Disposition::target ||
                c.disposition == domain::Disposition::invalid) {
                continue;
            }
            if (!skipped) {
                out += "\nNot handled:\n";
                skipped = true;
            }
            out += "  container " + c.container_name + ": " + domain::to_string(c.disposition) +
                   (c.note.empty() ? "" : " (" + c.note + ")") + "\n";
        }
    }
    return out;
}

std::string render_yaml(const json& j, int indent) {
    std::string out;
    const std::string sp(static_cast<std::size_t>(indent), ' ');
    auto scalar = [](const json& v) -> std::string {
        if (v.is_string()) {
            const auto& s = v.get_ref<const std::string&>();
            if (s.empty() || s.find_first_of(":#{}[],&*!|>'\"%@`") != std::string::npos ||
                s.front() == ' ' || s == "true" || s == "false" || s == "null") {
                return json(s).dump();
            }
            return s;
        }
        return v.dump();
    };
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            if ((v.is_object() || v.is_array()) && !v.empty()) {
                out += sp + k + ":\n" + render_yaml(v, indent + 2);
            } else if (v.is_object()) {
                out += sp + k + ": {}\n";
            } else if (v.is_array()) {
                out += sp + k + ": []\n";
            } else {
                out += sp + k + ": " + scalar(v) + "\n";
            }
        }
    } else if (j.is_array()) {
        for (const auto& v : j) {
            if (v.is_object() && !v.empty()) {
                std::string inner = render_yaml(v, indent + 2);
                inner.replace(static_cast<std::size_t>(indent), 2, "- ");
                out += inner;
            } else {
                out += sp + "- " + scalar(v) + "\n";
            }
        }
    } else {
        out += sp + scalar(j) + "\n";
    }
    return out;
}

std::string render_snapshots(const std::vector<app::SnapshotEntry>& snapshots) {
    std::string out;
    char line[1024];
    std::snprintf(line,
                  sizeof line,
                  "%-9s %-23s %-8s %-24s %10s  %-15s %s\n",
                  "ID",
                  "TIME",
                  "KIND",
                  "DATABASE/PATH",
                  "SIZE",
                  "MARK",
                  "TAGS");
    out += line;
    std::string notes;
    for (const auto& s : snapshots) {
        std::string marks;
        for (const auto& m : s.marks)
            marks += (marks.empty() ? "" : ",") + m;
        std::string tags;
        for (const auto& t : s.tags)
            tags += (tags.empty() ? "" : " ") + t;
        const std::string size = s.bytes ? domain::human_bytes(*s.bytes) : "-";
        std::snprintf(line,
                      sizeof line,
                      "%-9s %-23s %-8s %-24s %10s  %-15s %s\n",
                      s.id.c_str(),
                      app::human_utc(s.time).c_str(),
                      s.kind.c_str(),
                      s.item.empty() ? "-" : s.item.c_str(),
                      size.c_str(),
                      marks.empty() ? "-" : marks.c_str(),
                      tags.c_str());
        out += line;
        if (!s.why.empty())
            notes += "  " + s.id + " " + marks + ": " + s.why + "\n";
    }
    return out + notes;
}

std::string render_steps(const std::vector<domain::StepRecord>& steps) {
    std::string out;
    char line[1024];
    std::snprintf(line,
                  sizeof line,
                  "  %-28s %-8s %10s %9s  %s\n",
                  "STEP",
                  "OUTCOME",
                  "BYTES",
                  "SECONDS",
                  "DETAIL");
    out += line;
    for (const auto& s : steps) {
        char secs[32] = "-";
        if (!s.finished_at.empty())
            std::snprintf(
                secs, sizeof secs, "%.1f", domain::seconds_between(s.started_at, s.finished_at));
        std::snprintf(line,
                      sizeof line,
                      "  %-28s %-8s %10s %9s  ",
                      s.name.c_str(),
                      domain::to_string(s.outcome).c_str(),
                      s.bytes > 0 ? domain::human_bytes(s.bytes).c_str() : "-",
                      secs);
        // The detail in full: it is the step's reason (an error, a snapshot id, row counts).
        out += line + s.detail + "\n";
    }
    if (steps.empty())
        out += "  (no steps recorded)\n";
    return out;
}

}  // namespace bk::drivers::cli
