#include "adapters/config/yaml_config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <span>
#include <sstream>

#include "backupctl/labels/parse.hpp"
#include "domain/alert.hpp"
#include "domain/copy_plan.hpp"
#include "domain/duration.hpp"
#include "domain/printable.hpp"
#include "domain/repository_check.hpp"
#include "domain/schedule.hpp"
#include "domain/suggest.hpp"

namespace bk::adapters::config {
namespace {

using domain::ConfigProblem;
using domain::OperatorConfig;
using domain::Secret;
using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 14> kTopKeys{"scope",
                                                    "timezone",
                                                    "docker",
                                                    "state_dir",
                                                    "defaults",
                                                    "repositories",
                                                    "keys",
                                                    "notifiers",
                                                    "monitors",
                                                    "http",
                                                    "security",
                                                    "projects",
                                                    "daemon",
                                                    "log"};
constexpr std::array<std::string_view, 7> kDaemonKeys{"concurrency",
                                                      "grace_period",
                                                      "event_delay",
                                                      "resync",
                                                      "heartbeat",
                                                      "heartbeat_interval",
                                                      "summary_cron"};
constexpr std::array<std::string_view, 1> kDockerKeys{"host"};
constexpr std::array<std::string_view, 14> kDefaultsKeys{"cron",
                                                         "retention",
                                                         "repository",
                                                         "encrypt",
                                                         "notify",
                                                         "monitor",
                                                         "verify_cron",
                                                         "catch_up",
                                                         "client_images",
                                                         "timeout",
                                                         "idle_timeout",
                                                         "drill_timeout",
                                                         "drill_empty",
                                                         "anomaly"};
constexpr std::array<std::string_view, 5> kMaintenanceKeys{
    "url", "password", "password_file", "env", "retention"};
constexpr std::array<std::string_view, 13> kRepoKeys{"maintenance",
                                                     "url",
                                                     "password",
                                                     "password_file",
                                                     "init",
                                                     "env",
                                                     "ssh",
                                                     "cacert",
                                                     "append_only",
                                                     "check_cron",
                                                     "check_subsets",
                                                     "copy_to",
                                                     "copy_overdue"};
constexpr std::array<std::string_view, 6> kSshKeys{
    "key_file", "port", "known_hosts_file", "accept_new_host_key", "user", "connect_timeout"};
// Environment variables whose value is a path by definition: a *_FILE key of these is passed
// through, every other *_FILE / *_file key names a file backupctl reads into the variable.
constexpr std::array<std::string_view, 4> kPathValuedEnv{"AWS_SHARED_CREDENTIALS_FILE",
                                                         "AWS_CONFIG_FILE",
                                                         "AWS_WEB_IDENTITY_TOKEN_FILE",
                                                         "GOOGLE_APPLICATION_CREDENTIALS_FILE"};
constexpr std::array<std::string_view, 4> kKeyKeys{
    "recipient", "public_key_file", "private_key_file", "passphrase_file"};
constexpr std::array<std::string_view, 18> kNotifierKeys{"type",
                                                         "events",
                                                         "url",
                                                         "url_file",
                                                         "webhook_url",
                                                         "webhook_url_file",
                                                         "secret",
                                                         "secret_file",
                                                         "host",
                                                         "port",
                                                         "username",
                                                         "password",
                                                         "password_file",
                                                         "from",
                                                         "to",
                                                         "starttls",
                                                         "timeout",
                                                         "ca_file"};
constexpr std::array<std::string_view, 10> kMonitorKeys{"type",
                                                        "url",
                                                        "url_file",
                                                        "push_token",
                                                        "push_token_file",
                                                        "ping_url",
                                                        "ping_url_file",
                                                        "base_url",
                                                        "timeout",
                                                        "ca_file"};
constexpr std::array<std::string_view, 2> kLogKeys{"level", "format"};
constexpr std::array<std::string_view, 4> kHttpKeys{
    "listen", "token_file", "max_connections", "max_event_streams"};
constexpr std::array<std::string_view, 5> kSecurityKeys{"allow_label_hooks",
                                                        "dump_images",
                                                        "labels_may_use",
                                                        "require_encryption",
                                                        "max_label_timeout"};
constexpr std::array<std::string_view, 3> kLabelReachKeys{"repositories", "notifiers", "monitors"};
constexpr std::array<std::string_view, 20> kProjectKeys{
    "name",         "enabled",       "cron",           "timeout_minutes", "timeout",
    "idle_timeout", "drill_timeout", "docker_network", "database",        "assets",
    "restic",       "retention",     "encryption",     "notification",    "monitor",
    "hooks",        "verification",  "compression",    "verify_cron",     "anomaly"};
constexpr std::array<std::string_view, 9> kDatabaseKeys{"type",
                                                        "host",
                                                        "port",
                                                        "name",
                                                        "user",
                                                        "password",
                                                        "password_file",
                                                        "dump_timeout_minutes",
                                                        "image"};
constexpr std::array<std::string_view, 1> kAssetsKeys{"paths"};
constexpr std::array<std::string_view, 5> kResticKeys{
    "repository_path", "password", "password_file", "snapshot_mode", "init"};
constexpr std::array<std::string_view, 8> kRetentionKeys{"local_days",
                                                         "keep_last",
                                                         "keep_hourly",
                                                         "keep_daily",
                                                         "keep_weekly",
                                                         "keep_monthly",
                                                         "keep_yearly",
                                                         "keep"};
constexpr std::array<std::string_view, 6> kEncryptionKeys{
    "enabled", "type", "recipient", "public_key_file", "private_key_file", "passphrase_file"};
constexpr std::array<std::string_view, 2> kTypedKeys{"type", "config"};
constexpr std::array<std::string_view, 4> kHooksKeys{"pre_backup", "post_backup", "timeout", "env"};
constexpr std::array<std::string_view, 2> kVerificationKeys{"enabled", "cron"};
constexpr std::array<std::string_view, 1> kCompressionKeys{"enabled"};

std::string read_secret_file(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path;
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string v = ss.str();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) {
        v.pop_back();
    }
    if (v.empty()) {
        error = path + " is empty";
    }
    return v;
}

class Loader {
public:
    Loader(std::string file,
           const EnvLookup& env,
           OperatorConfig& out,
           const std::set<std::string>& placeholders)
        : file_(std::move(file)), env_(env), out_(out), placeholders_(placeholders) {}

    void load(const YAML::Node& root) {
        if (!root || root.IsNull()) {
            return;  // an empty file: the defaults
        }
        if (!root.IsMap()) {
            problem(root,
                    "",
                    "the config must be a mapping of sections (scope, defaults, "
                    "repositories, projects, ...)");
            return;
        }
        check_keys(root, "", kTopKeys);
        if (auto v = text(root["scope"], "scope"); v && printable(root["scope"], "scope", *v))
            out_.scope = *v;
        if (auto v = text(root["timezone"], "timezone"))
            out_.timezone = *v;
        if (auto v = text(root["state_dir"], "state_dir"))
            out_.state_dir = *v;
        if (const auto d = root["docker"]; is_map(d, "docker")) {
            check_keys(d, "docker", kDockerKeys);
            if (auto v = text(d["host"], "docker.host"))
                out_.docker_host = *v;
        }
        load_defaults(root["defaults"]);
        load_named(root["repositories"],
                   "repositories",
                   [this](const YAML::Node& n, const std::string& p, const std::string& name) {
                       load_repository(n, p, name);
                   });
        check_copies(root["repositories"]);
        load_named(root["keys"],
                   "keys",
                   [this](const YAML::Node& n, const std::string& p, const std::string& name) {
                       load_key(n, p, name);
                   });
        load_named(root["notifiers"],
                   "notifiers",
                   [this](const YAML::Node& n, const std::string& p, const std::string& name) {
                       load_notifier(n, p, name);
                   });
        load_named(root["monitors"],
                   "monitors",
                   [this](const YAML::Node& n, const std::string& p, const std::string& name) {
                       load_monitor(n, p, name);
                   });
        if (const auto h = root["http"]; is_map(h, "http")) {
            check_keys(h, "http", kHttpKeys);
            if (auto v = text(h["listen"], "http.listen"))
                out_.http.listen = *v;
            if (auto v = text(h["token_file"], "http.token_file"))
                out_.http.token_file = *v;
            if (auto v = integer(h["max_connections"], "http.max_connections", 2, 65536))
                out_.http.max_connections = *v;
            if (auto v = integer(h["max_event_streams"], "http.max_event_streams", 0, 65535))
                out_.http.max_event_streams = *v;
            if (out_.http.max_event_streams >= out_.http.max_connections) {
                // Event streams hold their connection: some must stay for everything else.
                problem(h["max_event_streams"] ? h["max_event_streams"] : h,
                        "http.max_event_streams",
                        "must be less than http.max_connections (" +
                            std::to_string(out_.http.max_connections) + ")");
            }
        }
        if (const auto lg = root["log"]; is_map(lg, "log")) {
            check_keys(lg, "log", kLogKeys);
            if (auto v = text(lg["level"], "log.level")) {
                if (auto level = domain::parse_log_level(*v))
                    out_.log.level = *level;
                else
                    problem(lg["level"],
                            "log.level",
                            "\"" + *v + "\" is not a level (trace, debug, info, warn, error)");
            }
            if (auto v = text(lg["format"], "log.format")) {
                if (*v == "text" || *v == "json")
                    out_.log.format =
                        *v == "json" ? domain::LogFormat::json : domain::LogFormat::text;
                else
                    problem(
                        lg["format"], "log.format", "\"" + *v + "\" is not a format (text, json)");
            }
        }
        if (const auto dm = root["daemon"]; is_map(dm, "daemon")) {
            check_keys(dm, "daemon", kDaemonKeys);
            if (auto v = integer(dm["concurrency"], "daemon.concurrency", 1, 64)) {
                out_.daemon.concurrency = *v;
            }
            auto dur = [&](const char* key, std::chrono::seconds& into) {
                const std::string path = std::string("daemon.") + key;
                if (auto v = text(dm[key], path)) {
                    auto d = domain::parse_duration(*v);
                    if (d)
                        into = *d;
                    else
                        problem(dm[key], path, d.error);
                }
            };
            dur("grace_period", out_.daemon.grace_period);
            dur("event_delay", out_.daemon.event_delay);
            dur("resync", out_.daemon.resync);
            dur("heartbeat_interval", out_.daemon.heartbeat_interval);
            if (auto v = text(dm["heartbeat"], "daemon.heartbeat")) {
                out_.daemon.heartbeat = *v;
                if (!out_.monitors.contains(*v)) {
                    problem(dm["heartbeat"],
                            "daemon.heartbeat",
                            "names no monitor in `monitors:` (\"" + *v + "\")");
                }
            }
            if (auto c = cron(dm["summary_cron"], "daemon.summary_cron"))
                out_.daemon.summary_cron = *c;
        }
        if (const auto s = root["security"]; is_map(s, "security")) {
            check_keys(s, "security", kSecurityKeys);
            if (auto v = boolean(s["allow_label_hooks"], "security.allow_label_hooks")) {
                out_.security.allow_label_hooks = *v;
            }
            if (auto v = text_list(s["dump_images"], "security.dump_images")) {
                out_.security.dump_images = *v;
            }
            load_label_reach(s["labels_may_use"]);
            if (auto v = boolean(s["require_encryption"], "security.require_encryption")) {
                out_.security.require_encryption = *v;
            }
            if (out_.security.require_encryption && out_.defaults.encrypt == "none") {
                const auto d = root["defaults"];
                const bool given = d && d.IsMap() && d["encrypt"];
                problem(given ? d["encrypt"] : s["require_encryption"],
                        given ? "defaults.encrypt" : "security.require_encryption",
                        "security.require_encryption is set, but defaults.encrypt is none: a "
                        "target without its own key would be stored unencrypted; set "
                        "defaults.encrypt to a key of `keys:`");
            }
            positive_duration(s, "max_label_timeout", "security", out_.security.max_label_timeout);
        }
        if (const auto d = root["defaults"];
            d && d.IsMap() && d["client_images"] && d["client_images"].IsMap()) {
            const auto ci = d["client_images"];
            for (const auto& [type, image] : out_.defaults.client_images) {
                check_dump_image(ci[type], "defaults.client_images." + type, image);
            }
        }
        const auto projects = root["projects"];
        if (projects && projects.IsSequence() && projects.size() > 0) {
            load_original_env(root);
        }
        load_projects(projects);
    }

private:
    std::string file_;
    const EnvLookup& env_;
    OperatorConfig& out_;
    const std::set<std::string>& placeholders_;  // ${X} written as $(X) before parsing
    std::string project_;  // set while reading a project: its problems disable only it
    bool project_failed_{false};
    // The original backupctl's environment (read only for a config with `projects:`).
    bool defaults_encrypt_set_{false};
    std::optional<domain::KeyConfig> env_key_;            // ENCRYPTION_ENABLED=true
    std::optional<domain::NotifierConfig> env_notifier_;  // NOTIFICATION_TYPE
    std::string keys_dir_{"/gpg-keys"};                   // GPG_KEYS_DIR

    // --- problems -----------------------------------------------------------------------------
    void problem(const YAML::Node& at, const std::string& path, std::string message) {
        ConfigProblem p;
        p.file = file_;
        if (at && at.Mark().line >= 0) {
            p.line = at.Mark().line + 1;
            p.column = at.Mark().column + 1;
        }
        p.path = path;
        p.message = std::move(message);
        p.project = project_;
        if (!project_.empty()) {
            project_failed_ = true;
        }
        out_.problems.push_back(std::move(p));
    }

    void check_keys(const YAML::Node& map, const std::string& path, Keys allowed) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
                continue;
            }
            std::string msg = "unknown key \"" + key + "\"";
            if (auto n = domain::nearest(key, allowed)) {
                msg += "; did you mean \"" + *n + "\"?";
            } else {
                msg += " (known here: ";
                for (std::size_t i = 0; i < allowed.size(); ++i) {
                    msg += (i ? ", " : "") + std::string(allowed[i]);
                }
                msg += ")";
            }
            problem(it->first, join(path, key), msg);
        }
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    bool is_map(const YAML::Node& n, const std::string& path) {
        if (!n || n.IsNull()) {
            return false;
        }
        if (!n.IsMap()) {
            problem(n, path, "must be a mapping");
            return false;
        }
        return true;
    }

    // A name (of a project, database, user, host, network, section entry, ...) reaches argv,
    // option files, e-mail headers, log lines and terminals: printable text only.
    bool printable(const YAML::Node& at, const std::string& path, const std::string& value) {
        if (auto why = domain::unprintable(value)) {
            problem(at, path, "\"" + domain::escape_unprintable(value) + "\" " + *why);
            return false;
        }
        return true;
    }

    // A name given to a client program as an argument: a leading '-' would make it an option.
    bool not_option(const YAML::Node& at, const std::string& path, const std::string& value) {
        if (value.starts_with('-')) {
            problem(at,
                    path,
                    "\"" + value +
                        "\" starts with '-', which a client program would read as an "
                        "option");
            return false;
        }
        return true;
    }

    void load_label_reach(const YAML::Node& n) {
        if (!is_map(n, "security.labels_may_use")) {
            return;
        }
        check_keys(n, "security.labels_may_use", kLabelReachKeys);
        auto& reach = out_.security.labels_may_use;
        auto list = [&](const char* key, std::vector<std::string>& into, auto& section) {
            const std::string path = std::string("security.labels_may_use.") + key;
            auto v = text_list(n[key], path);
            if (!v) {
                return;
            }
            into = *v;
            for (const auto& name : into) {
                // A plain name must name an entry: a typo would refuse every label silently.
                const bool implicit = std::string_view(key) == "repositories" &&
                                      name == "default" && out_.repositories.empty();
                if (name.find_first_of("*?") == std::string::npos && !section.contains(name) &&
                    !implicit) {
                    problem(n[key],
                            path,
                            "\"" + domain::escape_unprintable(name) + "\" names no entry of `" +
                                key + ":`");
                }
            }
        };
        list("repositories", reach.repositories, out_.repositories);
        list("notifiers", reach.notifiers, out_.notifiers);
        list("monitors", reach.monitors, out_.monitors);
    }

    // --- scalars ------------------------------------------------------------------------------
    std::optional<std::string> substitute(const YAML::Node& at,
                                          const std::string& path,
                                          const std::string& raw) {
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '$') {
                out += raw[i];
                continue;
            }
            if (i + 1 < raw.size() && raw[i + 1] == '$') {
                out += '$';
                ++i;
                continue;
            }
            const bool brace = i + 1 < raw.size() && raw[i + 1] == '{';
            const bool paren = i + 1 < raw.size() && raw[i + 1] == '(';
            if (!brace && !paren) {
                out += '$';
                continue;
            }
            const auto close = raw.find(brace ? '}' : ')', i + 2);
            if (close == std::string::npos) {
                if (brace) {
                    problem(at, path, "unclosed ${ in \"" + raw + "\"");
                    return std::nullopt;
                }
                out += '$';
                continue;
            }
            std::string expr = raw.substr(i + 2, close - i - 2);
            if (paren && !placeholders_.contains(expr)) {
                out += '$';  // a literal $( ... ) the user wrote
                continue;
            }
            std::optional<std::string> fallback;
            if (auto dash = expr.find(":-"); dash != std::string::npos) {
                fallback = expr.substr(dash + 2);
                expr.resize(dash);
            }
            auto value = env_(expr);
            if ((!value || value->empty()) && fallback) {
                value = fallback;
            }
            if (!value) {
                problem(at, path, "environment variable " + expr + " is not set");
                return std::nullopt;
            }
            out += *value;
            i = close;
        }
        return out;
    }

    std::optional<std::string> text(const YAML::Node& n, const std::string& path) {
        if (!n || n.IsNull()) {
            return std::nullopt;
        }
        if (!n.IsScalar()) {
            problem(n, path, "must be a single value");
            return std::nullopt;
        }
        return substitute(n, path, n.Scalar());
    }

    std::optional<bool> boolean(const YAML::Node& n, const std::string& path) {
        auto v = text(n, path);
        if (!v) {
            return std::nullopt;
        }
        if (*v == "true" || *v == "yes" || *v == "on" || *v == "1")
            return true;
        if (*v == "false" || *v == "no" || *v == "off" || *v == "0")
            return false;
        problem(n, path, "\"" + *v + "\" is not true or false");
        return std::nullopt;
    }

    std::optional<int> integer(const YAML::Node& n, const std::string& path, int lo, int hi) {
        auto v = text(n, path);
        if (!v) {
            return std::nullopt;
        }
        try {
            std::size_t used = 0;
            const int i = std::stoi(*v, &used);
            if (used == v->size() && i >= lo && i <= hi) {
                return i;
            }
        } catch (const std::exception&) {
        }
        problem(n,
                path,
                "\"" + *v + "\" is not a whole number from " + std::to_string(lo) + " to " +
                    std::to_string(hi));
        return std::nullopt;
    }

    // A list: a YAML sequence, or one comma-separated scalar.
    std::optional<std::vector<std::string>> text_list(const YAML::Node& n,
                                                      const std::string& path) {
        if (!n || n.IsNull()) {
            return std::nullopt;
        }
        std::vector<std::string> out;
        if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i) {
                if (auto v = text(n[i], path + "[" + std::to_string(i) + "]")) {
                    out.push_back(*v);
                }
            }
            return out;
        }
        auto v = text(n, path);
        if (!v) {
            return std::nullopt;
        }
        std::stringstream ss(*v);
        std::string item;
        while (std::getline(ss, item, ',')) {
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            if (!item.empty()) {
                out.push_back(item);
            }
        }
        return out;
    }

    // `key` inline, or `key_file` naming a file that holds it.
    std::optional<Secret> secret(const YAML::Node& parent,
                                 const std::string& key,
                                 const std::string& path) {
        const auto inline_node = parent[key];
        const auto file_node = parent[key + "_file"];
        if (inline_node && !inline_node.IsNull() && file_node && !file_node.IsNull()) {
            problem(file_node,
                    join(path, key + "_file"),
                    "give either " + key + " or " + key + "_file, not both");
            return std::nullopt;
        }
        if (file_node && !file_node.IsNull()) {
            auto f = text(file_node, join(path, key + "_file"));
            if (!f) {
                return std::nullopt;
            }
            std::string error;
            std::string value = read_secret_file(*f, error);
            if (!error.empty()) {
                problem(file_node, join(path, key + "_file"), error);
                return std::nullopt;
            }
            return Secret(value, "file " + *f);
        }
        if (inline_node && !inline_node.IsNull()) {
            const std::string raw = inline_node.IsScalar() ? inline_node.Scalar() : "";
            auto v = text(inline_node, join(path, key));
            if (!v) {
                return std::nullopt;
            }
            const bool from_env = raw.find("${") != std::string::npos;
            return Secret(*v, from_env ? "from " + raw : "inline in the config");
        }
        return std::nullopt;
    }

    std::optional<std::string> cron(const YAML::Node& n, const std::string& path) {
        auto v = text(n, path);
        if (!v) {
            return std::nullopt;
        }
        auto c = domain::parse_cron(*v);
        if (!c) {
            problem(n, path, "\"" + *v + "\" is not a schedule: " + c.error);
            return std::nullopt;
        }
        return v;
    }

    // A duration key of `n` ("30m", "6h") that must be more than 0, into `into` when given.
    void positive_duration(const YAML::Node& n,
                           const char* key,
                           const std::string& parent,
                           std::chrono::seconds& into) {
        const std::string path = parent + "." + key;
        auto v = text(n[key], path);
        if (!v)
            return;
        auto d = domain::parse_duration(*v);
        if (d && d->count() > 0) {
            into = *d;
        } else {
            problem(n[key], path, d ? std::string("must be more than 0") : d.error);
        }
    }

    // --- sections -----------------------------------------------------------------------------
    void load_defaults(const YAML::Node& d) {
        if (!is_map(d, "defaults")) {
            return;
        }
        check_keys(d, "defaults", kDefaultsKeys);
        auto& df = out_.defaults;
        if (auto v = cron(d["cron"], "defaults.cron"))
            df.cron = *v;
        if (auto v = cron(d["verify_cron"], "defaults.verify_cron"))
            df.verify_cron = *v;
        if (auto v = text(d["retention"], "defaults.retention")) {
            auto r = domain::parse_retention(*v);
            if (r) {
                df.retention = *r;
            } else {
                problem(d["retention"], "defaults.retention", r.error);
            }
        }
        if (auto v = text(d["repository"], "defaults.repository");
            v && printable(d["repository"], "defaults.repository", *v))
            df.repository = *v;
        if (auto v = text(d["encrypt"], "defaults.encrypt")) {
            df.encrypt = *v;
            defaults_encrypt_set_ = true;
        }
        if (auto v = text_list(d["notify"], "defaults.notify"))
            df.notify = *v;
        if (auto v = text(d["monitor"], "defaults.monitor");
            v && printable(d["monitor"], "defaults.monitor", *v))
            df.monitor = *v;
        if (auto v = text(d["catch_up"], "defaults.catch_up")) {
            if (*v != "once" && *v != "skip") {
                problem(d["catch_up"], "defaults.catch_up", "must be once or skip");
            } else {
                df.catch_up = *v;
            }
        }
        positive_duration(d, "timeout", "defaults", df.timeout);
        positive_duration(d, "idle_timeout", "defaults", df.idle_timeout);
        positive_duration(d, "drill_timeout", "defaults", df.drill_timeout);
        if (auto v = text(d["anomaly"], "defaults.anomaly")) {
            if (auto a = domain::parse_anomaly_policy(*v)) {
                df.anomaly = *a;
            } else {
                problem(d["anomaly"], "defaults.anomaly", a.error);
            }
        }
        if (auto v = text(d["drill_empty"], "defaults.drill_empty")) {
            if (*v != "warn" && *v != "fail") {
                problem(d["drill_empty"], "defaults.drill_empty", "must be warn or fail");
            } else {
                df.drill_empty = *v;
            }
        }
        if (const auto ci = d["client_images"]; is_map(ci, "defaults.client_images")) {
            for (auto it = ci.begin(); it != ci.end(); ++it) {
                const std::string type = it->first.Scalar();
                const std::string p = "defaults.client_images." + type;
                const auto* kinds = out_.database_kinds.get();
                if (kinds == nullptr || !kinds->find(type)) {
                    problem(it->first,
                            p,
                            "\"" + type + "\" is not a database type (" +
                                (kinds == nullptr ? std::string("none in this build")
                                                  : kinds->names_text()) +
                                ")");
                    continue;
                }
                if (auto v = text(it->second, p))
                    df.client_images[type] = *v;
            }
        }
    }

    // A client image the config names (database.image, defaults.client_images) runs with the
    // database's credentials: it must be one the operator allowed, as for labels.
    void check_dump_image(const YAML::Node& n, const std::string& path, const std::string& image) {
        for (const auto& pattern : out_.security.dump_images) {
            if (labels::glob_match(pattern, image))
                return;
        }
        problem(n,
                path,
                "image \"" + image +
                    "\" is not allowed by security.dump_images; add a "
                    "matching pattern there");
    }

    template <class F>
    void load_named(const YAML::Node& section, const std::string& path, F&& each) {
        if (!is_map(section, path)) {
            return;
        }
        for (auto it = section.begin(); it != section.end(); ++it) {
            const std::string name = it->first.Scalar();
            const std::string p = path + "." + domain::escape_unprintable(name);
            if (!printable(it->first, p, name)) {
                continue;
            }
            if (!is_map(it->second, p)) {
                if (!it->second || it->second.IsNull()) {
                    problem(it->first, p, "is empty");
                }
                continue;
            }
            each(it->second, p, name);
        }
    }

    void load_repository(const YAML::Node& n, const std::string& p, const std::string& name) {
        check_keys(n, p, kRepoKeys);
        domain::RepositoryConfig r;
        if (auto v = text(n["url"], p + ".url")) {
            r.url = *v;
        } else if (!n["url"]) {
            problem(n, p, "has no url (a path, sftp:, s3:, rest:, ...)");
        }
        if (auto s = secret(n, "password", p)) {
            r.password = *s;
        }
        if (auto v = boolean(n["init"], p + ".init"))
            r.init = *v;
        if (auto v = boolean(n["append_only"], p + ".append_only"))
            r.append_only = *v;
        if (const auto c = n["check_cron"]; c) {
            // "off" (or empty) disables the scheduled checks; `backupctl check --now` still runs.
            const auto off = c.IsScalar() && (c.Scalar() == "off" || c.Scalar().empty());
            if (c.IsNull() || off) {
                r.check_cron = "off";
            } else if (auto v = cron(c, p + ".check_cron")) {
                r.check_cron = *v;
            }
        }
        if (auto v = integer(n["check_subsets"],
                             p + ".check_subsets",
                             domain::kMinCheckSubsets,
                             domain::kMaxCheckSubsets)) {
            r.check_subsets = *v;
        }
        if (auto v = text(n["copy_to"], p + ".copy_to"))
            r.copy_to = *v;
        positive_duration(n, "copy_overdue", p, r.copy_overdue);
        if (n["copy_overdue"] && !n["copy_to"]) {
            problem(n["copy_overdue"], p + ".copy_overdue", "is only used with copy_to");
        }
        if (auto v = text(n["cacert"], p + ".cacert")) {
            r.cacert = *v;
            if (!r.url.starts_with("s3:") && !r.url.starts_with("rest:")) {
                problem(
                    n["cacert"], p + ".cacert", "only rest: and s3: repositories use a CA file");
            }
        }
        load_env(n, p, r.env);
        if (const auto m = n["maintenance"]; is_map(m, p + ".maintenance")) {
            const std::string mp = p + ".maintenance";
            check_keys(m, mp, kMaintenanceKeys);
            r.has_maintenance = true;
            if (auto v = text(m["url"], mp + ".url")) {
                r.maintenance_url = *v;
            } else if (!m["url"]) {
                problem(m, mp, "has no url (an endpoint of the same storage that may delete)");
            }
            if (auto sec = secret(m, "password", mp))
                r.maintenance_password = *sec;
            load_env(m, mp, r.maintenance_env);
            if (auto v = text(m["retention"], mp + ".retention")) {
                auto keep = domain::parse_retention(*v);
                if (keep)
                    r.maintenance_retention = *keep;
                else
                    problem(m["retention"], mp + ".retention", keep.error);
            }
            if (!r.append_only) {
                problem(m,
                        mp,
                        "is for append_only: true repositories (the others delete with their own "
                        "credentials)");
            }
        }
        load_ssh(n, p, r);
        out_.repositories[name] = std::move(r);
    }

    // `env:` of a repository (or its maintenance block): KEY: value, KEY_FILE: a file to read.
    void load_env(const YAML::Node& n, const std::string& p, std::map<std::string, Secret>& into) {
        if (const auto env = n["env"]; is_map(env, p + ".env")) {
            for (auto it = env.begin(); it != env.end(); ++it) {
                const std::string k = it->first.Scalar();
                const std::string kp = p + ".env." + k;
                if (k.starts_with("RESTIC_PASSWORD") || k == "RESTIC_REPOSITORY" ||
                    k == "RESTIC_REPOSITORY_FILE") {
                    problem(it->first,
                            kp,
                            "set the repository's url and password (or password_file), not " + k);
                    continue;
                }
                const bool file_key = (k.ends_with("_FILE") || k.ends_with("_file")) &&
                                      k.size() > 5 &&
                                      std::find(kPathValuedEnv.begin(), kPathValuedEnv.end(), k) ==
                                          kPathValuedEnv.end();
                auto v = text(it->second, kp);
                if (!v)
                    continue;
                if (!file_key) {
                    into[k] = Secret(*v, "config " + kp);
                    continue;
                }
                // AWS_ACCESS_KEY_ID_FILE: /run/secrets/x -> AWS_ACCESS_KEY_ID=<the file's content>
                const std::string var = k.substr(0, k.size() - 5);
                std::string error;
                std::string value = read_secret_file(*v, error);
                if (!error.empty()) {
                    problem(it->second, kp, error);
                    continue;
                }
                if (into.contains(var)) {
                    problem(it->first, kp, "give either " + var + " or " + k + ", not both");
                    continue;
                }
                into[var] = Secret(std::move(value), "file " + *v);
            }
        }
    }

    // copy_to names another repository, no cycle, one environment and one sftp.command for both.
    void check_copies(const YAML::Node& section) {
        for (const auto& c : domain::copy_problems(out_.repositories)) {
            const auto repo = section[c.repository];
            const auto at = repo && repo["copy_to"] ? repo["copy_to"] : repo;
            problem(at, "repositories." + c.repository + ".copy_to", c.message);
        }
    }

    void load_ssh(const YAML::Node& n, const std::string& p, domain::RepositoryConfig& r) {
        const bool sftp = r.url.starts_with("sftp:");
        const auto s = n["ssh"];
        if (is_map(s, p + ".ssh")) {
            check_keys(s, p + ".ssh", kSshKeys);
            if (!sftp) {
                problem(s, p + ".ssh", "only sftp: repositories use ssh settings");
                return;
            }
            r.has_ssh = true;
            const std::string sp = p + ".ssh";
            if (auto v = text(s["key_file"], sp + ".key_file"))
                r.ssh.key_file = *v;
            if (auto v = integer(s["port"], sp + ".port", 1, 65535))
                r.ssh.port = *v;
            if (auto v = text(s["known_hosts_file"], sp + ".known_hosts_file"))
                r.ssh.known_hosts_file = *v;
            if (auto v = boolean(s["accept_new_host_key"], sp + ".accept_new_host_key")) {
                r.ssh.accept_new_host_key = *v;
            }
            if (auto v = text(s["user"], sp + ".user"))
                r.ssh.user = *v;
            if (auto v = integer(s["connect_timeout"], sp + ".connect_timeout", 1, 600)) {
                r.ssh.connect_timeout = *v;
            }
        }
        if (!sftp)
            return;
        auto loc = domain::parse_sftp_url(r.url);
        if (!loc) {
            problem(n["url"], p + ".url", "\"" + domain::mask_url(r.url) + "\" " + loc.error);
            return;
        }
        if (!r.has_ssh) {
            problem(n,
                    p,
                    "is an sftp: repository without an ssh: block; give at least "
                    "ssh.known_hosts_file (the server's pinned host key: `ssh-keyscan -p " +
                        std::to_string(loc->port ? loc->port : 22) + " " + loc->host +
                        " > FILE`) and ssh.key_file");
            return;
        }
        if (r.ssh.known_hosts_file.empty() && !r.ssh.accept_new_host_key) {
            const int port = r.ssh.port ? r.ssh.port : loc->port ? loc->port : 22;
            problem(s,
                    p + ".ssh",
                    "has no known_hosts_file: the server's host key must be pinned. Run "
                    "`ssh-keyscan -p " +
                        std::to_string(port) + " " + loc->host +
                        " > FILE`, check the fingerprint, and set known_hosts_file: FILE (or "
                        "accept_new_host_key: true to trust the first key seen)");
            return;
        }
        // The command line restic gets: refused here, at load time, when a value cannot pass.
        domain::SshConfig probe = r.ssh;
        if (probe.known_hosts_file.empty())
            probe.known_hosts_file = "/state/known_hosts";
        if (auto cmd = domain::ssh_command(*loc, probe); !cmd) {
            problem(s, p + ".ssh", cmd.error);
        }
    }

    void load_key(const YAML::Node& n, const std::string& p, const std::string& name) {
        check_keys(n, p, kKeyKeys);
        domain::KeyConfig k;
        if (auto v = text(n["recipient"], p + ".recipient"))
            k.recipient = *v;
        if (auto v = text(n["public_key_file"], p + ".public_key_file"))
            k.public_key_file = *v;
        if (auto v = text(n["private_key_file"], p + ".private_key_file"))
            k.private_key_file = *v;
        if (auto v = text(n["passphrase_file"], p + ".passphrase_file"))
            k.passphrase_file = *v;
        if (k.public_key_file.empty()) {
            problem(n, p, "has no public_key_file (the key backups are encrypted to)");
        }
        out_.keys[name] = std::move(k);
    }

    void load_notifier(const YAML::Node& n, const std::string& p, const std::string& name) {
        check_keys(n, p, kNotifierKeys);
        domain::NotifierConfig c;
        if (auto v = text(n["type"], p + ".type")) {
            c.type = *v;
        }
        const std::array<std::string_view, 3> types{"slack", "webhook", "email"};
        if (std::find(types.begin(), types.end(), c.type) == types.end()) {
            auto near = domain::nearest(c.type, types);
            problem(n["type"] ? n["type"] : n,
                    p + ".type",
                    "\"" + c.type + "\" is not a notifier type (slack, webhook, email)" +
                        (near ? "; did you mean \"" + *near + "\"?" : ""));
        }
        if (auto v = text_list(n["events"], p + ".events"))
            c.events = *v;
        for (const auto& e : c.events) {
            if (e == "all" ||
                std::find(std::begin(domain::kAlertKinds), std::end(domain::kAlertKinds), e) !=
                    std::end(domain::kAlertKinds)) {
                continue;
            }
            auto near = domain::nearest(e, domain::kAlertKinds);
            problem(n["events"],
                    p + ".events",
                    "\"" + e +
                        "\" is not an event (failure, success, overdue, recovered, "
                        "drill_failed, drill_empty, summary, check_failed, check_recovered, all)" +
                        (near ? "; did you mean \"" + *near + "\"?" : ""));
        }
        for (const char* key : {"url", "webhook_url", "secret", "password"}) {
            if (auto s = secret(n, key, p))
                c.secrets[key] = *s;
        }
        for (const char* key :
             {"host", "port", "username", "from", "to", "starttls", "timeout", "ca_file"}) {
            if (auto v = text(n[key], p + "." + key))
                c.settings[key] = *v;
        }
        auto has = [&c, &n](const char* key) {
            return c.secrets.contains(key) || c.settings.contains(key) ||
                   n[std::string(key) + "_file"]
                       .IsDefined();  // a file that is unreadable is its own problem
        };
        if (c.type == "slack" && !has("webhook_url") && !has("url")) {
            problem(n, p, "a slack notifier needs webhook_url (or webhook_url_file)");
        } else if (c.type == "webhook" && !has("url")) {
            problem(n, p, "a webhook notifier needs url (or url_file)");
        } else if (c.type == "email") {
            for (const char* key : {"host", "from", "to"}) {
                if (!has(key))
                    problem(n, p, std::string("an email notifier needs ") + key);
            }
        }
        out_.notifiers[name] = std::move(c);
    }

    void load_monitor(const YAML::Node& n, const std::string& p, const std::string& name) {
        check_keys(n, p, kMonitorKeys);
        domain::MonitorConfig c;
        if (auto v = text(n["type"], p + ".type"))
            c.type = *v;
        const std::array<std::string_view, 2> types{"uptime-kuma", "healthchecks"};
        if (std::find(types.begin(), types.end(), c.type) == types.end()) {
            auto near = domain::nearest(c.type, types);
            problem(n["type"] ? n["type"] : n,
                    p + ".type",
                    "\"" + c.type + "\" is not a monitor type (uptime-kuma, healthchecks)" +
                        (near ? "; did you mean \"" + *near + "\"?" : ""));
        }
        for (const char* key : {"push_token", "ping_url", "url"}) {
            if (auto s = secret(n, key, p))
                c.secrets[key] = *s;
        }
        for (const char* key : {"base_url", "timeout", "ca_file"}) {
            if (auto v = text(n[key], p + "." + key))
                c.settings[key] = *v;
        }
        auto has = [&c, &n](const char* key) {
            return c.secrets.contains(key) || c.settings.contains(key) ||
                   n[std::string(key) + "_file"]
                       .IsDefined();  // a file that is unreadable is its own problem
        };
        const bool kuma_base = has("base_url") || env_("UPTIME_KUMA_BASE_URL").has_value();
        if (c.type == "uptime-kuma" && !has("url") && !(kuma_base && has("push_token"))) {
            problem(n,
                    p,
                    "an uptime-kuma monitor needs url (the whole push URL), or base_url (or "
                    "$UPTIME_KUMA_BASE_URL) and push_token");
        } else if (c.type == "healthchecks" && !has("ping_url") && !has("url")) {
            problem(n, p, "a healthchecks monitor needs ping_url (or ping_url_file)");
        }
        out_.monitors[name] = std::move(c);
    }

    // --- the original backupctl's environment --------------------------------------------------
    // Its globals were environment variables (.env); a deployment keeps them. They fill what the
    // YAML leaves out, in the original's order (a project's own block first), and every value
    // taken says where it came from (`origins`, shown by `config show`).
    static constexpr const char* kEnvFile = "environment";

    std::optional<std::string> env_var(const std::string& name) {
        auto v = env_(name);
        if (!v || v->empty()) {
            return std::nullopt;  // `NAME=` in a .env is as good as unset
        }
        return v;
    }

    void env_problem(const std::string& var, std::string message) {
        for (const auto& p : out_.problems) {
            if (p.file == kEnvFile && p.path == var && p.message == message)
                return;  // said once
        }
        out_.problems.push_back({kEnvFile, 0, 0, var, std::move(message), ""});
    }

    void origin(const std::string& path, std::string from) { out_.origins[path] = std::move(from); }

    // The original wrote every project to one SFTP server (a Hetzner Storage Box) named by
    // HETZNER_SSH_*: with HETZNER_SSH_HOST set, a repository_path that is a plain path is a path
    // there. The host key is pinned (the original trusted the first key seen).
    void storage_box(const YAML::Node& r,
                     const std::string& path,
                     const std::string& name,
                     domain::RepositoryConfig& repo) {
        static constexpr std::array<std::string_view, 9> kSchemes{
            "sftp:", "s3:", "rest:", "b2:", "azure:", "gs:", "swift:", "rclone:", "local:"};
        const bool remote =
            std::any_of(kSchemes.begin(), kSchemes.end(), [&repo](std::string_view s) {
                return repo.url.starts_with(s);
            });
        auto host = env_var("HETZNER_SSH_HOST");
        if (repo.url.empty() || remote || !host)
            return;
        const auto node = r["repository_path"];
        auto user = env_var("HETZNER_SSH_USER");
        auto key = env_var("HETZNER_SSH_KEY_PATH");
        if (!user || !key) {
            problem(node,
                    path,
                    "is a path on the storage box HETZNER_SSH_HOST names, but " +
                        std::string(!user ? "HETZNER_SSH_USER" : "HETZNER_SSH_KEY_PATH") +
                        " is not set (unset HETZNER_SSH_HOST for a local repository)");
            return;
        }
        int port = 22;  // the original's code; its docs and .env.example said 23
        std::string port_from = "default 22: the original's code (its docs said 23)";
        if (auto v = env_var("HETZNER_SSH_PORT")) {
            const bool digits =
                !v->empty() && v->size() <= 5 && std::all_of(v->begin(), v->end(), [](char c) {
                    return std::isdigit(static_cast<unsigned char>(c)) != 0;
                });
            if (!digits || std::stoi(*v) < 1 || std::stoi(*v) > 65535) {
                env_problem("HETZNER_SSH_PORT", "\"" + *v + "\" is not a port (1-65535)");
                return;
            }
            port = std::stoi(*v);
            port_from = "env HETZNER_SSH_PORT";
        }
        std::string known = env_var("HETZNER_SSH_KNOWN_HOSTS").value_or("");
        std::string known_from = "env HETZNER_SSH_KNOWN_HOSTS";
        if (known.empty()) {
            const auto beside = std::filesystem::path(*key).parent_path() / "known_hosts";
            std::error_code ec;
            if (!std::filesystem::exists(beside, ec)) {
                problem(node,
                        path,
                        "is on the storage box " + *host +
                            ", whose host key must be pinned: run "
                            "`ssh-keyscan -p " +
                            std::to_string(port) + " " + *host + " > " + beside.string() +
                            "`, check the fingerprint (or set "
                            "HETZNER_SSH_KNOWN_HOSTS to a known_hosts file)");
                return;
            }
            known = beside.string();
            known_from = "beside HETZNER_SSH_KEY_PATH";
        }
        repo.url = "sftp:" + *user + "@" + *host + ":" + repo.url;
        repo.has_ssh = true;
        repo.ssh.key_file = *key;
        repo.ssh.port = port;
        repo.ssh.known_hosts_file = known;
        const std::string at = "/repositories/" + name;
        origin(at + "/url", "env HETZNER_SSH_USER@HETZNER_SSH_HOST + " + path);
        origin(at + "/ssh/key_file", "env HETZNER_SSH_KEY_PATH");
        origin(at + "/ssh/port", port_from);
        origin(at + "/ssh/known_hosts_file", known_from);
        auto loc = domain::parse_sftp_url(repo.url);
        if (!loc) {
            problem(node, path, "\"" + domain::mask_url(repo.url) + "\" " + loc.error);
            return;
        }
        if (auto cmd = domain::ssh_command(*loc, repo.ssh); !cmd) {
            problem(node, path, cmd.error);
        }
    }

    void load_original_env(const YAML::Node& root) {
        if (!root["timezone"]) {
            if (auto v = env_var("TIMEZONE")) {
                out_.timezone = *v;
                origin("/timezone", "env TIMEZONE");
            }
        }
        const auto dm = root["daemon"];
        if (!(dm && dm.IsMap() && dm["summary_cron"])) {
            if (auto v = env_var("DAILY_SUMMARY_CRON")) {
                if (auto c = domain::parse_cron(*v); c) {
                    out_.daemon.summary_cron = *v;
                    origin("/daemon/summary_cron", "env DAILY_SUMMARY_CRON");
                } else {
                    env_problem("DAILY_SUMMARY_CRON",
                                "\"" + *v + "\" is not a schedule: " + c.error);
                }
            }
        }
        for (const char* var : {"BACKUP_RETRY_COUNT", "BACKUP_RETRY_DELAY_MS"}) {
            if (auto v = env_var(var)) {
                out_.warnings.push_back(
                    {kEnvFile,
                     0,
                     0,
                     var,
                     "\"" + *v +
                         "\" is ignored: backupctl does not retry a stage (a half-written "
                         "dump cannot be resumed); the next scheduled run is the retry, and the "
                         "failure alert goes out at once",
                     ""});
            }
        }
        if (auto v = env_var("GPG_KEYS_DIR"))
            keys_dir_ = *v;
        load_env_encryption();
        load_env_notification();
    }

    void load_env_encryption() {
        bool enabled = false;
        if (auto v = env_var("ENCRYPTION_ENABLED")) {
            if (*v == "true") {
                enabled = true;
            } else if (*v != "false") {
                env_problem("ENCRYPTION_ENABLED",
                            "\"" + *v + "\" is not a value it takes (true, false)");
                return;
            }
        }
        if (auto v = env_var("ENCRYPTION_TYPE"); v && *v != "gpg") {
            env_problem("ENCRYPTION_TYPE", "\"" + *v + "\" is not an encryption type (gpg)");
            return;
        }
        if (!enabled) {
            return;
        }
        auto recipient = env_var("GPG_RECIPIENT");
        if (!recipient) {
            env_problem("GPG_RECIPIENT",
                        "is not set, but ENCRYPTION_ENABLED=true: name the key "
                        "(its e-mail address or fingerprint) backups are "
                        "encrypted to");
            return;
        }
        domain::KeyConfig k;
        k.recipient = *recipient;
        k.keys_dir = keys_dir_;
        env_key_ = std::move(k);
    }

    void load_env_notification() {
        auto type = env_var("NOTIFICATION_TYPE");
        if (!type || *type == "none") {
            return;  // none: no notifier (the original failed every backup instead)
        }
        const std::array<std::string_view, 4> types{"slack", "webhook", "email", "none"};
        if (std::find(types.begin(), types.end(), *type) == types.end()) {
            auto near = domain::nearest(*type, types);
            env_problem("NOTIFICATION_TYPE",
                        "\"" + *type + "\" is not a value it takes (slack, webhook, email, none)" +
                            (near ? "; did you mean \"" + *near + "\"?" : ""));
            return;
        }
        domain::NotifierConfig c;
        c.type = *type;
        c.events = {"all"};  // as the original: every run's success and failure, the summary
        const auto missing = fill_notifier_from_env(c, "/notifiers/env");
        if (!missing.empty()) {
            env_problem("NOTIFICATION_TYPE",
                        "is " + *type + ", but " + join_words(missing) + " is not set");
            return;
        }
        env_notifier_ = std::move(c);
        origin("/notifiers/env/type", "env NOTIFICATION_TYPE");
    }

    static std::string join_words(const std::vector<std::string>& words) {
        std::string out;
        for (std::size_t i = 0; i < words.size(); ++i) {
            out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
        }
        return out;
    }

    // Fills what a notifier of the original's types lacks from its variables (the original's
    // notifiers were configured only there). Returns the variables it still needs.
    std::vector<std::string> fill_notifier_from_env(domain::NotifierConfig& c,
                                                    const std::string& at) {
        std::vector<std::string> missing;
        auto secret_from = [&](const char* key, const char* var) {
            if (c.secrets.contains(key) || c.settings.contains(key))
                return true;
            auto v = env_var(var);
            if (!v)
                return false;
            c.secrets[key] = Secret(*v, std::string("env ") + var);
            origin(at + "/secrets/" + key, std::string("env ") + var);
            return true;
        };
        auto setting_from = [&](const char* key, const char* var) {
            if (c.secrets.contains(key) || c.settings.contains(key))
                return true;
            auto v = env_var(var);
            if (!v)
                return false;
            c.settings[key] = *v;
            origin(at + "/settings/" + key, std::string("env ") + var);
            return true;
        };
        if (c.type == "slack") {
            if (!c.secrets.contains("url") && !secret_from("webhook_url", "SLACK_WEBHOOK_URL")) {
                missing.emplace_back("SLACK_WEBHOOK_URL");
            }
        } else if (c.type == "webhook") {
            if (!secret_from("url", "WEBHOOK_URL"))
                missing.emplace_back("WEBHOOK_URL");
        } else if (c.type == "email") {
            if (!setting_from("host", "SMTP_HOST"))
                missing.emplace_back("SMTP_HOST");
            if (!setting_from("to", "SMTP_TO"))
                missing.emplace_back("SMTP_TO");
            if (!setting_from("from", "SMTP_FROM")) {
                c.settings["from"] = "backupctl@localhost";
                origin(at + "/settings/from", "the original's default for SMTP_FROM");
            }
            if (setting_from("port", "SMTP_PORT")) {
                const auto& port = c.settings["port"];
                const bool digits = !port.empty() && port.size() <= 5 &&
                                    std::all_of(port.begin(), port.end(), [](char ch) {
                                        return std::isdigit(static_cast<unsigned char>(ch));
                                    });
                if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
                    env_problem("SMTP_PORT", "\"" + port + "\" is not a port (1 to 65535)");
                }
            }
            setting_from("username", "SMTP_USER");
            secret_from("password", "SMTP_PASSWORD");
            if (auto v = env_var("SMTP_SECURE")) {
                if (*v == "true") {
                    env_problem("SMTP_SECURE",
                                "\"true\" (TLS from the first byte, port 465) is not supported: "
                                "use the server's submission port with STARTTLS (SMTP_PORT=587, "
                                "SMTP_SECURE=false)");
                } else if (*v != "false") {
                    env_problem("SMTP_SECURE",
                                "\"" + *v + "\" is not a value it takes (true, false)");
                }
            }
        }
        return missing;
    }

    // --- projects (the original backupctl shape) ----------------------------------------------
    void load_projects(const YAML::Node& list) {
        if (!list || list.IsNull()) {
            return;
        }
        if (!list.IsSequence()) {
            problem(list, "projects", "must be a list of projects (- name: ...)");
            return;
        }
        std::map<std::string, int> seen;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto n = list[i];
            const std::string p = "projects[" + std::to_string(i) + "]";
            if (!n.IsMap()) {
                problem(n, p, "must be a mapping (name, cron, database, ...)");
                continue;
            }
            project_ = n["name"] && n["name"].IsScalar()
                           ? domain::escape_unprintable(n["name"].Scalar())
                           : p;
            project_failed_ = false;
            auto target = load_project(n, p);
            if (seen.contains(target.name)) {
                problem(n["name"],
                        p + ".name",
                        "\"" + target.name + "\" is also the name of projects[" +
                            std::to_string(seen[target.name]) + "]");
            }
            seen[target.name] = static_cast<int>(i);
            target.enabled = target.enabled && !project_failed_;
            out_.projects.push_back(std::move(target));
            project_.clear();
        }
    }

    domain::Target load_project(const YAML::Node& n, const std::string& p) {
        check_keys(n, p, kProjectKeys);
        domain::Target t;
        t.source = domain::Origin::config;
        t.scope = out_.scope;
        if (auto v = text(n["name"], p + ".name")) {
            t.name = *v;
            const bool ok =
                !v->empty() && v->size() <= 63 && std::all_of(v->begin(), v->end(), [](char c) {
                    return std::islower(static_cast<unsigned char>(c)) ||
                           std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                           c == '-';
                });
            if (!ok) {
                problem(n["name"],
                        p + ".name",
                        "\"" + domain::escape_unprintable(*v) +
                            "\" is not a valid name (lower-case letters, digits, '.', '_', "
                            "'-'; at most 63)");
            }
        } else {
            problem(n, p, "has no name");
        }
        if (auto v = boolean(n["enabled"], p + ".enabled"))
            t.enabled = *v;
        t.cron = out_.defaults.cron;
        if (auto v = cron(n["cron"], p + ".cron"))
            t.cron = *v;
        t.verify_cron = out_.defaults.verify_cron;
        if (auto v = cron(n["verify_cron"], p + ".verify_cron"))
            t.verify_cron = *v;
        if (auto v = text(n["docker_network"], p + ".docker_network");
            v && printable(n["docker_network"], p + ".docker_network", *v))
            t.network = *v;
        // The original's keys: its dump was killed after dump_timeout_minutes, else after
        // timeout_minutes (0 or null: no limit of its own). Here the timeout bounds the whole
        // run; `timeout` (a duration) wins over both.
        t.timeout = out_.defaults.timeout;
        t.idle_timeout = out_.defaults.idle_timeout;
        t.drill_timeout = out_.defaults.drill_timeout;
        if (auto v = integer(n["timeout_minutes"], p + ".timeout_minutes", 0, 100000);
            v && *v > 0) {
            t.timeout = std::chrono::minutes(*v);
        }
        if (const auto db = n["database"]; db && db.IsMap()) {
            if (auto v = integer(
                    db["dump_timeout_minutes"], p + ".database.dump_timeout_minutes", 0, 100000);
                v && *v > 0) {
                t.timeout = std::chrono::minutes(*v);
            }
        }
        positive_duration(n, "timeout", p, t.timeout);
        positive_duration(n, "idle_timeout", p, t.idle_timeout);
        positive_duration(n, "drill_timeout", p, t.drill_timeout);

        if (const auto db = n["database"]; is_map(db, p + ".database")) {
            const std::string dp = p + ".database";
            check_keys(db, dp, kDatabaseKeys);
            domain::DatabaseSpec spec;
            if (auto v = text(db["type"], dp + ".type")) {
                const auto* kinds = out_.database_kinds.get();
                if (auto ty = kinds == nullptr ? nullptr : kinds->find(*v);
                    ty && ty->file_based()) {
                    problem(db["type"],
                            dp + ".type",
                            "\"" + *v +
                                "\" files are backed up from labels (backupctl.db.path on the "
                                "app's container), not from a project");
                } else if (ty) {
                    spec.kind = ty;
                } else {
                    std::vector<std::string> names;
                    if (kinds != nullptr)
                        names = kinds->names();
                    const std::vector<std::string_view> views(names.begin(), names.end());
                    auto near = domain::nearest(*v, views);
                    problem(db["type"],
                            dp + ".type",
                            "\"" + *v + "\" is not a database type (" +
                                (kinds == nullptr ? std::string("none in this build")
                                                  : kinds->names_text()) +
                                ")" + (near ? "; did you mean \"" + *near + "\"?" : ""));
                }
            } else {
                problem(db, dp, "has no type");
            }
            if (auto v = text(db["host"], dp + ".host"); v &&
                                                         printable(db["host"], dp + ".host", *v) &&
                                                         not_option(db["host"], dp + ".host", *v))
                spec.host = *v;
            if (auto v = integer(db["port"], dp + ".port", 1, 65535))
                spec.port = *v;
            if (auto v = text_list(db["name"], dp + ".name")) {
                for (const auto& name : *v) {
                    if (printable(db["name"], dp + ".name", name) &&
                        not_option(db["name"], dp + ".name", name))
                        spec.names.push_back(name);
                }
            }
            if (auto v = text(db["user"], dp + ".user"); v &&
                                                         printable(db["user"], dp + ".user", *v) &&
                                                         not_option(db["user"], dp + ".user", *v))
                spec.user = *v;
            if (auto v = text(db["image"], dp + ".image")) {
                spec.dump_image = *v;
                check_dump_image(db["image"], dp + ".image", *v);
            }
            if (auto s = secret(db, "password", dp)) {
                spec.has_password = !s->empty();
                spec.password = *s;
            }
            if (spec.host.empty()) {
                problem(db, dp, "has no host (the database's container or host name)");
            }
            t.database = spec;
        }
        if (const auto a = n["assets"]; is_map(a, p + ".assets")) {
            check_keys(a, p + ".assets", kAssetsKeys);
            if (auto v = text_list(a["paths"], p + ".assets.paths")) {
                for (const auto& path : *v) {
                    // Paths of the operator's filesystem; a tag value (path:<P>) must not split.
                    const bool bad = path.empty() || path.front() != '/' ||
                                     path.find(',') != std::string::npos ||
                                     std::any_of(path.begin(), path.end(), [](char c) {
                                         return static_cast<unsigned char>(c) < 0x20;
                                     });
                    if (bad) {
                        problem(a["paths"],
                                p + ".assets.paths",
                                "\"" + path +
                                    "\" must be an absolute path without commas or "
                                    "control characters");
                        continue;
                    }
                    std::string clean = path;
                    while (clean.size() > 1 && clean.back() == '/')
                        clean.pop_back();
                    t.paths.push_back(clean);
                }
            }
        }
        if (!t.database && t.paths.empty()) {
            problem(n, p, "has nothing to back up: give a database or assets.paths");
        }

        // restic -> an implicit repository named after the project
        t.repository = out_.defaults.repository;
        if (const auto r = n["restic"]; is_map(r, p + ".restic")) {
            check_keys(r, p + ".restic", kResticKeys);
            domain::RepositoryConfig repo;
            if (auto v = text(r["repository_path"], p + ".restic.repository_path")) {
                repo.url = *v;
            } else {
                problem(r, p + ".restic", "has no repository_path");
            }
            if (auto s = secret(r, "password", p + ".restic"))
                repo.password = *s;
            t.repository = "project:" + t.name;
            if (!r["password"] && !r["password_file"]) {
                if (auto v = env_var("RESTIC_PASSWORD")) {
                    repo.password = Secret(*v, "env RESTIC_PASSWORD");
                    origin("/repositories/" + t.repository + "/password", "env RESTIC_PASSWORD");
                } else {
                    problem(r,
                            p + ".restic",
                            "has no password: give password or password_file, "
                            "or set RESTIC_PASSWORD");
                }
            }
            if (auto v = boolean(r["init"], p + ".restic.init"))
                repo.init = *v;
            if (auto v = text(r["snapshot_mode"], p + ".restic.snapshot_mode"))
                (void)v;
            storage_box(r, p + ".restic.repository_path", t.repository, repo);
            out_.repositories[t.repository] = std::move(repo);
        }

        t.anomaly = out_.defaults.anomaly;
        if (auto v = text(n["anomaly"], p + ".anomaly")) {
            if (auto a = domain::parse_anomaly_policy(*v)) {
                t.anomaly = *a;
            } else {
                problem(n["anomaly"], p + ".anomaly", a.error);
            }
        }
        t.retention = out_.defaults.retention;
        if (const auto r = n["retention"]; is_map(r, p + ".retention")) {
            check_keys(r, p + ".retention", kRetentionKeys);
            domain::Retention ret;
            const std::string rp = p + ".retention";
            if (auto v = integer(r["keep_last"], rp + ".keep_last", 0, 100000))
                ret.last = *v;
            if (auto v = integer(r["keep_hourly"], rp + ".keep_hourly", 0, 100000))
                ret.hourly = *v;
            if (auto v = integer(r["keep_daily"], rp + ".keep_daily", 0, 100000))
                ret.daily = *v;
            if (auto v = integer(r["keep_weekly"], rp + ".keep_weekly", 0, 100000))
                ret.weekly = *v;
            if (auto v = integer(r["keep_monthly"], rp + ".keep_monthly", 0, 100000))
                ret.monthly = *v;
            if (auto v = integer(r["keep_yearly"], rp + ".keep_yearly", 0, 100000))
                ret.yearly = *v;
            if (auto v = integer(r["local_days"], rp + ".local_days", 0, 100000))
                (void)v;
            if (auto v = text(r["keep"], rp + ".keep")) {
                auto parsed = domain::parse_retention(*v);
                if (parsed) {
                    ret = *parsed;
                } else {
                    problem(r["keep"], rp + ".keep", parsed.error);
                }
            }
            if (!ret.empty()) {
                t.retention = ret;
            }
        }

        t.encrypt = out_.defaults.encrypt;
        if (const auto e = n["encryption"]; is_map(e, p + ".encryption")) {
            check_keys(e, p + ".encryption", kEncryptionKeys);
            const bool enabled = boolean(e["enabled"], p + ".encryption.enabled").value_or(false);
            if (auto v = text(e["type"], p + ".encryption.type"); v && *v != "gpg") {
                problem(e["type"], p + ".encryption.type", "\"" + *v + "\" is not supported (gpg)");
            }
            if (enabled) {
                domain::KeyConfig k;
                if (auto v = text(e["recipient"], p + ".encryption.recipient"))
                    k.recipient = *v;
                if (auto v = text(e["public_key_file"], p + ".encryption.public_key_file")) {
                    k.public_key_file = *v;
                }
                if (auto v = text(e["private_key_file"], p + ".encryption.private_key_file")) {
                    k.private_key_file = *v;
                }
                if (auto v = text(e["passphrase_file"], p + ".encryption.passphrase_file")) {
                    k.passphrase_file = *v;
                }
                if (k.recipient.empty() && k.public_key_file.empty()) {
                    problem(e, p + ".encryption", "is enabled but names no recipient");
                } else if (k.public_key_file.empty()) {
                    k.keys_dir = keys_dir_;  // the original's way: the key is in GPG_KEYS_DIR
                }
                t.encrypt = "project:" + t.name;
                out_.keys[t.encrypt] = std::move(k);
            } else {
                t.encrypt = "none";
            }
        } else if (!defaults_encrypt_set_ && env_key_) {
            // No block: ENCRYPTION_ENABLED=true encrypts to GPG_RECIPIENT (a block keeps its own
            // `enabled`, default false, as in the original).
            t.encrypt = "env";
            if (!out_.keys.contains(t.encrypt)) {
                out_.keys[t.encrypt] = *env_key_;
                origin("/keys/env/recipient", "env GPG_RECIPIENT");
            }
            origin("/projects/" + t.name + "/encrypt", "env ENCRYPTION_ENABLED");
        }

        if (out_.security.require_encryption && t.encrypt == "none") {
            problem(n["encryption"] ? n["encryption"] : n,
                    n["encryption"] ? p + ".encryption" : p,
                    "is not encrypted, but security.require_encryption is set: enable "
                    "encryption: (or set defaults.encrypt to a key)");
        }
        if (const auto nt = n["notification"]; is_map(nt, p + ".notification")) {
            check_keys(nt, p + ".notification", kTypedKeys);
            domain::NotifierConfig c;
            if (auto v = text(nt["type"], p + ".notification.type"))
                c.type = *v;
            if (const auto cfg = nt["config"]; is_map(cfg, p + ".notification.config")) {
                load_typed_config(cfg, p + ".notification.config", c.settings, c.secrets);
            }
            const std::array<std::string_view, 4> types{"slack", "webhook", "email", "none"};
            if (std::find(types.begin(), types.end(), c.type) == types.end()) {
                auto near = domain::nearest(c.type, types);
                problem(nt["type"] ? nt["type"] : nt,
                        p + ".notification.type",
                        "\"" + c.type +
                            "\" is not a notification type (slack, webhook, email, "
                            "none)" +
                            (near ? "; did you mean \"" + *near + "\"?" : ""));
            } else if (c.type == "none") {
                t.notify = {};
            } else {
                // The original configured its notifiers only from the environment: what the
                // block does not give comes from there.
                t.notify = {"project:" + t.name};
                const auto missing = fill_notifier_from_env(c, "/notifiers/" + t.notify.front());
                if (!missing.empty()) {
                    problem(nt,
                            p + ".notification",
                            "a " + c.type + " notification needs its settings in config: or " +
                                join_words(missing) + " set");
                }
                out_.notifiers[t.notify.front()] = std::move(c);
            }
        } else if (out_.defaults.notify.empty() && env_notifier_) {
            t.notify = {"env"};
            if (!out_.notifiers.contains("env"))
                out_.notifiers["env"] = *env_notifier_;
            origin("/projects/" + t.name + "/notify/0", "env NOTIFICATION_TYPE");
        } else {
            t.notify = out_.defaults.notify;
        }
        if (const auto m = n["monitor"]; is_map(m, p + ".monitor")) {
            check_keys(m, p + ".monitor", kTypedKeys);
            domain::MonitorConfig c;
            if (auto v = text(m["type"], p + ".monitor.type"))
                c.type = *v;
            if (const auto cfg = m["config"]; is_map(cfg, p + ".monitor.config")) {
                load_typed_config(cfg, p + ".monitor.config", c.settings, c.secrets);
            }
            t.monitor = "project:" + t.name;
            if (c.type == "uptime-kuma" && !c.settings.contains("base_url") &&
                !c.secrets.contains("base_url") && !c.secrets.contains("url")) {
                if (auto v = env_var("UPTIME_KUMA_BASE_URL")) {
                    c.settings["base_url"] = *v;
                    origin("/monitors/" + t.monitor + "/settings/base_url",
                           "env UPTIME_KUMA_BASE_URL");
                }
            }
            out_.monitors[t.monitor] = std::move(c);
        } else {
            t.monitor = out_.defaults.monitor;
        }
        if (const auto h = n["hooks"]; is_map(h, p + ".hooks")) {
            check_keys(h, p + ".hooks", kHooksKeys);
            // The operator's own config: run as the original ran them, through /bin/sh -c in
            // the operator's container (label hooks are exec'd in the target, without a shell).
            auto shell = [&](const char* key) -> std::vector<std::string> {
                auto v = text(h[key], p + ".hooks." + key);
                if (!v || v->empty())
                    return {};
                return {"/bin/sh", "-c", *v};
            };
            t.pre_hook = shell("pre_backup");
            t.post_hook = shell("post_backup");
            // The hooks' environment is a minimal one: these operator variables are added.
            if (auto v = text_list(h["env"], p + ".hooks.env")) {
                for (const auto& name : *v) {
                    const bool ok = !name.empty() && name.find('=') == std::string::npos &&
                                    name.find('\0') == std::string::npos;
                    if (ok)
                        t.hook_env.push_back(name);
                    else
                        problem(
                            h["env"], p + ".hooks.env", "\"" + name + "\" is not a variable name");
                }
            }
            if (auto v = text(h["timeout"], p + ".hooks.timeout")) {
                auto d = domain::parse_duration(*v);
                if (d && d->count() > 0) {
                    t.hook_timeout = *d;
                } else {
                    problem(h["timeout"],
                            p + ".hooks.timeout",
                            d ? std::string("must be more than 0") : d.error);
                }
            }
        }
        if (const auto v = n["verification"]; is_map(v, p + ".verification")) {
            check_keys(v, p + ".verification", kVerificationKeys);
            if (auto c = cron(v["cron"], p + ".verification.cron"))
                t.verify_cron = *c;
        }
        if (const auto c = n["compression"]; is_map(c, p + ".compression")) {
            check_keys(c, p + ".compression", kCompressionKeys);
        }
        return t;
    }

    // notification/monitor `config:` blocks: keys that name secrets are kept as secrets.
    void load_typed_config(const YAML::Node& cfg,
                           const std::string& p,
                           std::map<std::string, std::string>& settings,
                           std::map<std::string, Secret>& secrets) {
        for (auto it = cfg.begin(); it != cfg.end(); ++it) {
            std::string key = it->first.Scalar();
            const bool is_file = key.size() > 5 && key.ends_with("_file");
            const std::string base = is_file ? key.substr(0, key.size() - 5) : key;
            const bool sensitive = base.find("token") != std::string::npos ||
                                   base.find("password") != std::string::npos ||
                                   base.find("secret") != std::string::npos ||
                                   base.find("url") != std::string::npos;
            if (sensitive || is_file) {
                if (secrets.contains(base)) {
                    continue;
                }
                if (auto s = secret(cfg, base, p))
                    secrets[base] = *s;
            } else if (auto v = text(it->second, p + "." + key)) {
                settings[key] = *v;
            }
        }
    }
};

}  // namespace

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) {
            return std::nullopt;
        }
        return std::string(v);
    };
}

domain::OperatorConfig default_config() {
    domain::OperatorConfig c;
    c.file = "(built-in default)";
    domain::RepositoryConfig repo;
    repo.url = c.state_dir + "/repository";
    repo.init = true;
    c.repositories["default"] = std::move(repo);
    return c;
}

namespace {
// ${X} is not a valid plain scalar inside a YAML flow mapping ({a: ${X}}), yet the original
// backupctl format writes it there. Before parsing, ${X} becomes $(X), of the same length (so lines
// and columns stay right), and the loader substitutes exactly those. $${X} stays literal.
std::string protect_variables(std::string_view yaml, std::set<std::string>& placeholders) {
    std::string out(yaml);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] != '$') {
            continue;
        }
        if (out[i + 1] == '$') {
            ++i;
            continue;
        }
        if (out[i + 1] != '{') {
            continue;
        }
        const auto close = out.find('}', i + 2);
        const auto newline = out.find('\n', i + 2);
        if (close == std::string::npos || (newline != std::string::npos && newline < close)) {
            continue;
        }
        placeholders.insert(out.substr(i + 2, close - i - 2));
        out[i + 1] = '(';
        out[close] = ')';
        i = close;
    }
    return out;
}
}  // namespace

domain::OperatorConfig load_config_text(std::shared_ptr<const domain::DatabaseKinds> kinds,
                                        std::string_view yaml,
                                        const std::string& file,
                                        const EnvLookup& env) {
    domain::OperatorConfig out;
    out.file = file;
    out.database_kinds = std::move(kinds);
    std::set<std::string> placeholders;
    const std::string text = protect_variables(yaml, placeholders);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        domain::ConfigProblem p;
        p.file = file;
        p.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        p.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        p.message = "not valid YAML: " + e.msg;
        out.problems.push_back(std::move(p));
        return out;
    }
    try {
        Loader loader(file, env, out, placeholders);
        loader.load(root);
    } catch (const YAML::Exception& e) {
        domain::ConfigProblem p;
        p.file = file;
        p.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
        p.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
        p.message = e.msg;
        out.problems.push_back(std::move(p));
    }
    if (out.repositories.empty() && out.defaults.repository == "default") {
        domain::RepositoryConfig repo;
        repo.url = out.state_dir + "/repository";
        repo.init = true;
        out.repositories["default"] = std::move(repo);
    }
    return out;
}

domain::OperatorConfig load_config_file(std::shared_ptr<const domain::DatabaseKinds> kinds,
                                        const std::string& path,
                                        const EnvLookup& env) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        domain::OperatorConfig out;
        out.file = path;
        out.database_kinds = std::move(kinds);
        out.problems.push_back({path, 0, 0, "", "cannot read the config file", ""});
        return out;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return load_config_text(std::move(kinds), ss.str(), path, env);
}

}  // namespace bk::adapters::config
