#pragma once
// Repository checks on a rotation: each check reads the next of a repository's N subsets of data
// (`restic check --read-data-subset=k/N`), so N checks in a row read all of it; the audit store
// keeps the rotation. Used by `backupctl check` and by the daemon on each repository's
// check_cron. A failed check is alerted (check_failed), and forget and prune refuse the
// repository until a check passes (check_recovered says so).

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "application/alerting.hpp"
#include "application/backup_runner.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/logger.hpp"
#include "domain/repository_check.hpp"
#include "domain/schedule.hpp"

namespace bk::app {

/// How many checks of a repository are read to know its rotation (N is at most 1000).
inline constexpr int kCheckHistory = domain::kMaxCheckSubsets + 1;

/// A repository's checks as `backupctl check`, health, /metrics and the dashboard show them.
struct RepositoryCheckState {
    std::string repository;
    std::string cron;  ///< "off": no scheduled checks
    int subsets{1};
    std::optional<domain::CheckRecord> last;
    int next_subset{1};
    double read_fraction{0};    ///< of the data, by the current rotation's passed checks
    std::int64_t next_due{-1};  ///< UTC seconds; -1: none (off)
    bool overdue{false};        ///< no check within twice its cron's interval
    std::string error;          ///< the audit store could not be read
};

/// What one check did.
struct CheckOutcome {
    enum class Kind { passed, failed, busy, error };
    Kind kind{Kind::error};
    std::string repository;
    domain::CheckRecord record;  ///< passed and failed: what was recorded
    std::string message;         ///< busy and error: why nothing was checked
};

const char* to_string(CheckOutcome::Kind k);

/// Why forget and prune refuse `repository` now (its last check failed); nullopt when they may
/// run. An audit store that cannot be read refuses nothing (the check's own alert has told).
std::optional<std::string> maintenance_refused(domain::AuditLog& audit,
                                               const std::string& repository);

class RepositoryChecks {
public:
    using Now = std::function<std::int64_t()>;  ///< UTC seconds

    RepositoryChecks(const domain::OperatorConfig& config,
                     RepositoryLookup repositories,
                     domain::AuditLog& audit,
                     domain::Logger& log,
                     domain::UtcOffset zone,
                     Now now = {});

    /// check_failed / check_recovered go there (nullptr: nobody is told).
    void alerts(Alerting* alerting) { alerting_ = alerting; }

    /// Each repository of the config (or those named), in name order. Errors: not_found (a name
    /// the config does not have).
    [[nodiscard]] Result<std::vector<RepositoryCheckState>> states(
        const std::vector<std::string>& names) const;
    /// Runs the repository's next subset now, records it, alerts. One check per repository at a
    /// time in this process (another one asked meanwhile is busy); across processes the
    /// repository's own gate orders it with writers and prune.
    Task<CheckOutcome> run(std::string repository);
    /// A check of `repository` is running in this process.
    [[nodiscard]] bool running(const std::string& repository) const {
        return running_.contains(repository);
    }

private:
    [[nodiscard]] RepositoryCheckState state_of(const std::string& name,
                                                const domain::RepositoryConfig& repo) const;

    const domain::OperatorConfig& config_;
    RepositoryLookup repositories_;
    domain::AuditLog& audit_;
    domain::Logger& log_;
    domain::UtcOffset zone_;
    Now now_;
    Alerting* alerting_{nullptr};
    std::set<std::string> running_;
    int sequence_{0};
};

}  // namespace bk::app
