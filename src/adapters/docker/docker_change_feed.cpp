#include "adapters/docker/docker_change_feed.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

#include "adapters/docker/docker_dumper.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::docker {

namespace asio = boost::asio;

struct DockerChangeFeed::State {
    explicit State(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    dockerapi::EventStream* stream{nullptr};
    bool stopped{false};
};

DockerChangeFeed::DockerChangeFeed(const asio::any_io_executor& ex, dockerapi::Client& client)
    : state_(std::make_shared<State>(ex)), client_(client) {}

DockerChangeFeed::~DockerChangeFeed() = default;

void DockerChangeFeed::stop() {
    state_->stopped = true;
    state_->timer.cancel();
    if (state_->stream != nullptr)
        state_->stream->close();
}

bool DockerChangeFeed::connected() const {
    return state_->stream != nullptr;
}

Task<void> DockerChangeFeed::follow(std::function<void(const domain::ContainerChange&)> on_change,
                                    std::function<void()> on_resync) {
    auto st = state_;
    std::chrono::seconds backoff{1};
    while (!st->stopped) {
        dockerapi::EventsOptions o;
        o.filters["type"] = {"container"};
        o.filters["label"] = {"backupctl.enable"};
        auto stream = co_await client_.events(o);
        if (stream && !st->stopped) {
            // Subscribed first, then listed: nothing that happens from now on is missed.
            on_resync();
            const auto healthy_from = std::chrono::steady_clock::now();
            st->stream = &*stream;
            while (!st->stopped) {
                auto e = co_await stream->next();
                if (!e) {
                    if (e.error().code == dockerapi::errc::malformed_body)
                        continue;
                    break;  // cut: reconnect
                }
                if (!*e)
                    break;
                const auto& ev = **e;
                if (ev.attributes.contains(kEphemeralLabel))
                    continue;  // our own
                domain::ContainerChange change;
                change.action = ev.action;
                change.container_id = ev.actor_id;
                if (auto n = ev.attributes.find("name"); n != ev.attributes.end())
                    change.name = n->second;
                if (auto x = ev.attributes.find("exitCode"); x != ev.attributes.end()) {
                    try {
                        change.exit_code = std::stoi(x->second);
                    } catch (const std::exception&) {
                        change.exit_code = -1;
                    }
                }
                on_change(change);
            }
            st->stream = nullptr;
            if (std::chrono::steady_clock::now() - healthy_from >= std::chrono::seconds(30)) {
                backoff = std::chrono::seconds(1);
            }
        }
        if (st->stopped)
            break;
        // Down: wait, then try again; the caller polls (re-lists) meanwhile.
        on_resync();
        st->timer.expires_after(backoff);
        try {
            co_await st->timer.async_wait(asio::use_awaitable);
        } catch (const std::exception&) {
        }
        backoff = std::min(backoff * 2, std::chrono::seconds(30));
    }
}

}  // namespace bk::adapters::docker
