#pragma once
// One run of one target: lock, audit row, for each database a dump streamed into a snapshot that
// is committed only when the dump exited 0 and its completion marker was seen, retention only
// after a fully successful run, audit, unlock.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/run_status.hpp"

namespace bk::app {

struct ItemReport {
    std::string database;
    domain::StepOutcome outcome{domain::StepOutcome::failed};  ///< ok | failed
    std::string snapshot_id;
    std::uint64_t bytes{0};
    std::string error;
};

struct RunReport {
    std::string run_id;
    std::string target;
    domain::RunStatus status{domain::RunStatus::running};  ///< success | failed | partial | skipped
    std::vector<ItemReport> items;
    std::string error;
    std::string
        stage;  ///< where it failed: "dump shop", "files /srv", "pre-hook", "retention", ...
    std::string trigger;
    std::string finished_at;          ///< ISO 8601 UTC
    std::int64_t snapshots_kept{-1};  ///< the target's snapshots after retention; -1 unknown
    domain::RetentionOutcome retention{domain::RetentionOutcome::not_run};
    std::string retention_detail;
    double seconds{0};
};

/// Told about each run while the runner holds the target's lock (notifications, monitors).
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual Task<void> started(const domain::Target& target, const std::string& run_id) = 0;
    virtual Task<void> finished(const domain::Target& target,
                                const RunReport& report,
                                const std::string& trigger) = 0;
};

/// What a run in flight is streaming now (a progress line, the dashboard's progress bars).
struct Progress {
    std::string item;        ///< "shop" or "files:/srv/uploads"; empty between items
    std::uint64_t bytes{0};  ///< of the item
    std::string target;
    std::uint64_t run_bytes{0};  ///< of the whole run so far
    std::chrono::steady_clock::time_point item_since{};
    std::chrono::steady_clock::time_point run_since{};
};

/// "shop: 1.2 GiB at 95.3 MiB/s" for a progress line.
std::string format_progress(const Progress& p, double seconds);

/// Finds the repository a target names (prepared on first use).
/// Ends a run that ended abnormally (an exception): its record, if it is still `running`, becomes
/// `record` (status, error, finished_at); a run that has no record yet gets one.
void close_run_record(domain::AuditLog& audit, domain::RunRecord record);

using RepositoryLookup = std::function<Task<Result<domain::BackupRepository*>>(std::string)>;

/// `forget` of `group` in `repository` (already looked up as `repo`) with `keep`: through its
/// maintenance credentials (`<name>@maintenance`) when it is append-only and has them, else
/// through `repo`. The caller has already left an append-only repository without them alone.
Task<Result<std::int64_t>> forget_in(const RepositoryLookup& repositories,
                                     const domain::OperatorConfig& config,
                                     std::string repository,
                                     domain::BackupRepository& repo,
                                     std::vector<std::string> group,
                                     domain::Retention keep);

class SnapshotCopier;

class BackupRunner {
public:
    /// Config projects (the original's `projects:`) are resolved at every run, run their hooks
    /// with `project_hooks` in the operator's container, joined to the project's network.
    struct ProjectPorts {
        domain::TargetResolver& resolver;
        domain::NetworkAttachment& networks;
        domain::HookRunner& hooks;
    };

    BackupRunner(const domain::OperatorConfig& config,
                 domain::DatabaseDumper& dumper,
                 domain::FileArchiver& files,
                 domain::HookRunner& hooks,
                 ProjectPorts projects,
                 RepositoryLookup repositories,
                 domain::AuditLog& audit,
                 domain::TargetLocks& locks,
                 std::string instance_id)
        : config_(config),
          dumper_(dumper),
          files_(files),
          hooks_(hooks),
          projects_(projects),
          repositories_(std::move(repositories)),
          audit_(audit),
          locks_(locks),
          instance_id_(std::move(instance_id)) {}

    /// `run_id` empty: a new one.
    Task<RunReport> run(domain::Target target, std::string trigger, std::string run_id = {});
    /// Tells `observer` about every run from now on (nullptr: nobody).
    void observe(RunObserver* observer) { observer_ = observer; }
    /// Copies what a run stored to its repository's copy_to (nullptr: no copies).
    void copy_with(SnapshotCopier* copier) { copier_ = copier; }
    /// Cuts the runs in flight short: their streams are cancelled now (through the stream
    /// operations' cancellation slots, woken by the cut: StreamLimits::cut), nothing is
    /// committed, and they end `failed` with `reason`. For shutdown.
    void interrupt(std::string reason) { cut_->request(std::move(reason)); }
    /// The latest run's progress (one run at a time: the CLI's view).
    [[nodiscard]] Progress progress() const {
        auto it = live_.find(latest_);
        return it == live_.end() ? Progress{} : it->second;
    }
    /// Whether the target's lock is free now (else `holder` says who has it).
    bool lockable(const std::string& target, std::string& holder);
    /// Every run in flight, by run id.
    [[nodiscard]] const std::map<std::string, Progress>& live() const { return live_; }

private:
    /// The run once the lock is held.
    /// The run threw: it ends failed with the reason, in the report and in the audit store.
    void fail_internally(RunReport& report, const std::string& what);
    Task<void> locked_run(const domain::Target& target,
                          const std::string& trigger,
                          RunReport& report);
    /// Commits the writer's snapshot when its source completed, else aborts it (no snapshot).
    static Task<void> settle(domain::SnapshotWriter& writer,
                             bool source_ok,
                             std::string error,
                             ItemReport& report);
    /// Finishes and records the audit step of one database or path.
    void record_item(domain::StepRecord step, const ItemReport& item);
    /// Runs a hook and records its step; empty when it succeeded, else why not.
    Task<std::string> hook(const domain::Target& target,
                           const std::string& name,
                           std::vector<std::string> argv,
                           const std::string& run_id);
    Task<void> back_up_files(const domain::Target& target,
                             domain::BackupRepository& repo,
                             const std::string& run_id,
                             std::vector<ItemReport>& items,
                             bool pre_restore,
                             domain::StreamLimits limits);
    /// A config project's asset paths, with restic's own file backup.
    Task<void> back_up_paths(const domain::Target& target,
                             domain::BackupRepository& repo,
                             const std::string& run_id,
                             std::vector<ItemReport>& items,
                             bool pre_restore,
                             domain::StreamLimits limits);
    /// Joins the operator's container to a project's network for its hooks (journalled first,
    /// so that recovery leaves it after a crash). The effect to settle; empty ref: nothing joined.
    Task<Result<domain::EffectRecord>> join_network(const domain::Target& target,
                                                    const std::string& run_id);
    Task<void> leave_network(domain::EffectRecord joined, const std::string& run_id);

    const domain::OperatorConfig& config_;
    domain::DatabaseDumper& dumper_;
    domain::FileArchiver& files_;
    domain::HookRunner& hooks_;
    ProjectPorts projects_;
    RepositoryLookup repositories_;
    domain::AuditLog& audit_;
    domain::TargetLocks& locks_;
    std::string instance_id_;
    std::shared_ptr<Cutoff> cut_ = std::make_shared<Cutoff>();
    std::map<std::string, Progress> live_;
    std::string latest_;
    SnapshotCopier* copier_{nullptr};
    RunObserver* observer_{nullptr};
};

/// A sortable, unique run id: 20261126T163000Z-1a2b3c.
std::string new_run_id();

}  // namespace bk::app
