#include "core/signal.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace bk {

struct Signal::Waiter {
    boost::asio::steady_timer timer;
    Signal* owner;  ///< null once the signal is gone
    bool notified{false};
};

Signal::~Signal() {
    // Its waiters wake (as notified) and no longer touch it.
    for (auto* w : waiters_)
        w->owner = nullptr;
    try {
        notify_all();
    } catch (...) {
        // A destructor never throws; a timer's cancel() throws only when the reactor itself
        // failed, and then no wake-up would reach the waiters anyway.
    }
}

void Signal::notify_all() {
    // Each wait removes its own entry when it resumes, which is later (a handler never runs
    // inside cancel()).
    for (auto* w : waiters_) {
        w->notified = true;
        w->timer.cancel();
    }
}

Task<bool> Signal::wait_until(std::chrono::steady_clock::time_point deadline) {
    Waiter w{boost::asio::steady_timer(co_await boost::asio::this_coro::executor, deadline), this};
    waiters_.push_back(&w);
    boost::system::error_code ec;
    try {
        co_await w.timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    } catch (...) {
        std::erase(waiters_, &w);
        throw;
    }
    if (w.owner != nullptr)
        std::erase(w.owner->waiters_, &w);
    co_return w.notified || ec == boost::asio::error::operation_aborted;
}

Task<void> Signal::wait() {
    co_await wait_until(std::chrono::steady_clock::time_point::max());
}

Task<bool> Cutoff::wait_until(std::chrono::steady_clock::time_point deadline) {
    while (!requested_) {
        const bool woken = co_await signal_.wait_until(deadline);  // (g++ 12: not in the if)
        if (!woken)
            co_return false;
    }
    co_return true;
}

}  // namespace bk
