#pragma once
// `restore --cleanup`: what earlier `restore --new-container` runs left for the user (the copies,
// their volumes, their places on the app's network), checked against the audit trail, and its
// removal.

#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/restore_ports.hpp"

namespace bk::app {

struct CleanupCandidate {
    domain::RestoredCopy copy;
    bool removable{false};
    std::string reason;  ///< why it is kept, when it is not removable
};

/// The copies of `target` a cleanup would remove: every container labelled as restored from it,
/// each removable only when the audit trail holds the restore of `target` that made it (its run,
/// the copy's name and id in the run's "new container" step) and that restore has ended. A label
/// alone is not enough: any container can carry one.
Task<Result<std::vector<CleanupCandidate>>> plan_cleanup(domain::RestoredCopies& copies,
                                                         domain::AuditLog& audit,
                                                         std::string target);

/// What became of one restored copy.
enum class CopyFate { removed, kept, failed };
/// "removed", "kept", "failed" (the CLI's words, text and JSON). Never read back.
std::string to_string(CopyFate f);

struct CleanupOutcome {
    domain::RestoredCopy copy;
    CopyFate outcome{CopyFate::kept};
    std::string detail;  ///< why kept, or the engine's error
};

/// Removes the removable candidates, one by one; the others are reported kept.
Task<std::vector<CleanupOutcome>> clean_up(domain::RestoredCopies& copies,
                                           std::vector<CleanupCandidate> plan);

}  // namespace bk::app
