#pragma once

#include <string>

#include "domain/ports/bookkeeping.hpp"

namespace bk::adapters::lock {

/// domain::TargetLocks with flock(2) on `<dir>/<target>.lock`: the kernel releases a lock when
/// its process dies. The file holds pid, instance, run id and start time for humans.
class FileLocks final : public domain::TargetLocks {
public:
    FileLocks(std::string dir, std::string instance)
        : dir_(std::move(dir)), instance_(std::move(instance)) {}

    Result<std::unique_ptr<domain::LockHandle>> try_lock(const std::string& target,
                                                         const std::string& run_id,
                                                         std::string& holder) override;

    /// Removes `target`'s lock file when no live process holds it; never waits.
    [[nodiscard]] domain::StaleLockRemoval remove_stale(const std::string& target) const;

private:
    std::string dir_;
    std::string instance_;
};

}  // namespace bk::adapters::lock
