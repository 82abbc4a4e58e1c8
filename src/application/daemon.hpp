#pragma once
// `backupctl daemon`: one io_context with the scheduler, the container-events follower and a
// bounded pool of run workers. Schedules are cron in the config's time zone (DST-safe); a missed
// due time gets one catch-up run at start; containers are followed level-triggered (any event ->
// debounce -> re-list) so that new, removed and recreated containers are picked up; `on` labels
// turn starts, image changes and clean stops into runs. stop() stops scheduling and gives runs in
// flight a grace period; after it they are cut short (their streams cancelled through their
// cancellation slots, their dump containers killed, so no snapshot is committed) and end `failed`
// with the reason. Every task it starts is owned by a task group that run() awaits; its loops
// wait on signals (a Signal, a timer used as a condition), never on a poll period.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "application/alerting.hpp"
#include "application/backup_runner.hpp"
#include "application/registry.hpp"
#include "application/repository_checks.hpp"
#include "application/restore.hpp"
#include "application/run_queue.hpp"
#include "application/snapshot_copier.hpp"
#include "core/signal.hpp"
#include "core/task_group.hpp"
#include "domain/ports/logger.hpp"
#include "domain/ports/recovery.hpp"
#include "domain/schedule.hpp"

namespace bk::app {

/// How long a restore drill's restores took (its "restore ..." steps): the RTO it measured.
double drill_restore_seconds(domain::AuditLog& audit, const std::string& run_id);

/// The size trend of a target: bytes of its last `n` successful backups (no safety backup),
/// oldest first; empty when the audit store cannot say.
std::vector<std::uint64_t> backup_sizes(domain::AuditLog& audit,
                                        const std::string& target,
                                        int n = 10);

/// What the daemon tells listeners (the HTTP API's event stream) about runs.
struct RunEvent {
    std::string type;  ///< started | progress | finished
    std::string run_id;
    std::string target;
    std::string kind;  ///< backup | verify
    std::string trigger;
    std::string status;      ///< finished: success | failed | partial | skipped | passed
    std::string item;        ///< progress: what streams now
    std::uint64_t bytes{0};  ///< progress: of the run so far
    double rate{0};          ///< progress: bytes per second of the current item
    double seconds{0};       ///< since the run started
    std::string error;
};

/// A target as the daemon sees it now.
struct TargetView {
    domain::Target target;
    std::int64_t next_run{-1};  ///< UTC seconds; -1 none
    std::int64_t next_drill{-1};
    bool running{false};
    bool queued{false};
    bool overdue{false};
};

/// "stopped" (its container exists and does not run: Target::stopped) or "active".
inline const char* state_of(const domain::Target& t) {
    return t.stopped() ? "stopped" : "active";
}

class Daemon {
public:
    using Now = std::function<std::int64_t()>;  ///< UTC seconds

    Daemon(boost::asio::any_io_executor ex,
           const domain::OperatorConfig& config,
           Registry& registry,
           BackupRunner& runner,
           domain::AuditLog& audit,
           domain::ChangeFeed& feed,
           domain::Janitor& janitor,
           std::string instance,
           domain::UtcOffset zone,
           domain::Logger& log,
           Now now = {});

    /// Runs until stop() and the runs in flight have ended.
    Task<void> run();
    /// Stops scheduling; runs in flight get the grace period, then are cut short.
    void stop(std::string reason);

    /// Repository checks on each repository's check_cron, with `checks` (cut at stop).
    void repository_checks(RepositoryChecks& checks) { checks_ = &checks; }
    /// Restore drills on each target's verify_cron (targets with a database), with `service`.
    void drills(RestoreService& service) { drills_ = &service; }
    /// Queues a run (or a drill) of `name` now; its run id. Errors: not_found (no such target),
    /// invalid_config (disabled; a drill of a target without a database), conflict (queued,
    /// running, or locked by another process).
    Result<std::string> request(const std::string& name, bool drill);
    /// Every target with its schedule and state.
    [[nodiscard]] std::vector<TargetView> views() const;
    /// A progress event for each backup in flight now.
    [[nodiscard]] std::vector<RunEvent> live() const;
    /// Tells `f` about runs starting, progressing (each second) and finishing.
    void on_event(std::function<void(const RunEvent&)> f) { on_event_ = std::move(f); }
    /// Overdue, drill and summary alerts, the heartbeat and the outbox's re-sends.
    void alerts(Alerting& alerting) { alerts_ = &alerting; }
    /// Second copies (copy_to): their lag is checked each minute (copy_overdue), and what is
    /// pending is retried every 10 minutes.
    void copies(SnapshotCopier* copier) { copier_ = copier; }
    /// Targets overdue now, the targets it watches, the events stream's state (for metrics).
    [[nodiscard]] std::vector<std::string> overdue_targets() const {
        return {overdue_.begin(), overdue_.end()};
    }
    [[nodiscard]] std::vector<std::string> target_names() const;
    [[nodiscard]] bool events_connected() const { return feed_.connected(); }
    /// Why the daemon is not doing its work now (run workers gone, a run stuck past its
    /// deadline); empty when it is. /healthz and the heartbeat report it.
    [[nodiscard]] std::vector<std::string> liveness_problems() const;
    /// The first discovery has completed: the daemon knows its targets (/readyz).
    [[nodiscard]] bool ready() const { return have_inventory_; }
    /// Called about once a minute from the scheduler (the audit fallback's replay).
    void every_minute(std::function<void()> f) { every_minute_ = std::move(f); }

private:
    struct Job {
        domain::Target target;
        std::string trigger;
        bool drill{false};
        std::string run_id;  ///< given when a request needs it at once
        [[nodiscard]] std::string key() const { return target.name + (drill ? " (drill)" : ""); }
    };

    void spawn(Task<void> task, std::function<void()> then = {});
    /// The lag of every copy (each minute); a retry of what is pending (every 10 minutes).
    void check_copies(std::int64_t now);
    Task<void> retry_copies();
    SnapshotCopier* copier_{nullptr};
    bool copying_{false};
    std::int64_t last_copy_retry_{0};
    void spawn_worker();
    [[nodiscard]] std::chrono::steady_clock::duration stuck_after(const domain::Target& t) const;
    Task<void> follow();
    Task<void> scheduler();
    Task<void> worker();
    Task<void> refresher();
    Task<void> grace_then_cut(std::string reason);
    Task<void> heartbeat();
    Task<void> progress_ticker();
    void emit(const RunEvent& e) {
        if (on_event_)
            on_event_(e);
    }
    Task<void> retry_alerts();
    void maybe_summary(std::int64_t now);
    Task<void> delayed(Job job, std::chrono::seconds delay);
    void request_refresh();
    void on_change(const domain::ContainerChange& change);
    void enqueue(Job job);
    void event_job(const domain::Target& target, const std::string& trigger);
    void apply_inventory(Inventory next);
    void catch_up();
    /// Why `t` should get a catch-up run at `now` (never backed up, a due time passed since its
    /// last success); nullopt when it should not.
    std::optional<std::string> missed(const domain::Target& t, std::int64_t now);
    void check_overdue(std::int64_t now);
    Task<void> run_check(std::string repository);
    void wake(boost::asio::steady_timer& t) { t.cancel(); }
    void wake_workers();
    static Task<void> sleep(boost::asio::steady_timer& t, std::chrono::steady_clock::duration d);

    boost::asio::any_io_executor ex_;
    const domain::OperatorConfig& config_;
    Registry& registry_;
    BackupRunner& runner_;
    domain::AuditLog& audit_;
    domain::ChangeFeed& feed_;
    domain::Janitor& janitor_;
    std::string instance_;
    domain::UtcOffset zone_;
    domain::Logger& log_;
    Now now_;

    boost::asio::steady_timer schedule_wake_;
    boost::asio::steady_timer refresh_wake_;
    Signal changed_;    ///< the first inventory arrived, stop() was called
    Signal run_ended_;  ///< a run in flight ended

    Inventory inventory_;
    bool have_inventory_{false};
    bool refresh_requested_{false};
    std::map<std::string, std::int64_t> next_due_;
    std::map<std::string, std::int64_t> next_drill_;
    RestoreService* drills_{nullptr};
    RepositoryChecks* checks_{nullptr};
    std::map<std::string, std::int64_t> next_check_;  ///< repository -> UTC seconds
    Alerting* alerts_{nullptr};
    bool retrying_{false};
    std::int64_t last_retry_{0};
    std::int64_t next_summary_{-1};
    boost::asio::steady_timer heartbeat_wake_;
    boost::asio::steady_timer progress_wake_;
    std::function<void(const RunEvent&)> on_event_;
    std::map<std::string, std::string> running_ids_;  ///< job key -> run id
    std::map<std::string, std::int64_t> last_event_;  ///< target + trigger -> when
    RunQueue<Job> queue_;                             ///< fair between targets (run_queue.hpp)
    std::set<std::string> running_;                   ///< job keys
    std::set<std::string> running_targets_;           ///< target names: one run per target at once
    /// job key -> when its run counts as stuck
    std::map<std::string, std::chrono::steady_clock::time_point> running_since_;
    int workers_alive_{0};
    std::set<std::string> overdue_;
    std::set<boost::asio::steady_timer*> idle_workers_;
    std::int64_t last_overdue_check_{0};
    std::set<boost::asio::steady_timer*> pending_delays_;
    std::function<void()> every_minute_;
    std::int64_t last_minute_{0};
    bool stopping_{false};
    TaskGroup check_tasks_;  ///< checks in flight: cancelled by stop(), awaited by run()
    TaskGroup tasks_;        ///< every task it spawned; run() awaits them all
};

}  // namespace bk::app
