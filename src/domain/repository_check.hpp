#pragma once
// Rotating repository checks: `restic check --read-data-subset=k/N` with k moving on by one after
// each check that passed, so that N checks in a row read every pack of the repository. A failed
// check keeps its k (the next check reads the same subset again, so that a pass after a repair
// proves that subset whole); a change of N starts again at 1. While a repository's last check
// failed, forget and prune refuse it: deleting on a damaged repository can lose what a repair
// would have kept.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bk::domain {

/// One `restic check` of a repository, as the audit store keeps it.
struct CheckRecord {
    std::string id;  ///< unique (a replay of the same record lands once)
    std::string repository;
    std::string started_at;   ///< ISO 8601 UTC
    std::string finished_at;  ///< ISO 8601 UTC
    int subset{1};            ///< k of k/N (1-based)
    int subsets{1};           ///< N
    bool ok{false};
    std::int64_t packs_read{-1};   ///< the packs restic read in its subset; -1: not said
    std::int64_t total_packs{-1};  ///< all packs of the repository as restic counted; -1: not said
    std::string error;             ///< a failed check: restic's last lines
};

/// What restic said of the data it read ("read group #2 of 13 data packs (out of total 101
/// packs in 8 groups)"); -1 where it said nothing.
struct CheckCounts {
    std::int64_t packs_read{-1};
    std::int64_t total_packs{-1};
};
CheckCounts parse_check_counts(const std::string& restic_output);

/// The subset the next check reads of `subsets` (N): 1 with no check yet or when N changed, the
/// same one again after a failed check, else the next one (N wraps to 1).
int next_subset(const std::optional<CheckRecord>& last, int subsets);

/// The fraction (0..1) of the repository's packs the current rotation has read: the passed checks
/// of the latest run of subsets 1, 2, ... k with today's N, newest first in `newest_first`, over
/// the newest passed check's total. 0 when nothing passed yet.
double rotation_read_fraction(const std::vector<CheckRecord>& newest_first, int subsets);

/// Why forget and prune refuse `repository` now (its last check failed), with when and how to
/// clear it; nullopt when they may run.
std::optional<std::string> maintenance_refusal(const std::string& repository,
                                               const std::optional<CheckRecord>& last);

/// Whether a repository whose check is due every `interval_seconds` and last finished at
/// `last_finished` (UTC seconds; -1 never) is overdue at `now`: no check within twice the interval.
bool check_overdue(std::int64_t last_finished, std::int64_t interval_seconds, std::int64_t now);

/// Bounds of `check_subsets`.
inline constexpr int kMinCheckSubsets = 1;
inline constexpr int kMaxCheckSubsets = 1000;

}  // namespace bk::domain
