#pragma once
// A target: one thing to back up (a database in a container, some volumes or paths, or both),
// from labels or from a `projects:` entry. Its name is stable across container recreation.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/anomaly.hpp"
#include "domain/database_kind.hpp"
#include "domain/retention.hpp"
#include "domain/secret.hpp"

namespace bk::domain {

enum class Origin { labels, config };

struct DatabaseSpec {
    /// Its kind (never null in a target: labels and config refuse an unknown one).
    std::shared_ptr<const DatabaseKind> kind;
    /// Its name ("postgres"), empty when no kind is set.
    [[nodiscard]] std::string kind_name() const;
    /// The kind is `name` (canonical).
    [[nodiscard]] bool is(std::string_view name) const;
    std::vector<std::string> names;  ///< empty: all databases; file kinds: the files' paths
    std::string user;
    std::string password_env;  ///< labels: the NAME of the target's env var holding the password
    std::string dump_image;    ///< empty: the target's own image
    // config projects name the server directly
    std::string
        host;     ///< a container (name, compose service, network alias) or a host outside Docker
    int port{0};  ///< 0: the client's default
    bool has_password{false};  ///< config: a password (or password_file) was given; never the value
    Secret password;           ///< config projects only: the credentials come from the config
};

struct Trigger {
    enum class Kind { start, image_change, stop };
    Kind kind;
};

inline constexpr std::chrono::seconds kDefaultTimeout{6 * 3600};
inline constexpr std::chrono::seconds kDefaultIdleTimeout{10 * 60};
inline constexpr std::chrono::seconds kDefaultDrillTimeout{2 * 3600};

struct Target {
    std::string name;
    Origin source{Origin::labels};
    std::string scope;

    // Where it runs (labels).
    std::string container_id;
    std::string container_name;
    std::string compose_project;
    std::string compose_service;
    std::string image;
    std::string network;
    /// The container's state when discovery listed it (labels): running, exited, created, ...
    std::string container_state;
    /// When a container that is not running stopped (the engine's State.FinishedAt, UTC, to the
    /// second); empty when unknown.
    std::string stopped_since;

    std::optional<DatabaseSpec> database;
    std::vector<std::string> volumes;  ///< volume names or mount paths; "*" = every mount
    /// Config projects (`assets.paths`): paths on the operator's own filesystem, backed up with
    /// restic's file backup (dedup per file, one file restorable).
    std::vector<std::string> paths;
    bool stop_during_backup{false};

    std::string cron;
    std::string verify_cron;
    std::vector<std::string> triggers;  ///< start, image-change, stop
    std::chrono::seconds min_interval{3600};
    Retention retention;
    /// When a stored run is suspect against the target's history (docs/anomalies.md).
    AnomalyPolicy anomaly;
    std::string repository;
    std::string encrypt;  ///< a key name from the config, or "none"
    std::vector<std::string> notify;
    std::string monitor;
    /// Labels: argv run inside the target with exec (no shell). Config projects: the operator's own
    /// command line, run in the operator's container through /bin/sh -c (as the original did).
    std::vector<std::string> pre_hook;
    std::vector<std::string> post_hook;
    std::chrono::seconds hook_timeout{60};
    /// Config projects: operator environment variables the hooks get besides the minimal ones.
    std::vector<std::string> hook_env;
    /// How long a run may take, first step to last: past it the dump container is killed,
    /// nothing more is committed, retention does not run, and the run fails "timed out after".
    std::chrono::seconds timeout{kDefaultTimeout};
    /// A dump that sends no byte (or a restore client that takes none) for this long fails.
    std::chrono::seconds idle_timeout{kDefaultIdleTimeout};
    /// How long a restore drill may take.
    std::chrono::seconds drill_timeout{kDefaultDrillTimeout};
    bool enabled{true};

    /// Its container exists but does not run (exited, created, dead): scheduled and catch-up
    /// backups wait until it runs again. Config projects and running containers are never stopped.
    [[nodiscard]] bool stopped() const;
};

}  // namespace bk::domain
