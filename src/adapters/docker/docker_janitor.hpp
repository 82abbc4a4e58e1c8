#pragma once

#include <memory>
#include <string>

#include "domain/ports/recovery.hpp"

namespace boost::asio {
class any_io_executor;
}
namespace dockerapi {
class Client;
class EventStream;
}  // namespace dockerapi

namespace bk::adapters::docker {

/// domain::Janitor over the Engine API: our containers are found by the backupctl.ephemeral label.
class DockerJanitor final : public domain::Janitor {
public:
    explicit DockerJanitor(dockerapi::Client& client) : client_(client) {}
    Task<Result<std::vector<domain::Leftover>>> leftovers() override;
    Task<Result<void>> remove(std::string container_id) override;
    Task<Result<bool>> start_if_stopped(std::string container_id) override;

private:
    dockerapi::Client& client_;
};

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

private:
    struct State;
    std::shared_ptr<State> state_;
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
