#pragma once
// A condition to await instead of polling a flag: waiters sleep until someone calls notify_all()
// (or their deadline passes); they check their own predicate when they wake. Used on one
// io_context thread (no locking); the waits run on their own coroutine's executor. A task awaiting
// it is cancelled through its cancellation slot like any timer wait.

#include <chrono>
#include <string>
#include <vector>

#include "core/task.hpp"

namespace bk {

class Signal {
public:
    Signal() = default;
    Signal(const Signal&) = delete;
    Signal& operator=(const Signal&) = delete;
    ~Signal();

    /// Wakes every task waiting now (later waiters wait for the next call).
    void notify_all();
    /// Until notify_all() (true) or `deadline` (false). A cancelled wait ends as a notified one.
    Task<bool> wait_until(std::chrono::steady_clock::time_point deadline);
    /// Until notify_all().
    Task<void> wait();
    [[nodiscard]] std::size_t waiters() const { return waiters_.size(); }

    struct Waiter;

private:
    std::vector<Waiter*> waiters_;
};

/// A request to stop, with its reason, for work that is under way (a run's streams watch it:
/// StreamLimits::cut). Once requested it stays requested.
class Cutoff {
public:
    void request(std::string reason) {
        if (!requested_) {
            requested_ = true;
            reason_ = std::move(reason);
        }
        signal_.notify_all();
    }
    [[nodiscard]] bool requested() const { return requested_; }
    [[nodiscard]] const std::string& reason() const { return reason_; }
    /// Until requested (true) or `deadline` (false).
    Task<bool> wait_until(std::chrono::steady_clock::time_point deadline);

private:
    Signal signal_;
    bool requested_{false};
    std::string reason_;
};

}  // namespace bk
