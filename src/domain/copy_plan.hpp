#pragma once
// A second copy of a repository (3-2-1): which snapshots still wait to be copied, how far the
// copy lags behind, when that is overdue, and which `copy_to` settings cannot work.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/operator_config.hpp"

namespace bk::domain {

/// A snapshot stored in `source` that `destination` (its copy_to) must get.
struct PendingCopy {
    std::string snapshot_id;
    std::string source;
    std::string destination;
    std::string run_id;
    std::string target;
    std::string made_at;     ///< ISO 8601 UTC: when the snapshot was stored
    std::string copied_at;   ///< empty while pending
    std::string last_error;  ///< the last failed attempt's reason, empty when none
};

/// How far the copy of `source` in `destination` is behind.
struct CopyLag {
    std::string source;
    std::string destination;
    int pending{0};
    std::int64_t lag_seconds{0};  ///< age of the oldest pending snapshot; 0 when none
    std::string oldest_made_at;
    std::string last_error;
    std::chrono::seconds overdue_after{0};
    [[nodiscard]] bool overdue() const {
        return pending > 0 && overdue_after.count() > 0 && lag_seconds > overdue_after.count();
    }
};

/// The lag of source -> destination from the pending rows (those with a copied_at are ignored)
/// at `now` (UTC seconds).
CopyLag copy_lag(const std::string& source,
                 const std::string& destination,
                 const std::vector<PendingCopy>& rows,
                 std::int64_t now,
                 std::chrono::seconds overdue_after);

/// A problem of one repository's copy_to: the repository and what is wrong.
struct CopyProblem {
    std::string repository;
    std::string message;
};

/// Every copy_to that names no repository, itself, or makes a cycle; two repositories that need
/// different values of one backend variable (restic runs the copy with one environment); two
/// sftp: repositories (restic 0.14 gives both the same `-o sftp.command`).
std::vector<CopyProblem> copy_problems(const std::map<std::string, RepositoryConfig>& repos);

}  // namespace bk::domain
