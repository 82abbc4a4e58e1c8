#pragma once
// Ports of telling humans: notifiers (Slack, webhook, e-mail), monitors (Uptime Kuma push,
// healthchecks.io pings) and the outbox that keeps what a notifier could not take yet.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/alert.hpp"
#include "domain/run_status.hpp"

namespace bk::domain {

/// Port: one configured notifier. Errors: timeout, daemon_unavailable (refused, DNS, TLS),
/// io_error (the receiver answered with an error status).
class Notifier {
public:
    virtual ~Notifier() = default;
    virtual Task<Result<void>> send(const Alert& alert) = 0;
};

/// Port: one configured monitor. `started` before a run (healthchecks' /start), `finished` after
/// it, `alive` for the daemon's heartbeat.
class Monitor {
public:
    virtual ~Monitor() = default;
    virtual Task<Result<void>> started() = 0;
    virtual Task<Result<void>> finished(bool ok, std::string message, std::int64_t millis) = 0;
    virtual Task<Result<void>> alive(std::string message) = 0;
};

/// An alert a notifier has not taken yet.
struct QueuedAlert {
    std::string notifier;
    Alert alert;
    int attempts{0};
    std::int64_t next_at{0};    ///< UTC seconds: not re-sent before
    std::int64_t queued_at{0};  ///< UTC seconds
    std::string last_error;

    [[nodiscard]] std::string key() const { return notifier + "|" + alert.id; }
};

/// What the alerting remembers between runs and restarts, per target.
struct AlertMemory {
    /// Of the last finished backup: success | failed | partial | crashed; none before the first.
    std::optional<RunStatus> last_status;
    bool overdue{false};  ///< an overdue alert went out and no success came since
    std::string overdue_since;
    std::int64_t snapshots{-1};  ///< the target's snapshots after the last retention; -1 unknown
    std::string last_summary;    ///< (key "") the date of the last daily summary
    std::vector<std::string> notify;  ///< the target's notifiers at its last run start
};

/// Port: the outbox and the alert memory, shared by every backupctl process of one state
/// directory (the daemon and CLI runs); each call is atomic against the others and survives
/// restarts. Errors: io_error.
class AlertStore {
public:
    virtual ~AlertStore() = default;
    /// Adds the alert unless one with the same key waits already (then: false).
    virtual Result<bool> enqueue(const QueuedAlert& q) = 0;
    /// Everything waiting.
    virtual Result<std::vector<QueuedAlert>> queued() = 0;
    /// Takes the entry for one attempt: sets its next_at to `q.next_at` when it is still there
    /// and due at `now`; false when it is gone or another process took it.
    virtual Result<bool> claim(const QueuedAlert& q, std::int64_t now) = 0;
    /// Replaces the entry with the same key (after an attempt), or removes it (`delivered`).
    virtual Result<void> settle(const QueuedAlert& q, bool delivered) = 0;
    virtual Result<std::map<std::string, AlertMemory>> memory() = 0;
    virtual Result<void> remember(const std::string& target, const AlertMemory& m) = 0;
};

}  // namespace bk::domain
