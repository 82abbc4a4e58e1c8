#pragma once
// The states of runs, their steps and restore drills. Enums inside; their strings (the audit
// trail's columns, the JSONL fallback, the API's and webhooks' JSON, the CLI's words) are made
// and read only here, and stay byte-identical to what older versions wrote.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace bk::domain {

/// A run's status (backup, restore or verify), as the audit trail keeps it.
enum class RunStatus {
    running,  ///< begun, not finished (or its process died before recovery looked)
    success,  ///< a backup or restore that did all of its job; a drill that passed
    failed,
    partial,       ///< some items failed, some succeeded
    skipped,       ///< another run held the target's lock
    crashed,       ///< its process died (found by recovery)
    passed_empty,  ///< a drill that restored every database, but one held no table or row
    /// a backup whose dumps were stored, but one differs sharply from the target's history
    /// (domain/anomaly.hpp): kept, tagged, alerted, until `backupctl accept` makes it success
    suspect,
};

/// What became of one step or item of a run (a dump, a restore, a drill's check).
enum class StepOutcome { ok, failed, skipped };

/// A restore drill's verdict (a verify run's report).
enum class DrillResult {
    passed,
    passed_empty,  ///< proves nothing: a warning, not a pass (`defaults.drill_empty: fail`)
    failed,
};

/// What became of a backup's retention.
enum class RetentionOutcome {
    not_run,    ///< the run did not get that far, or failed before it
    ok,         ///< forgot what the policy drops
    delegated,  ///< append-only repository: the server's owner runs it
    skipped,    ///< repository busy, or the target's provenance unverified: next run
    failed,
};

/// Every value, in the order the CLI and the API list them.
inline constexpr RunStatus kRunStatuses[] = {RunStatus::running,
                                             RunStatus::success,
                                             RunStatus::failed,
                                             RunStatus::partial,
                                             RunStatus::skipped,
                                             RunStatus::crashed,
                                             RunStatus::passed_empty,
                                             RunStatus::suspect};
inline constexpr StepOutcome kStepOutcomes[] = {
    StepOutcome::ok, StepOutcome::failed, StepOutcome::skipped};
inline constexpr DrillResult kDrillResults[] = {
    DrillResult::passed, DrillResult::passed_empty, DrillResult::failed};
inline constexpr RetentionOutcome kRetentionOutcomes[] = {RetentionOutcome::not_run,
                                                          RetentionOutcome::ok,
                                                          RetentionOutcome::delegated,
                                                          RetentionOutcome::skipped,
                                                          RetentionOutcome::failed};

/// "running", "success", "failed", "partial", "skipped", "crashed", "passed-empty", "suspect".
std::string to_string(RunStatus s);
/// "ok", "failed", "skipped".
std::string to_string(StepOutcome o);
/// "passed", "passed-empty", "failed".
std::string to_string(DrillResult r);
/// "" (not run), "ok", "delegated", "skipped", "failed".
std::string to_string(RetentionOutcome r);

/// The inverse of to_string; nullopt for any other string (never a default).
std::optional<RunStatus> parse_run_status(std::string_view s);
std::optional<StepOutcome> parse_step_outcome(std::string_view s);
std::optional<DrillResult> parse_drill_result(std::string_view s);
std::optional<RetentionOutcome> parse_retention_outcome(std::string_view s);

/// Whether a run's status says it did not do its job: failed, partial (some item failed) or
/// crashed (its process died). Alerts, `health` and the "failed" filter count the same statuses.
constexpr bool is_failed_run(RunStatus s) {
    return s == RunStatus::failed || s == RunStatus::partial || s == RunStatus::crashed;
}

/// The status a drill's run record keeps: passed -> success, passed-empty, failed.
constexpr RunStatus run_status_of(DrillResult r) {
    switch (r) {
        case DrillResult::passed:
            return RunStatus::success;
        case DrillResult::passed_empty:
            return RunStatus::passed_empty;
        case DrillResult::failed:
            break;
    }
    return RunStatus::failed;
}

// For test output and logs: the same strings.
std::ostream& operator<<(std::ostream& os, RunStatus s);
std::ostream& operator<<(std::ostream& os, StepOutcome o);
std::ostream& operator<<(std::ostream& os, DrillResult r);
std::ostream& operator<<(std::ostream& os, RetentionOutcome r);

}  // namespace bk::domain
