#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <memory>

#include "domain/ports/recovery.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::ChangeFeed over GET /events (type=container, label backupctl.enable; our own dump
/// containers carry no such label). Reconnects with back-off 1 s -> 30 s, reset after 30 s of a
/// healthy stream; no `since` is needed because every (re)subscription is followed by a resync.
class DockerChangeFeed final : public domain::ChangeFeed {
public:
    DockerChangeFeed(const boost::asio::any_io_executor& ex, dockerapi::Client& client);
    ~DockerChangeFeed() override;
    Task<void> follow(std::function<void(const domain::ContainerChange&)> on_change,
                      std::function<void()> on_resync) override;
    void stop() override;
    [[nodiscard]] bool connected() const override;

private:
    struct State;
    std::shared_ptr<State> state_;
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
