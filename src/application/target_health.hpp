#pragma once
// What `backupctl health` says about the targets, and the overdue rule the daemon's alerts share
// with it: every target whose last backup or drill failed, every stopped target, every overdue
// one, and a warning when nobody would be told about any of it (no notifier configured).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/schedule.hpp"
#include "domain/target.hpp"

namespace bk::app {

/// The schedule's interval (seconds) when `t` is overdue at `now`: its last success is older than
/// twice that interval (one missed due time plus one interval of grace); nullopt when it is not,
/// when it never succeeded (catch-up runs it; its failures are told), or has no usable cron.
std::optional<std::int64_t> overdue_interval(const domain::Target& t,
                                             const std::string& last_success,
                                             std::int64_t now,
                                             const domain::UtcOffset& zone);

/// "2h05m" of seconds.
std::string hours_minutes(std::int64_t seconds);

struct HealthFinding {
    enum class Level { warn, fail };
    Level level{Level::warn};
    std::string check;    ///< "target <name>", "notifiers"
    std::string message;  ///< what is wrong, for a human
};

/// Per enabled target: its last backup failed (failed, partial, crashed) or its last drill failed
/// -> fail; overdue -> fail; its container stopped -> warn (no overdue or failure then: a stopped
/// database cannot be backed up and its data does not change; the last failure is named in the
/// warning). Targets with nothing to report are not listed.
std::vector<HealthFinding> target_findings(const std::vector<domain::Target>& targets,
                                           domain::AuditLog& audit,
                                           std::int64_t now,
                                           const domain::UtcOffset& zone);

/// A warning when no notifier is configured (failures would be told to nobody).
std::optional<HealthFinding> notifier_finding(const domain::OperatorConfig& config);

}  // namespace bk::app
