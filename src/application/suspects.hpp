#pragma once
// Suspect runs (docs/anomalies.md): each stored dump compared with its database's history, the
// snapshot of a sharp change tagged `suspect` (a retention group of its own: it never counts
// toward `keep` nor pushes out the last normal snapshot), and `backupctl accept`, which makes a
// suspect run normal: untagged, success, the new baseline, and retention applied.

#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "core/task.hpp"
#include "domain/anomaly.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/target.hpp"

namespace bk::app {

/// One stored dump of the run: its report (its snapshot id follows a re-tag) and figures.
struct StoredDump {
    ItemReport* item{nullptr};
    domain::DumpFigures figures;
};

/// What comparing a run with its history found.
struct Judgement {
    std::vector<std::string> anomalies;  ///< "shop: table public.items: 1000 -> 100 rows ..."
    /// Why a suspect snapshot is not tagged (empty: every one is): retention must wait, since it
    /// would count that snapshot toward `keep`.
    std::string untagged;
};

/// How many earlier normal dumps a comparison reads.
inline constexpr int kAnomalyHistory = 60;

/// Compares each stored dump with the last normal ones of its database, tags the suspect ones
/// and records an "anomalies" step. A history that cannot be read judges nothing (said in the
/// step), never fails the run.
Task<Judgement> judge_dumps(domain::AuditLog& audit,
                            domain::BackupRepository& repo,
                            const domain::Target& target,
                            const std::string& run_id,
                            std::vector<StoredDump> stored);

struct AcceptReport {
    std::vector<std::string> lines;  ///< what was done, for humans
    domain::RetentionOutcome retention{domain::RetentionOutcome::not_run};
};

/// `backupctl accept RUN`: the suspect backup run `run_id` of `target` becomes normal. Errors:
/// no such run, not a suspect backup, the repository or restic failed (nothing is marked then).
Task<Result<AcceptReport>> accept_run(domain::AuditLog& audit,
                                      const RepositoryLookup& repositories,
                                      const domain::OperatorConfig& config,
                                      const domain::Target& target,
                                      std::string run_id,
                                      std::string who);

}  // namespace bk::app
