#pragma once
// Port: the snapshots that wait to be copied to a repository's copy_to (a second copy).

#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/copy_plan.hpp"

namespace bk::domain {

/// Shared by every backupctl process of one state directory (the daemon and CLI runs); each call
/// is atomic against the others. Errors: io_error.
class CopyLedger {
public:
    virtual ~CopyLedger() = default;
    /// Adds a pending copy (once per snapshot and destination).
    virtual Result<void> add_pending(const PendingCopy& copy) = 0;
    /// The copies of source -> destination not made yet (all pairs when both are empty).
    virtual Result<std::vector<PendingCopy>> pending(std::string source,
                                                     std::string destination) = 0;
    /// The pending copies of `target` from source to destination made at or before `up_to`
    /// (ISO 8601) are done now.
    virtual Result<void> mark_copied(std::string source,
                                     std::string destination,
                                     std::string target,
                                     std::string up_to,
                                     std::string copied_at) = 0;
    /// The last attempt for source -> destination failed with `error`.
    virtual Result<void> mark_failed(std::string source,
                                     std::string destination,
                                     std::string error) = 0;
};

}  // namespace bk::domain
