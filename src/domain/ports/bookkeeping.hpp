#pragma once
// Ports of the run's bookkeeping: the audit trail and the per-target lock.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/anomaly.hpp"
#include "domain/provenance.hpp"
#include "domain/repository_check.hpp"
#include "domain/run_status.hpp"

namespace bk::domain {

/// The trigger of the backup a restore makes of its target first (its snapshots carry the tag
/// `pre-restore`). Such a run is a safety copy, never "the last backup": it counts for no
/// last-success, last-backup, overdue, catch-up or size figure.
inline constexpr const char* kSafetyTrigger = "pre-restore";
/// The restic tag of a safety snapshot.
inline constexpr const char* kSafetyTag = "pre-restore";

struct RunRecord {
    std::string id;
    std::string kind{"backup"};  ///< backup | restore | verify
    std::string target;
    std::string trigger;  ///< manual | schedule | catch-up | event:<kind> | pre-restore (safety)
    /// A drill (verify) that passed: success; that restored a database with no table or no
    /// row: passed_empty (see run_status_of).
    RunStatus status{RunStatus::running};
    std::string started_at;
    std::string finished_at;
    std::string instance;
    std::int64_t pid{0};
    std::uint64_t bytes{0};
    std::string snapshots;  ///< comma-separated snapshot ids
    std::string error;
};

struct StepRecord {
    std::string run_id;
    std::string name;  ///< e.g. "dump shop", "retention"
    std::string started_at;
    std::string finished_at;
    std::uint64_t bytes{0};
    StepOutcome outcome{StepOutcome::ok};
    std::string detail;
};

/// A side effect on something that is not ours (a target container stopped for a files backup),
/// journalled before it is made and settled once undone, so that recovery can undo it after a
/// crash. Our own dump containers need no journal: they carry our labels from the moment the
/// engine creates them.
struct EffectRecord {
    std::string run_id;
    std::string instance;
    std::string kind;  ///< container_stopped | network_joined
    std::string ref;   ///< the container id; network_joined: the network
    /// container_stopped: the container's name; network_joined: the operator's container id
    std::string detail;
    std::string at;
};

/// What a snapshot holds, counted while the dump streamed past (see domain::DumpCensus).
struct ContentsRecord {
    std::string snapshot_id;  ///< restic's full id
    std::string run_id;
    std::string target;
    std::string item;        ///< the database
    std::string rows;        ///< domain::encode_counts
    std::uint64_t bytes{0};  ///< the dump's bytes (0: recorded by an older version)
};

/// How many runs of one kind a target has had with one status (for metrics).
struct RunCount {
    std::string target;
    std::string kind;
    RunStatus status{RunStatus::success};
    std::int64_t count{0};
};

/// A page of runs, newest first: `before` is a started_at (exclusive) from the previous page.
struct RunQuery {
    std::string target;
    std::optional<RunStatus> status;  ///< none: any; failed also takes partial and crashed
    std::string kind;                 ///< backup | restore | verify; empty: any
    std::string before;
    int limit{50};
    bool no_safety{false};  ///< leave out safety backups (trigger pre-restore)
};

/// Port: the audit trail. Small synchronous writes. Errors: io_error. Every write is an upsert
/// (a record written twice, as a replay may, lands once).
class AuditLog {
public:
    virtual ~AuditLog() = default;
    virtual Result<void> begin_run(const RunRecord& run) = 0;
    virtual Result<void> add_step(const StepRecord& step) = 0;
    /// Also creates the run when its begin_run never landed.
    virtual Result<void> finish_run(const RunRecord& run) = 0;
    virtual Result<void> record_effect(const EffectRecord& effect) = 0;
    virtual Result<void> settle_effect(const EffectRecord& effect) = 0;
    virtual Result<void> record_contents(const ContentsRecord& contents) = 0;
    /// A snapshot has a new id (`restic tag` rewrote it): its contents record follows (ids
    /// match by prefix, either way). The run's own snapshot list is its writer's to rewrite.
    virtual Result<void> rename_snapshot(const std::string& old_id, const std::string& new_id) = 0;
    /// The normal dumps of one database of a target, newest first: backups that ended success
    /// (suspect runs a human has not accepted never count), safety backups left out.
    virtual Result<std::vector<DumpFigures>> normal_dumps(std::string target,
                                                          std::string item,
                                                          int limit) = 0;

    virtual Result<std::vector<RunRecord>> history(std::string target,
                                                   bool failed_only,
                                                   int limit) = 0;
    virtual Result<std::vector<StepRecord>> steps(std::string run_id) = 0;
    /// Runs still marked running (by any instance).
    virtual Result<std::vector<RunRecord>> running() = 0;
    /// Effects not settled yet (by any instance).
    virtual Result<std::vector<EffectRecord>> open_effects() = 0;
    /// When the target's last backup ended `success` (ISO 8601 UTC), or empty. Safety backups
    /// (trigger kSafetyTrigger) never count.
    virtual Result<std::string> last_success(std::string target) = 0;
    /// The contents recorded for a snapshot: ids match when one is a prefix of the other (restic
    /// reports short ids after a backup, full ids in listings).
    virtual Result<std::optional<ContentsRecord>> contents(std::string snapshot_id) = 0;
    /// The target's latest finished run of `kind` (restore, verify, backup); for backup, safety
    /// backups (trigger kSafetyTrigger) never count.
    virtual Result<std::optional<RunRecord>> last_run(std::string target, std::string kind) = 0;
    virtual Result<std::vector<RunRecord>> runs(const RunQuery& query) = 0;
    virtual Result<std::optional<RunRecord>> run(std::string id) = 0;
    /// Finished runs counted by target, kind and status.
    virtual Result<std::vector<RunCount>> run_counts() = 0;
    /// Where each target came from at first sight or at its last `adopt` (see provenance.hpp).
    virtual Result<std::optional<Provenance>> provenance(std::string target) = 0;
    virtual Result<std::vector<Provenance>> provenances() = 0;
    /// Records (or replaces) a target's provenance.
    virtual Result<void> record_provenance(const Provenance& p) = 0;
    /// Records a repository check (keyed by repository and started_at: a replay lands once).
    virtual Result<void> record_check(const CheckRecord& check) = 0;
    /// The repository's checks, newest first, at most `limit`.
    virtual Result<std::vector<CheckRecord>> checks(std::string repository, int limit) = 0;
};

/// A held lock; released when destroyed (and by the kernel when the process dies).
class LockHandle {
public:
    virtual ~LockHandle() = default;
};

/// What removing a target's lock by hand (`backupctl unlock`) found.
struct StaleLockRemoval {
    enum class State {
        not_a_name,  ///< the target name could name another file (empty, '/', "..")
        not_locked,  ///< no lock file
        held,        ///< a live process holds it: nothing was done
        removed,     ///< no live process held it: the lock file is gone
    };
    State state{State::not_locked};
    std::string holder;  ///< held: what the lock file says of its holder
};

/// Port: one run per target at a time.
class TargetLocks {
public:
    virtual ~TargetLocks() = default;
    /// nullptr with `holder` filled when another run holds it.
    virtual Result<std::unique_ptr<LockHandle>> try_lock(const std::string& target,
                                                         const std::string& run_id,
                                                         std::string& holder) = 0;
};

}  // namespace bk::domain
