#pragma once
// Restore and the restore drill (verify). A restore into a live server reads the snapshot twice:
// first to the end to check it (gpg authenticates only at the end, a dump's completion marker is
// its last line), then to load it; into a new server it reads once and the load is aborted (a
// psql load is rolled back before its COMMIT) when the check at the end fails.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "core/task.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/restore_ports.hpp"
#include "domain/restore_plan.hpp"
#include "domain/run_status.hpp"

namespace bk::app {

struct RestoreRequest {
    domain::SnapshotChoice choice;
    std::string into_container;  ///< another container of the same kind, by name
    bool new_container{false};   ///< a new server of the target's image on its network
    std::string files_to;        ///< files go into this directory instead of the target
    std::string path;            ///< config projects: only this file or directory of the paths
    bool safety_backup{true};    ///< back the target up before restoring into it
};

struct RestoreItem {
    std::string kind;  ///< db | files
    std::string name;
    std::string snapshot;
    domain::StepOutcome outcome{domain::StepOutcome::failed};  ///< ok | failed
    std::uint64_t bytes{0};
    double seconds{0};
    std::string error;
};

struct RestoreReport {
    std::string run_id;
    std::string target;
    domain::RunStatus status{domain::RunStatus::running};  ///< success | failed | partial
    std::string error;
    std::string safety_snapshot_run;    ///< the pre-restore backup's run
    std::string new_container;          ///< the server --new-container made
    std::string new_container_network;  ///< the network it was started on
    std::vector<RestoreItem> items;
    double seconds{0};
};

struct DrillCheck {
    std::string name;
    domain::StepOutcome outcome{domain::StepOutcome::ok};
    std::string detail;
};

struct VerifyReport {
    std::string run_id;
    std::string target;
    domain::DrillResult status{domain::DrillResult::failed};
    std::string error;
    std::vector<RestoreItem> items;
    std::vector<DrillCheck> checks;
    double rto_seconds{0};  ///< the restore itself, server start excluded
    double seconds{0};
};

/// The detail of a restore's "new container" step: the copy's name and short id, as
/// `restore --cleanup` checks them.
std::string new_container_detail(const std::string& name, const std::string& container_id);

/// What an empty drill says: "the database had no tables or rows: the drill proves nothing
/// (app (no rows))"; `databases` are "name (no tables)" or "name (no rows)".
std::string empty_drill_message(const std::vector<std::string>& databases);

/// Whether a restore writes into a server that is already there (and so needs confirmation).
bool restores_into_live(const RestoreRequest& request,
                        const std::vector<domain::RestorePoint>& points);

class RestoreService {
public:
    RestoreService(const domain::OperatorConfig& config,
                   RepositoryLookup repositories,
                   domain::DatabaseRestorer& restorer,
                   domain::TargetResolver& resolver,
                   domain::LocalFiles& local,
                   domain::AuditLog& audit,
                   domain::TargetLocks& locks,
                   BackupRunner& runner,
                   std::string instance_id)
        : config_(config),
          repositories_(std::move(repositories)),
          restorer_(restorer),
          resolver_(resolver),
          local_(local),
          audit_(audit),
          locks_(locks),
          runner_(runner),
          instance_id_(std::move(instance_id)) {}

    /// The snapshots a request would restore (nothing is changed).
    Task<Result<std::vector<domain::RestorePoint>>> plan(const domain::Target& target,
                                                         domain::SnapshotChoice choice);
    Task<RestoreReport> restore(domain::Target target, RestoreRequest request, std::string trigger);
    Task<VerifyReport> verify(domain::Target target,
                              domain::SnapshotChoice choice,
                              std::string trigger,
                              std::string run_id = {});

private:
    Task<RestoreReport> restore_unguarded(domain::Target target,
                                          RestoreRequest request,
                                          std::string trigger,
                                          std::string run_id);
    Task<VerifyReport> verify_unguarded(domain::Target target,
                                        domain::SnapshotChoice choice,
                                        std::string trigger,
                                        std::string run_id);
    /// Reads a snapshot to its end through the census: whether it is whole and authentic.
    Task<Result<void>> check(domain::BackupRepository& repo,
                             const domain::RestorePoint& p,
                             const domain::Target& target,
                             std::uint64_t& bytes);
    /// Streams a snapshot into `load`; commits only when the stream was whole and authentic,
    /// and before `deadline` (past it the load is aborted: `timed_out` says why).
    Task<Result<void>> stream(domain::BackupRepository& repo,
                              const domain::RestorePoint& p,
                              const domain::Target& target,
                              domain::RestoreLoad& load,
                              std::uint64_t& bytes,
                              std::chrono::steady_clock::time_point deadline =
                                  std::chrono::steady_clock::time_point::max(),
                              std::string timed_out = {});
    /// A restore or drill that threw: its record ends failed; the error text.
    std::string close_failed(const std::string& run_id,
                             const std::string& kind,
                             const std::string& target,
                             const std::string& trigger,
                             const std::string& internal);
    Result<domain::ReadSpec> read_spec(const domain::RestorePoint& p) const;
    domain::RunRecord new_record(const std::string& id,
                                 const std::string& kind,
                                 const std::string& target,
                                 const std::string& trigger) const;

    const domain::OperatorConfig& config_;
    RepositoryLookup repositories_;
    domain::DatabaseRestorer& restorer_;
    domain::TargetResolver& resolver_;
    domain::LocalFiles& local_;
    domain::AuditLog& audit_;
    domain::TargetLocks& locks_;
    BackupRunner& runner_;
    std::string instance_id_;
};

}  // namespace bk::app
