#include "adapters/docker/stream_watchdog.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "domain/duration.hpp"

namespace bk::adapters::docker {

Task<Cut> watchdog(domain::StreamLimits limits, std::shared_ptr<const StreamActivity> activity) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    for (;;) {
        if (limits.cut && limits.cut->requested()) {
            co_return Cut::cutoff;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= limits.deadline) {
            co_return Cut::deadline;
        }
        auto next = limits.deadline;
        if (limits.idle.count() > 0) {
            if (activity->busy == 0) {
                const auto quiet_until = activity->last + limits.idle;
                if (now >= quiet_until) {
                    co_return Cut::idle;
                }
                next = std::min(next, quiet_until);
            } else {
                next = std::min(next, now + limits.idle);  // look again once the piece is on
            }
        }
        if (limits.cut) {
            // Woken by the cut or at `next`; cancelled (the stream ended first), the wait ends
            // and the next one throws, which ends the watchdog, which lost.
            co_await limits.cut->wait_until(next);
            continue;
        }
        timer.expires_at(next);
        // Cancelled (the stream ended first): the exception ends the watchdog, which lost.
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
}

std::string describe(Cut cut, const domain::StreamLimits& limits, const char* what) {
    if (cut == Cut::cutoff) {
        return "cut short (" + (limits.cut ? limits.cut->reason() : std::string("stopped")) + ")";
    }
    if (cut == Cut::idle) {
        return std::string("no ") + what + " for " + domain::format_duration(limits.idle);
    }
    return "timed out";
}

}  // namespace bk::adapters::docker
