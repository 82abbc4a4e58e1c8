#pragma once
// Fake of domain::TargetSource: the containers discovery finds are `found`. With `hold` set, a
// discovery answers only once the timer is cancelled (a slow first listing).

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <vector>

#include "domain/ports/target_source.hpp"

namespace bk::testing {

class FakeTargetSource final : public domain::TargetSource {
public:
    std::vector<domain::DiscoveredContainer> found;
    std::shared_ptr<boost::asio::steady_timer> hold;
    int asked{0};        ///< discoveries begun
    int discoveries{0};  ///< answered so far
    /// Lets the held discovery answer; later ones answer at once.
    void release() {
        auto h = std::move(hold);
        if (h)
            h->cancel();
    }
    Task<Result<std::vector<domain::DiscoveredContainer>>> discover(
        const domain::OperatorConfig&) override {
        ++asked;
        if (hold) {
            auto held = hold;  // the timer lives until this discovery is released
            held->expires_at(boost::asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await held->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        ++discoveries;
        co_return found;
    }
};

}  // namespace bk::testing
