#pragma once
// The operator's configuration as plain values: what the YAML file (or the embedded default)
// says, after ${VAR} substitution and *_file reading. Problems are kept, with where they are.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/anomaly.hpp"
#include "domain/ports/logger.hpp"
#include "domain/repository_location.hpp"
#include "domain/retention.hpp"
#include "domain/secret.hpp"
#include "domain/target.hpp"

namespace bk::domain {

// Fields grouped by meaning (a handful per config, never on a data path): not packed.
struct RepositoryConfig {  // NOLINT(clang-analyzer-optin.performance.Padding)
    std::string url;       ///< a restic repository: a path, sftp:, s3:, rest:, ...
    Secret password;
    bool init{false};                   ///< initialise on first use
    std::map<std::string, Secret> env;  ///< backend credentials (AWS_*, B2_*, ...)
    bool has_ssh{false};                ///< an `ssh:` block was given (sftp: URLs)
    SshConfig ssh;
    std::string cacert;  ///< restic --cacert: the CA of a server with a private certificate
    /// The server refuses deletes (rest-server/rclone --append-only): retention and prune are
    /// the server owner's job, never run from here.
    bool append_only{false};
    /// When to run the next `restic check --read-data-subset=k/N` ("off": never).
    std::string check_cron{"@weekly"};
    /// N: the data is read in this many subsets, one per check (1: all of it every check).
    int check_subsets{8};
    /// A second copy (3-2-1): after each run that stored snapshots here they are copied to this
    /// other repository (`restic copy`) and the target's retention is applied there too.
    std::string copy_to;
    /// A snapshot not yet copied after this long: a `copy_overdue` alert (once per episode).
    std::chrono::seconds copy_overdue{24 * 3600};
    /// An append-only repository's `maintenance:` block: credentials that may delete (another
    /// endpoint to the same storage, e.g. a rest-server without --append-only). With them,
    /// retention and prune run here through them; without, they are delegated.
    bool has_maintenance{false};
    std::string maintenance_url;
    Secret maintenance_password;  ///< empty: the repository's own password
    std::map<std::string, Secret> maintenance_env;
    /// `backupctl prune`: the policy applied to every snapshot group before the prune (a host
    /// without the targets' labels); none: prune only.
    std::optional<Retention> maintenance_retention;
};

struct KeyConfig {
    std::string recipient;         ///< informational (e-mail or fingerprint)
    std::string public_key_file;   ///< encrypts (gpg --recipient-file)
    std::string private_key_file;  ///< decrypts (restore)
    std::string passphrase_file;
    /// Set when `recipient` alone names the key (the original backupctl's way): bootstrap looks it
    /// up among the key files of this directory (GPG_KEYS_DIR) and fills the two files.
    std::string keys_dir;
};

struct NotifierConfig {
    std::string type;  ///< slack | webhook | email
    std::map<std::string, std::string> settings;
    std::map<std::string, Secret> secrets;
    std::vector<std::string> events;
};

struct MonitorConfig {
    std::string type;  ///< uptime-kuma | healthchecks
    std::map<std::string, std::string> settings;
    std::map<std::string, Secret> secrets;
};

struct Defaults {
    std::string cron{"0 3 * * *"};
    Retention retention{.last = 3, .daily = 7, .weekly = 4, .monthly = 6};
    std::string repository{"default"};
    std::string encrypt{"none"};
    std::vector<std::string> notify;
    std::string monitor;
    std::string verify_cron{"@weekly"};
    std::string catch_up{"once"};
    std::chrono::seconds timeout{kDefaultTimeout};             ///< a whole run
    std::chrono::seconds idle_timeout{kDefaultIdleTimeout};    ///< no byte on a stream
    std::chrono::seconds drill_timeout{kDefaultDrillTimeout};  ///< a whole restore drill
    /// A drill whose database held no table or no row: warn (it ends passed-empty) or fail.
    std::string drill_empty{"warn"};
    /// When a run is suspect against its target's history (`backupctl.anomaly` overrides it).
    AnomalyPolicy anomaly;
    /// Config projects whose database is outside Docker: the client image per type (postgres,
    /// mysql, mariadb, mongodb); each must match security.dump_images.
    std::map<std::string, std::string> client_images;
};

/// Which entries of the operator's config a label may name (glob patterns, "*" = any). A label
/// may always name what the target gets without it (defaults.repository, defaults.notify,
/// defaults.monitor).
struct LabelReach {
    std::vector<std::string> repositories{"*"};
    std::vector<std::string> notifiers{"*"};
    /// None by default: a monitor is one target's dead man's switch, and another target's
    /// successes must not keep it green.
    std::vector<std::string> monitors;
};

struct SecurityConfig {
    bool allow_label_hooks{false};
    std::vector<std::string> dump_images;  ///< glob patterns an image override must match
    LabelReach labels_may_use;
    /// Every target is encrypted: `backupctl.encrypt: none`, a project without encryption and
    /// `defaults.encrypt: none` are errors.
    bool require_encryption{false};
    /// The longest `timeout`, `idle-timeout`, `drill-timeout` or `hooks.timeout` a label may
    /// ask for: a tenant cannot hold a worker longer than the operator allows.
    std::chrono::seconds max_label_timeout{24 * 3600};
};

struct DaemonConfig {
    int concurrency{2};                     ///< runs at once
    std::chrono::seconds grace_period{60};  ///< SIGTERM: how long in-flight runs may finish
    std::chrono::seconds event_delay{15};   ///< a (re)started container settles this long
    std::chrono::seconds resync{300};       ///< full re-list even when events flow
    std::string heartbeat;                  ///< a monitor told "alive" while the daemon runs
    std::chrono::seconds heartbeat_interval{60};
    std::string summary_cron{"0 8 * * *"};  ///< the daily summary (notifiers with `summary`)
};

/// `log:` the daemon's and the diagnostics' lines on stderr (`-v`/`-vv` on the command line can
/// only make them more verbose).
struct LogConfig {
    LogLevel level{LogLevel::info};
    LogFormat format{LogFormat::text};
};

struct HttpConfig {
    std::string listen{"127.0.0.1:8080"};
    std::string token_file;
    int max_connections{128};   ///< open at once; over it the oldest one still idle is closed
    int max_event_streams{16};  ///< of those, /api/v1/events streams; over it: 503
};

/// A problem in the config, with where it is.
struct ConfigProblem {
    std::string file;
    int line{0};       ///< 1-based; 0 when unknown
    int column{0};     ///< 1-based
    std::string path;  ///< e.g. "projects[0].database.password"
    std::string message;
    std::string project;  ///< set when the problem disabled only this project

    [[nodiscard]] std::string describe() const;
};

struct OperatorConfig {
    std::string file;  ///< where it was read from; "(built-in default)" otherwise
    std::string scope;
    std::string timezone{"UTC"};
    std::string docker_host;
    std::string state_dir{"/var/lib/backupctl"};
    Defaults defaults;
    std::map<std::string, RepositoryConfig> repositories;
    std::map<std::string, KeyConfig> keys;
    std::map<std::string, NotifierConfig> notifiers;
    std::map<std::string, MonitorConfig> monitors;
    HttpConfig http;
    LogConfig log;
    DaemonConfig daemon;
    SecurityConfig security;
    std::vector<Target> projects;  ///< from `projects:`, source = config
    /// The database kinds of this build (bootstrap registers them; labels and the config take
    /// their names from here). Null: none known, every database is refused.
    std::shared_ptr<const DatabaseKinds> database_kinds;
    std::vector<ConfigProblem> problems;
    /// Said by `validate` and `config show`, but nothing is refused for them (e.g. a variable of
    /// the original backupctl that has no effect here).
    std::vector<ConfigProblem> warnings;
    /// Where a value came from when not from the file itself, by its path in `config show`
    /// ("/timezone" -> "env TIMEZONE", "/projects/myapp/encrypt" -> "env ENCRYPTION_ENABLED").
    std::map<std::string, std::string> origins;

    [[nodiscard]] bool has_fatal_problems() const;
};

}  // namespace bk::domain
