#pragma once
// Telling humans: after each run the target's notifiers get the alerts they subscribed to
// (failure, success, recovered), its monitor a ping; overdue targets, failed restore drills and
// the daily summary too. A notifier that fails gets the alert later: it waits in the outbox
// (domain::AlertStore, shared by the daemon and CLI runs, surviving restarts) and is re-sent with
// backoff until it is delivered, at most once per notifier and alert id. Monitor pings are not
// queued: a late "up" would lie about when, and a monitor that hears nothing turns red by itself.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "application/backup_runner.hpp"
#include "application/restore.hpp"
#include "domain/copy_plan.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/logger.hpp"

namespace bk::app {

/// Seconds before the n-th re-send (n >= 1): 30 s doubling, at most an hour.
std::int64_t alert_backoff(int attempts);

/// The alert a finished run raises for `kind` (failure | success | recovered).
domain::Alert run_alert(const RunReport& report,
                        const std::string& kind,
                        const std::string& trigger,
                        const std::string& at);

class Alerting final : public RunObserver {
public:
    using NotifierLookup = std::function<domain::Notifier*(const std::string& name)>;
    using MonitorLookup = std::function<domain::Monitor*(const std::string& name)>;
    using Now = std::function<std::int64_t()>;  ///< UTC seconds

    Alerting(const domain::OperatorConfig& config,
             NotifierLookup notifiers,
             MonitorLookup monitors,
             domain::AlertStore& store,
             domain::AuditLog& audit,
             domain::Logger& log,
             Now now = {});

    // RunObserver: called by the runner while it holds the target's lock.
    Task<void> started(const domain::Target& target, const std::string& run_id) override;
    Task<void> finished(const domain::Target& target,
                        const RunReport& report,
                        const std::string& trigger) override;

    /// A run that recovery found crashed (its operator died): a failure alert to the notifiers the
    /// target had at that run's start (else defaults.notify).
    Task<void> crashed(const domain::RunRecord& run);
    /// A restore drill ended: drill_failed when it did not pass, drill_empty when it passed on a
    /// database with no table or no row (passed-empty: it proves nothing).
    Task<void> drill_finished(const domain::Target& target, const VerifyReport& report);
    /// The target had no success within twice its interval: alerted once, until a success.
    Task<void> overdue(const domain::Target& target,
                       const std::string& last_success,
                       std::int64_t interval_seconds);
    /// A copy's lag (a repository's copy_to): `copy_overdue` once when it passes the repository's
    /// copy_overdue, `recovered` (status caught_up) when nothing is pending any more; to every
    /// notifier that wants the kind (a repository is the operator's, not one target's).
    Task<void> copy_lag(domain::CopyLag lag);
    /// The daily summary of `targets` for `date` (YYYY-MM-DD), once per date.
    Task<void> summary(const std::vector<domain::Target>& targets, const std::string& date);
    /// The daemon's heartbeat to `monitor`: "up" while healthy, "down" (with why) when not.
    Task<Result<void>> heartbeat(const std::string& monitor,
                                 std::string message,
                                 bool healthy = true);
    /// A repository check ended: check_failed when it did not pass, check_recovered when it
    /// passed and the one before it had failed. To every notifier that wants the kind (a
    /// repository is every target's).
    Task<void> check_finished(const domain::CheckRecord& check, bool previous_failed);
    /// Re-sends what waits in the outbox and is due; returns how many were delivered.
    Task<int> retry_due();

private:
    /// Sends to each notifier that wants the alert's kind; what fails is queued. Returns one
    /// line per notifier for the audit ("slack-ops: sent", "hook: queued (timeout)").
    Task<std::vector<std::string>> deliver(const std::vector<std::string>& notifiers,
                                           const domain::Alert& alert);
    [[nodiscard]] std::vector<std::string> all_notifiers() const;

    const domain::OperatorConfig& config_;
    NotifierLookup notifiers_;
    MonitorLookup monitors_;
    domain::AlertStore& store_;
    domain::AuditLog& audit_;
    domain::Logger& log_;
    Now now_;
};

}  // namespace bk::app
