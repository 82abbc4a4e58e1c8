#pragma once
// Owns the tasks it spawns (none is detached): counts them, cancels them all through their
// cancellation slots (terminal cancellation: what they await ends with operation_aborted or the
// callee's `cancelled`), and lets its owner await the moment the last one has ended. An exception
// that leaves a task goes to `on_error` (a task cut by cancel_all() is not an error). The state
// the completions touch outlives the group, so a group may be destroyed with tasks in flight
// (it cancels them); an owner whose members the tasks use awaits wait() first.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/task.hpp"

namespace bk {

class TaskGroup {
public:
    using OnError = std::function<void(const std::string& what)>;

    explicit TaskGroup(boost::asio::any_io_executor ex, OnError on_error = {});
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    ~TaskGroup();

    /// Starts `task`; `then` runs when it has ended (also after an exception or a cancel).
    void spawn(Task<void> task, std::function<void()> then = {});
    /// Cancels every task running now.
    void cancel_all();
    /// Until no task is left (tasks spawned meanwhile included).
    Task<void> wait();
    /// The same with a bound: false when tasks are left at `deadline`.
    Task<bool> wait_until(std::chrono::steady_clock::time_point deadline);
    /// Tasks not ended yet.
    [[nodiscard]] std::size_t size() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace bk
