#pragma once
// The operator's checks: `backupctl health` (is this operator able to back up?) and
// `backupctl run --dry-run` (would this target's backup work now?). One service over ports, so
// that the two ask each question the same way (one disk floor, one repository check, one key
// check).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "application/registry.hpp"
#include "domain/copy_plan.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/checks.hpp"
#include "domain/schedule.hpp"
#include "domain/target.hpp"

namespace bk::app {

/// One line of `health` or of `run --dry-run`.
struct Check {
    std::string name;
    std::string problem;  ///< empty: ok
    std::string detail;
    bool warning{false};  ///< a problem that does not make the operator unhealthy (exit 0)
};

/// The free space `state_dir` must have, for health and dry runs alike: restic's cache (the
/// repository's index and tree packs, which grow with the repository) and its temporary pack
/// files live there, beside the audit store and the outbox. A full disk fails a backup half way.
constexpr std::uint64_t kMinFreeBytes = 1ULL << 30;

/// What the checks know of the audit trail beyond its port: the store and its fallback file.
struct AuditState {
    std::string store_error;  ///< why the store is not open (empty: it is)
    int pending{0};           ///< records waiting in the fallback file
    std::string fallback_path;
};

/// What the checks run over; a port left null is a check that cannot run (said, not skipped).
struct CheckPorts {
    domain::HostProbe* host{nullptr};
    domain::KeyInspector* keys{nullptr};
    domain::EngineProbe* engine{nullptr};  ///< null: the engine address is invalid
    std::string engine_problem;            ///< why there is no engine
    Registry* registry{nullptr};
    domain::AuditLog* audit{nullptr};
    AuditState audit_state;
    domain::AlertStore* outbox{nullptr};
    std::string outbox_path;
    std::vector<std::string> alerting_problems;  ///< notifiers or monitors that could not be built
    RepositoryLookup repository;
    domain::TargetResolver* resolver{nullptr};
    domain::DatabaseDumper* dumper{nullptr};
    std::optional<domain::UtcOffset> zone;
    std::int64_t built_at{0};  ///< a clock before this is wrong
    /// The second copies' lags (copy_to); unset: no copy check.
    std::function<Result<std::vector<domain::CopyLag>>()> copy_lags;
};

/// A repository's rotating check for `health`: its last check failed is a problem (prune and
/// forget refuse it); never checked or no check within twice its check_cron's interval, a
/// warning.
Check repository_check_state(domain::AuditLog& audit,
                             const std::string& name,
                             const domain::RepositoryConfig& repo,
                             std::int64_t now,
                             const std::optional<domain::UtcOffset>& zone);

class Checks {
public:
    Checks(const domain::OperatorConfig& config, CheckPorts ports);

    /// Config, engine, audit store, fallback file, outbox, alerting, disk, clock; unless `quick`,
    /// the gpg keys, the targets (failing, stopped, overdue) and every repository.
    Task<std::vector<Check>> health(bool quick);

    /// Whether a backup of `target` would work now: its repository, key, database (resolved and
    /// probed from a dump container), paths, container and dump image, and the disk. Backs up
    /// nothing.
    Task<std::vector<Check>> dry_run(domain::Target target);

    /// The free space under `state_dir` against kMinFreeBytes.
    Check disk_space();

private:
    Task<Check> repository(std::string name);

    const domain::OperatorConfig& config_;
    CheckPorts ports_;
};

}  // namespace bk::app
