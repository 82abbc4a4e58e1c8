#pragma once
// A unix-socket proxy in front of the Docker engine that can cut its /events connections on
// demand: the e2e test of the daemon's reconnect-and-resync.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bk::testing {

class EventsCuttingProxy {
public:
    /// Listens on `path`, forwards to the engine's unix socket (DOCKER_HOST or the default).
    explicit EventsCuttingProxy(std::string path);
    ~EventsCuttingProxy();
    EventsCuttingProxy(const EventsCuttingProxy&) = delete;
    EventsCuttingProxy& operator=(const EventsCuttingProxy&) = delete;

    /// Drops every open /events connection; returns how many.
    int cut_events();
    [[nodiscard]] int events_connections_seen() const { return events_seen_.load(); }

private:
    struct Conn {
        int client;
        int upstream;
        std::atomic<bool> events{false};
        bool closed{false};  ///< under mu_
    };
    void accept_loop();
    void pump(std::shared_ptr<Conn> c);

    std::string path_;
    std::string upstream_path_;
    int listen_fd_{-1};
    std::atomic<bool> stop_{false};
    std::atomic<int> events_seen_{0};
    std::mutex mu_;
    std::vector<std::shared_ptr<Conn>> conns_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace bk::testing
