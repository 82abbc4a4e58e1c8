#include "backupctl/labels/parse.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "backupctl/labels/schema.hpp"
#include "domain/duration.hpp"
#include "domain/printable.hpp"
#include "domain/schedule.hpp"
#include "domain/suggest.hpp"

namespace bk::labels {
namespace {

constexpr std::size_t kMaxValue = 1024;
constexpr std::string_view kComposeProject = "com.docker.compose.project";
constexpr std::string_view kComposeService = "com.docker.compose.service";
constexpr std::string_view kComposeOneoff = "com.docker.compose.oneoff";

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto comma = s.find(',', start);
        auto item = trim(s.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!item.empty()) {
            out.push_back(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

std::optional<bool> parse_bool(std::string_view v) {
    const std::string l = lower(trim(v));
    if (l == "true" || l == "yes" || l == "1" || l == "on")
        return true;
    if (l == "false" || l == "no" || l == "0" || l == "off")
        return false;
    return std::nullopt;
}

bool valid_name(std::string_view n) {
    if (n.empty() || n.size() > 63 || !std::isalnum(static_cast<unsigned char>(n.front()))) {
        return false;
    }
    return std::all_of(n.begin(), n.end(), [](char c) {
        return (std::islower(static_cast<unsigned char>(c)) != 0) ||
               (std::isdigit(static_cast<unsigned char>(c)) != 0) || c == '.' || c == '_' ||
               c == '-';
    });
}

bool valid_env_name(std::string_view n) {
    if (n.empty() || n.size() > 255 || std::isdigit(static_cast<unsigned char>(n.front())) != 0) {
        return false;
    }
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
}

// A name derived from compose or container names: lower-case, invalid characters to '-'.
std::string sanitize_name(std::string_view raw) {
    std::string out;
    for (char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        out += (std::isalnum(u) != 0 || c == '.' || c == '_' || c == '-')
                   ? static_cast<char>(std::tolower(u))
                   : '-';
    }
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) {
        out.erase(0, 1);
    }
    if (out.size() > 63) {
        out.resize(63);
    }
    return out;
}

std::vector<std::string_view> schema_keys() {
    std::vector<std::string_view> keys;
    for (const auto& s : label_schema()) {
        keys.push_back(s.key);
    }
    return keys;
}

template <class Map>
std::vector<std::string_view> names_of(const Map& m) {
    std::vector<std::string_view> out;
    out.reserve(m.size());
    for (const auto& [k, v] : m) {
        out.push_back(k);
    }
    return out;
}

std::string join(const std::vector<std::string_view>& v) {
    std::string out;
    for (auto s : v) {
        out += (out.empty() ? "" : ", ") + std::string(s);
    }
    return out.empty() ? "(none)" : out;
}

// A key that was probably meant as a backupctl label: the prefix misspelled or the dot replaced.
std::optional<std::string> near_miss(std::string_view key) {
    if (key.starts_with(kPrefix)) {
        return std::nullopt;
    }
    const std::string l = lower(key);
    for (std::size_t i = 1; i < l.size(); ++i) {
        const char sep = l[i];
        if (sep != '.' && sep != '-' && sep != '_') {
            continue;
        }
        std::string head;
        for (char c : l.substr(0, i)) {
            if (c != '-' && c != '_') {
                head += c;
            }
        }
        if (head.size() < 6) {
            continue;
        }
        const bool close = domain::edit_distance(head, "backupctl") <= 2;
        if (!close) {
            continue;
        }
        std::string rest = l.substr(i + 1);
        std::string guess = std::string(kPrefix) + rest;
        const auto keys = schema_keys();
        if (!find_label(rest)) {
            if (auto n = domain::nearest(rest, keys)) {
                guess = std::string(kPrefix) + *n;
            }
        }
        return guess;
    }
    return std::nullopt;
}

class Parser {
public:
    Parser(const ContainerFacts& f, const domain::OperatorConfig& c) : facts_(f), config_(c) {}

    LabelOutcome run() {
        LabelOutcome out;
        out.container_id = facts_.id;
        out.container_name = facts_.name;
        out.state = facts_.state;

        std::map<std::string, std::string> ours;
        for (const auto& [key, value] : facts_.labels) {
            if (key.starts_with(kPrefix)) {
                ours.emplace(key.substr(kPrefix.size()), value);
            } else if (auto guess = near_miss(key)) {
                problem(key,
                        value,
                        "looks like a mistyped backupctl label; it is not read",
                        "did you mean " + *guess + "?");
            }
        }
        if (ours.empty() && problems_.empty()) {
            out.disposition = Disposition::not_enabled;
            out.note = "no backupctl labels";
            return out;
        }
        // A dump or drill container runs the target's image and a restored copy carries the
        // image's labels: never a target, never invalid (backupctl's own, while it runs).
        if (auto own = own_container(facts_.labels)) {
            out.disposition = Disposition::ignored;
            out.note = *own;
            return out;
        }
        if (auto it = facts_.labels.find(std::string(kComposeOneoff));
            it != facts_.labels.end() && it->second == "True") {
            out.disposition = Disposition::ignored;
            out.note = "a compose one-off container (docker compose run)";
            return out;
        }
        const std::string scope = ours.contains("scope") ? trim(ours["scope"]) : "";
        if (scope != config_.scope) {
            out.disposition = Disposition::other_scope;
            out.note = "scope \"" + domain::escape_unprintable(scope) +
                       "\" is not this operator's scope \"" + config_.scope + "\"";
            return out;
        }

        // Every key: known, within limits, not a secret.
        for (const auto& [key, value] : ours) {
            const std::string full = std::string(kPrefix) + key;
            if (auto why = secret_reason(key, value)) {
                problems_.push_back({full,
                                     "(redacted)",
                                     *why,
                                     "keep secrets in the container's environment or the "
                                     "operator's config; labels refer to them by name"});
                continue;
            }
            if (value.size() > kMaxValue) {
                problem(full,
                        value.substr(0, 40) + "...",
                        "is " + std::to_string(value.size()) + " characters long; the limit is " +
                            std::to_string(kMaxValue));
                continue;
            }
            // Values reach e-mail headers, log lines, argv, option files and terminals. A hook's
            // line breaks and tabs only separate its words.
            const bool hook = key == "hooks.pre" || key == "hooks.post";
            std::string seen = value;
            if (hook) {
                std::replace_if(
                    seen.begin(),
                    seen.end(),
                    [](char c) { return c == '\n' || c == '\r' || c == '\t'; },
                    ' ');
            }
            if (auto why = domain::unprintable(seen)) {
                problem(full, value, *why, "labels hold printable text only");
                continue;
            }
            if (find_label(key) == nullptr) {
                const auto keys = schema_keys();
                auto n = domain::nearest(key, keys);
                problem(full,
                        value,
                        "is not a backupctl label",
                        n ? "did you mean backupctl." + *n + "?"
                          : "see docs/labels.md for the labels backupctl reads");
            }
        }

        const auto enable = ours.find("enable");
        if (enable == ours.end()) {
            if (problems_.empty()) {
                problem(std::string(kPrefix) + "enable",
                        "",
                        "is missing, so the other backupctl labels have no effect",
                        "add backupctl.enable=true (or remove the other backupctl labels)");
            }
            return finish(out);
        }
        const auto on = parse_bool(enable->second);
        if (!on) {
            problem(std::string(kPrefix) + "enable", enable->second, "is not true or false");
            return finish(out);
        }
        if (!*on) {
            out.disposition = Disposition::not_enabled;
            out.note = "backupctl.enable=false";
            out.problems = problems_;  // mistyped labels are still worth saying
            return out;
        }
        labels_ = &ours;
        build_target();
        return finish(out);
    }

private:
    const ContainerFacts& facts_;
    const domain::OperatorConfig& config_;
    const std::map<std::string, std::string>* labels_{nullptr};
    std::vector<LabelProblem> problems_;
    domain::Target target_;

    // Label keys and values are shown on terminals and in logs: escaped, never raw.
    void problem(const std::string& label,
                 const std::string& value,
                 std::string message,
                 std::string suggestion = {}) {
        problems_.push_back({domain::escape_unprintable(label),
                             domain::escape_unprintable(value),
                             std::move(message),
                             std::move(suggestion)});
    }

    // The value of a label that passed the generic checks; nullopt when absent or rejected.
    std::optional<std::string> get(std::string_view key) {
        auto it = labels_->find(std::string(key));
        if (it == labels_->end()) {
            return std::nullopt;
        }
        const std::string full = std::string(kPrefix) + std::string(key);
        for (const auto& p : problems_) {
            if (p.label == full) {
                return std::nullopt;  // already reported
            }
        }
        return trim(it->second);
    }

    void bad(std::string_view key,
             const std::string& value,
             std::string message,
             std::string suggestion = {}) {
        problem(std::string(kPrefix) + std::string(key),
                value,
                std::move(message),
                std::move(suggestion));
    }

    std::string label_or(const char* key) const {
        auto it = facts_.labels.find(key);
        return it == facts_.labels.end() ? std::string{} : it->second;
    }

    void build_target() {
        auto& t = target_;
        t.source = domain::Origin::labels;
        t.scope = config_.scope;
        t.container_id = facts_.id;
        t.container_name = facts_.name;
        t.compose_project = label_or(kComposeProject.data());
        t.compose_service = label_or(kComposeService.data());
        t.image = facts_.image;

        // name
        if (auto n = get("name")) {
            if (!valid_name(*n)) {
                bad("name",
                    *n,
                    "is not a valid target name (lower-case letters, digits, '.', '_', '-'; at "
                    "most 63; starting with a letter or digit)",
                    "e.g. " + sanitize_name(*n));
            }
            t.name = *n;
        } else if (!t.compose_project.empty() && !t.compose_service.empty()) {
            t.name = sanitize_name(t.compose_project + "-" + t.compose_service);
        } else {
            t.name = sanitize_name(facts_.name);
        }

        // database
        std::shared_ptr<const domain::DatabaseKind> type;
        const auto* db_kinds = config_.database_kinds.get();
        const std::string kind_names =
            db_kinds == nullptr ? std::string("(none in this build)") : db_kinds->names_text();
        if (auto v = get("db.type")) {
            type = db_kinds == nullptr ? nullptr : db_kinds->find(lower(*v));
            if (!type) {
                std::vector<std::string> names;
                if (db_kinds != nullptr)
                    names = db_kinds->names();
                const std::vector<std::string_view> views(names.begin(), names.end());
                auto n = domain::nearest(lower(*v), views);
                bad("db.type",
                    *v,
                    "is not a database type (" + kind_names + ")",
                    n ? "did you mean " + *n + "?" : "");
            }
        } else if (db_kinds != nullptr) {
            type = db_kinds->infer(facts_.image);
        }
        const bool db_labels = labels_->contains("db.name") || labels_->contains("db.user") ||
                               labels_->contains("db.password-env") ||
                               labels_->contains("db.image") || labels_->contains("db.type") ||
                               labels_->contains("db.path");
        if (!type && db_labels && !labels_->contains("db.type")) {
            bad("db.type",
                "",
                "cannot be inferred from the image \"" + facts_.image + "\"",
                "set backupctl.db.type to " + kind_names);
        }
        if (type) {
            domain::DatabaseSpec db;
            db.kind = type;
            if (auto v = get("db.name")) {
                if (*v == "*") {
                    db.names = {"*"};
                } else {
                    db.names = split_list(*v);
                    if (db.names.empty()) {
                        bad("db.name", *v, "names no database", "use a name, a list, or *");
                    }
                    for (const auto& n : db.names) {
                        if (n.starts_with('-')) {
                            bad("db.name",
                                *v,
                                "\"" + n +
                                    "\" starts with '-', which a dump program would read "
                                    "as an option");
                        }
                    }
                }
            }
            if (auto v = get("db.user")) {
                if (v->starts_with('-')) {
                    bad("db.user",
                        *v,
                        "starts with '-', which a client program would read as an option");
                }
                db.user = *v;
            }
            if (auto v = get("db.password-env")) {
                if (!valid_env_name(*v)) {
                    bad("db.password-env",
                        *v,
                        "expects the NAME of an environment variable of the target (e.g. "
                        "POSTGRES_PASSWORD), not a value");
                }
                db.password_env = *v;
            }
            if (auto v = get("db.image")) {
                check_dump_image(*v);
                db.dump_image = *v;
            }
            if (type->file_based()) {
                file_kind(db);
            } else if (auto v = get("db.path")) {
                bad("db.path",
                    *v,
                    "is for database files (" + std::string(type->name()) +
                        " is a server: its dump needs no path)");
            }
            t.database = db;
        } else if (auto v = get("db.path")) {
            bad("db.path", *v, "names database files, but no db.type says of which kind");
        }

        // network
        std::vector<std::string_view> nets;
        for (const auto& n : facts_.networks) {
            nets.push_back(n);
        }
        if (auto v = get("network")) {
            if (std::find(nets.begin(), nets.end(), *v) == nets.end()) {
                auto n = domain::nearest(*v, nets);
                bad("network",
                    *v,
                    "is not a network of this container (its networks: " + join(nets) + ")",
                    n ? "did you mean " + *n + "?" : "");
            }
            t.network = *v;
        } else {
            t.network = default_network();
        }

        // volumes
        if (auto v = get("volumes")) {
            check_volumes(*v);
        }
        if (auto v = get("stop-during-backup")) {
            auto b = parse_bool(*v);
            if (!b) {
                bad("stop-during-backup", *v, "is not true or false");
            }
            t.stop_during_backup = b.value_or(false);
        }
        if (!t.database && t.volumes.empty() && problems_.empty()) {
            bad("enable",
                "true",
                "this container has nothing to back up: no database type can be inferred from "
                "its image \"" +
                    facts_.image + "\" and no volumes are named",
                "set backupctl.db.type, or backupctl.volumes");
        }

        // schedules and triggers
        t.cron = cron_or("cron", config_.defaults.cron);
        t.verify_cron = cron_or("verify-cron", config_.defaults.verify_cron);
        if (auto v = get("on")) {
            for (const auto& item : split_list(*v)) {
                const std::vector<std::string_view> kinds{"start", "image-change", "stop"};
                if (std::find(kinds.begin(), kinds.end(), item) == kinds.end()) {
                    auto n = domain::nearest(item, kinds);
                    bad("on",
                        *v,
                        "\"" + item + "\" is not a trigger (start, image-change, stop)",
                        n ? "did you mean " + *n + "?" : "");
                } else {
                    t.triggers.push_back(item);
                }
            }
        }
        if (auto v = get("min-interval")) {
            auto d = domain::parse_duration(*v);
            if (!d) {
                bad("min-interval", *v, d.error);
            } else {
                t.min_interval = *d;
            }
        }
        // Deadlines: a label may shorten them, and lengthen them only up to the operator's
        // security.max_label_timeout (a tenant cannot hold a worker or the repository longer).
        t.timeout = config_.defaults.timeout;
        t.idle_timeout = config_.defaults.idle_timeout;
        t.drill_timeout = config_.defaults.drill_timeout;
        limit("timeout", t.timeout);
        limit("idle-timeout", t.idle_timeout);
        limit("drill-timeout", t.drill_timeout);
        limit("hooks.timeout", t.hook_timeout);
        t.anomaly = config_.defaults.anomaly;
        if (auto v = get("anomaly")) {
            auto a = domain::parse_anomaly_policy(*v);
            if (!a) {
                bad("anomaly", *v, a.error);
            } else {
                t.anomaly = *a;
            }
        }
        t.retention = config_.defaults.retention;
        if (auto v = get("retention")) {
            auto r = domain::parse_retention(*v);
            if (!r) {
                bad("retention", *v, r.error);
            } else {
                t.retention = *r;
            }
        }

        // references into the operator's config
        t.repository = reference("repository",
                                 config_.defaults.repository,
                                 names_of(config_.repositories),
                                 "repositories",
                                 config_.security.labels_may_use.repositories);
        t.encrypt = config_.defaults.encrypt;
        if (auto v = get("encrypt")) {
            if (*v == "none" && config_.security.require_encryption) {
                bad("encrypt",
                    *v,
                    "is refused: the operator's config requires encryption "
                    "(security.require_encryption)",
                    "remove the label to use defaults.encrypt, or name a key of the config");
            } else if (*v != "none" && !config_.keys.contains(*v)) {
                auto known = names_of(config_.keys);
                auto n = domain::nearest(*v, known);
                bad("encrypt",
                    *v,
                    "names no key of the operator's config (keys: " + join(known) + "; or none)",
                    n ? "did you mean " + *n + "?" : "");
            }
            t.encrypt = *v;
        }
        t.notify = config_.defaults.notify;
        if (auto v = get("notify")) {
            t.notify.clear();
            auto known = names_of(config_.notifiers);
            for (const auto& item : split_list(*v)) {
                if (!config_.notifiers.contains(item)) {
                    auto n = domain::nearest(item, known);
                    bad("notify",
                        *v,
                        "\"" + item + "\" names no notifier of the operator's config (notifiers: " +
                            join(known) + ")",
                        n ? "did you mean " + *n + "?" : "");
                } else if (!reachable(item,
                                      config_.security.labels_may_use.notifiers,
                                      config_.defaults.notify)) {
                    beyond_reach("notify", *v, item, "notifiers");
                } else {
                    t.notify.push_back(item);
                }
            }
        }
        t.monitor = config_.defaults.monitor;
        if (auto v = get("monitor")) {
            t.monitor = reference("monitor",
                                  config_.defaults.monitor,
                                  names_of(config_.monitors),
                                  "monitors",
                                  config_.security.labels_may_use.monitors);
        }

        // hooks
        t.pre_hook = hook("hooks.pre");
        t.post_hook = hook("hooks.post");
    }

    std::string default_network() const {
        if (facts_.network_mode == "host") {
            return "host";
        }
        std::vector<std::string> user;
        for (const auto& n : facts_.networks) {
            if (n != "bridge" && n != "host" && n != "none") {
                user.push_back(n);
            }
        }
        std::sort(user.begin(), user.end());
        if (!user.empty()) {
            return user.front();
        }
        return facts_.networks.empty() ? std::string{} : facts_.networks.front();
    }

    // A file kind (sqlite): the files' paths inside the container, copied by the operator's
    // helper image (defaults.client_images.<kind>), never an image a label names unless the
    // operator's security.dump_images allows it.
    void file_kind(domain::DatabaseSpec& db) {
        const std::string kind(db.kind->name());
        if (labels_->contains("db.name")) {
            bad("db.name",
                *get("db.name"),
                "is for servers: " + kind + " files are named by db.path");
        }
        auto v = get("db.path");
        if (!v) {
            bad("db.path",
                "",
                "is needed: a " + kind + " target names its database files",
                "e.g. backupctl.db.path=/data/db.sqlite3 (several: a comma-separated list)");
            return;
        }
        db.names = split_list(*v);
        if (db.names.empty())
            bad("db.path", *v, "names no file");
        for (const auto& path : db.names) {
            const bool dotted = path.find("/../") != std::string::npos ||
                                path.find("/./") != std::string::npos || path.ends_with("/..") ||
                                path.ends_with("/.");
            if (!path.starts_with('/') || path.size() < 2 || path.ends_with('/') || dotted) {
                bad("db.path",
                    *v,
                    "\"" + path + "\" is not an absolute path of a file (no . or .. parts)");
            }
        }
        if (db.dump_image.empty()) {
            auto it = config_.defaults.client_images.find(kind);
            if (it == config_.defaults.client_images.end() || it->second.empty()) {
                bad("db.type",
                    kind,
                    "needs the operator's helper image for " + kind + " files",
                    "set defaults.client_images." + kind +
                        " in the operator's config (docs/backups.md names what it needs)");
            } else {
                db.dump_image = it->second;
            }
        }
    }

    void check_dump_image(const std::string& image) {
        for (const auto& pattern : config_.security.dump_images) {
            if (glob_match(pattern, image)) {
                return;
            }
        }
        bad("db.image",
            image,
            config_.security.dump_images.empty()
                ? "images from labels are refused unless the operator's config allows them"
                : "matches none of the operator's allowed dump images",
            "add a matching pattern to security.dump_images in the operator's config");
    }

    void check_volumes(const std::string& value) {
        auto& t = target_;
        if (value == "*") {
            t.volumes = {"*"};
            if (facts_.mounts.empty()) {
                bad("volumes", value, "this container has no mounts");
            }
            return;
        }
        std::vector<std::string_view> known;
        for (const auto& m : facts_.mounts) {
            if (!m.name.empty()) {
                known.push_back(m.name);
            }
            known.push_back(m.destination);
        }
        for (const auto& item : split_list(value)) {
            if (std::find(known.begin(), known.end(), item) == known.end()) {
                auto n = domain::nearest(item, known);
                bad("volumes",
                    value,
                    "\"" + item +
                        "\" is neither a volume nor a mount path of this container "
                        "(it has: " +
                        join(known) + ")",
                    n ? "did you mean " + *n + "?" : "");
            } else {
                t.volumes.push_back(item);
            }
        }
    }

    // A duration label that sets `into`: more than 0, at most security.max_label_timeout.
    void limit(std::string_view key, std::chrono::seconds& into) {
        auto v = get(key);
        if (!v) {
            return;
        }
        auto d = domain::parse_duration(*v);
        if (!d) {
            bad(key, *v, d.error);
        } else if (d->count() <= 0) {
            bad(key, *v, "must be more than 0");
        } else if (*d > config_.security.max_label_timeout) {
            bad(key,
                *v,
                "is longer than the operator allows labels to ask for "
                "(security.max_label_timeout " +
                    domain::format_duration(config_.security.max_label_timeout) + ")",
                "ask the operator to raise security.max_label_timeout, or back it up from the "
                "operator's config");
        } else {
            into = *d;
        }
    }

    std::string cron_or(std::string_view key, const std::string& fallback) {
        if (auto v = get(key)) {
            auto c = domain::parse_cron(*v);
            if (!c) {
                bad(key, *v, "is not a schedule: " + c.error);
            }
            return *v;
        }
        return fallback;
    }

    std::string reference(std::string_view key,
                          const std::string& fallback,
                          const std::vector<std::string_view>& known,
                          const char* section,
                          const std::vector<std::string>& allowed) {
        auto v = get(key);
        if (!v) {
            return fallback;
        }
        if (std::find(known.begin(), known.end(), *v) == known.end()) {
            auto n = domain::nearest(*v, known);
            bad(key,
                *v,
                "names no entry of the operator's config section " + std::string(section) + " (" +
                    join(known) + ")",
                n ? "did you mean " + *n + "?" : "");
        } else if (!reachable(*v, allowed, {fallback})) {
            beyond_reach(key, *v, *v, section);
        }
        return *v;
    }

    // Whether a label may name `name`: allowed by the operator, or what the target gets anyway.
    static bool reachable(const std::string& name,
                          const std::vector<std::string>& allowed,
                          const std::vector<std::string>& defaults) {
        if (std::find(defaults.begin(), defaults.end(), name) != defaults.end()) {
            return true;
        }
        return std::any_of(allowed.begin(), allowed.end(), [&name](const std::string& p) {
            return glob_match(p, name);
        });
    }

    void beyond_reach(std::string_view key,
                      const std::string& value,
                      const std::string& name,
                      const char* section) {
        bad(key,
            value,
            "\"" + name + "\" is not one of the " + section +
                " labels may name (security.labels_may_use." + section + ")",
            "the operator adds it to security.labels_may_use." + std::string(section) +
                " if this container may use it");
    }

    std::vector<std::string> hook(std::string_view key) {
        auto v = get(key);
        if (!v) {
            return {};
        }
        if (!config_.security.allow_label_hooks) {
            bad(key,
                *v,
                "hooks from labels are refused unless the operator's config sets "
                "security.allow_label_hooks",
                "move the command into the operator's config, or allow label hooks there");
            return {};
        }
        auto argv = split_command(*v);
        if (!argv || argv->empty()) {
            bad(key, *v, argv ? "is empty" : "has an unclosed quote");
            return {};
        }
        return *argv;
    }

    LabelOutcome& finish(LabelOutcome& out) {
        out.problems = problems_;
        if (!problems_.empty()) {
            out.disposition = Disposition::invalid;
        } else {
            out.disposition = Disposition::target;
            out.target = target_;
        }
        return out;
    }
};

}  // namespace

std::optional<std::string> own_container(const std::map<std::string, std::string>& labels) {
    auto value = [&labels](std::string_view key) {
        auto it = labels.find(std::string(key));
        return it == labels.end() ? std::string{} : it->second;
    };
    const auto target = domain::escape_unprintable(value(kForTargetLabel));
    if (value(kEphemeralLabel) == "true" && !value(kInstanceLabel).empty() && !target.empty()) {
        const auto run = domain::escape_unprintable(value(kRunLabel));
        return "backupctl's own container for target " + target +
               (run.empty() ? std::string{} : ", run " + run);
    }
    if (const auto from = value(kRestoredFromLabel); !from.empty()) {
        return "a copy restored from target " + domain::escape_unprintable(from) +
               " by backupctl restore --new-container";
    }
    return std::nullopt;
}

bool mentions_backupctl(const std::map<std::string, std::string>& labels) {
    for (const auto& [key, value] : labels) {
        if (key.starts_with(kPrefix) || near_miss(key)) {
            return true;
        }
    }
    return false;
}

LabelOutcome parse_labels(const ContainerFacts& facts, const domain::OperatorConfig& config) {
    return Parser(facts, config).run();
}

std::optional<std::vector<std::string>> split_command(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
                word += text[++i];
            } else {
                word += c;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < text.size()) {
            word += text[++i];
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            if (in_word) {
                out.push_back(word);
                word.clear();
                in_word = false;
            }
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote != 0) {
        return std::nullopt;
    }
    if (in_word) {
        out.push_back(word);
    }
    return out;
}

bool glob_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

}  // namespace bk::labels
