#pragma once
// A second copy of each repository (3-2-1): after a run that stored snapshots in a repository
// with `copy_to`, every snapshot still pending for that pair is copied there (restic copy) and
// the target's retention is applied there too. A copy that fails never fails the run: its
// snapshots stay pending, the lag grows, and past `copy_overdue` a `copy_overdue` alert goes out.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "domain/copy_plan.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/copy_ledger.hpp"
#include "domain/ports/logger.hpp"
#include "domain/retention.hpp"

namespace bk::app {

/// One attempt of source -> destination.
struct CopyAttempt {
    std::string source;
    std::string destination;
    bool ok{false};
    int copied{0};
    int skipped{0};
    std::string detail;  ///< what happened, for the audit step and the CLI
};

class SnapshotCopier {
public:
    /// The retention of a target by name; nullopt when unknown here (then the copy's retention
    /// waits for the target's next run).
    using RetentionLookup = std::function<std::optional<domain::Retention>(const std::string&)>;
    /// Told the lag of a pair after every attempt (the alerting: copy_overdue, caught up).
    using LagObserver = std::function<Task<void>(domain::CopyLag)>;
    using Now = std::function<std::int64_t()>;  ///< UTC seconds

    SnapshotCopier(const domain::OperatorConfig& config,
                   RepositoryLookup repositories,
                   domain::CopyLedger& ledger,
                   domain::AuditLog& audit,
                   domain::Logger& log,
                   Now now = {});

    void observe(LagObserver observer) { observer_ = std::move(observer); }

    /// After a run of `target` that stored `snapshot_ids` in its repository: they become pending,
    /// then everything pending of the pair is copied and the target's retention applied to the
    /// copy. Records the step "copy to <destination>" in `run_id`. nullopt: no copy_to.
    Task<std::optional<CopyAttempt>> after_run(domain::Target target,
                                               std::string run_id,
                                               std::vector<std::string> snapshot_ids);
    /// Copies what is pending now, for `source` (every repository with copy_to when empty).
    Task<std::vector<CopyAttempt>> catch_up(std::string source, RetentionLookup retention);
    /// The lag of every repository with copy_to (`source` only, when given).
    Result<std::vector<domain::CopyLag>> lags(const std::string& source = {});
    /// Tells the observer every pair's lag (the daemon's periodic check).
    Task<void> check_lags();

private:
    Task<CopyAttempt> copy_pair(std::string source,
                                std::string destination,
                                RetentionLookup retention);

    const domain::OperatorConfig& config_;
    RepositoryLookup repositories_;
    domain::CopyLedger& ledger_;
    domain::AuditLog& audit_;
    domain::Logger& log_;
    Now now_;
    LagObserver observer_;
};

}  // namespace bk::app
