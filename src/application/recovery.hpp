#pragma once
// Crash recovery at start, scoped to dead instances: their `running` runs become `crashed`, their
// dump containers are removed, the targets they stopped are started again, the app networks
// they joined are left, restic locks they left are removed. A live instance (a CLI run beside the
// daemon) is never touched.

#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/recovery.hpp"

namespace bk::app {

struct RecoveryReport {
    int crashed_runs{0};
    int removed_containers{0};
    int restarted_targets{0};
    int networks_left{0};  ///< app networks the dead operator's container had joined
    int unlocked_repositories{0};
    std::vector<std::string> problems;       ///< what could not be cleaned, and why
    std::vector<domain::RunRecord> crashed;  ///< the runs marked crashed (for their alerts)

    [[nodiscard]] bool found_anything() const {
        return crashed_runs + removed_containers + restarted_targets + networks_left > 0 ||
               !problems.empty();
    }
};

Task<RecoveryReport> recover(domain::AuditLog& audit,
                             domain::Janitor& janitor,
                             domain::InstanceRegistry& instances,
                             RepositoryLookup repositories,
                             std::vector<std::string> repository_names);

/// What a run of a live instance left when it ended abnormally (an internal error): its
/// containers and networks (by their `backupctl.run` label), the targets it stopped and did not
/// start again, the app networks it joined. One line per thing done or not done.
Task<std::vector<std::string>> clean_up_run(domain::AuditLog& audit,
                                            domain::Janitor& janitor,
                                            std::string run_id);

}  // namespace bk::app
