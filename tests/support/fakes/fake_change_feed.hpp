#pragma once
// Fake of domain::ChangeFeed: reports nothing by itself and waits until stop(); resync() asks
// the follower to list the containers again (as an event would).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>

#include "domain/ports/recovery.hpp"

namespace bk::testing {

class FakeChangeFeed final : public domain::ChangeFeed {
public:
    explicit FakeChangeFeed(boost::asio::any_io_executor ex) : timer_(ex) {}
    void resync() {
        if (on_resync_)
            on_resync_();
    }
    /// Reports a change, as the engine's events stream would.
    void change(const domain::ContainerChange& c) {
        if (on_change_)
            on_change_(c);
    }
    Task<void> follow(std::function<void(const domain::ContainerChange&)> on_change,
                      std::function<void()> on_resync) override {
        on_change_ = std::move(on_change);
        on_resync_ = on_resync;
        on_resync();
        timer_.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    void stop() override { timer_.cancel(); }
    [[nodiscard]] bool connected() const override { return true; }

private:
    boost::asio::steady_timer timer_;
    std::function<void(const domain::ContainerChange&)> on_change_;
    std::function<void()> on_resync_;
};

}  // namespace bk::testing
