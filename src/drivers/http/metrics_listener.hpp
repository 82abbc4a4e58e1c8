#pragma once
// The daemon's minimal HTTP listener: GET /metrics (Prometheus text) and GET /healthz. The HTTP
// API issue grows it into the full server (API, events, dashboard); until then nothing else is
// served and nothing needs a token (metrics hold no secrets; it listens on loopback by default).

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/task.hpp"

namespace bk::drivers::http {

/// "127.0.0.1:8080", "[::1]:9100", ":8080" (all interfaces) -> host and port.
Result<std::pair<std::string, unsigned short>> parse_listen(const std::string& listen);

class MetricsListener {
public:
    using Render = std::function<std::string()>;
    ~MetricsListener();
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    /// Binds now (errors: invalid_config for a bad address, io_error when it cannot bind) and
    /// serves on `ex` until stop() or destruction.
    static Result<std::unique_ptr<MetricsListener>> start(boost::asio::any_io_executor ex,
                                                          const std::string& listen,
                                                          Render metrics);
    void stop();
    [[nodiscard]] unsigned short port() const;

    struct State;  ///< (internal; public for the serving coroutines)

private:
    explicit MetricsListener(std::shared_ptr<State> st);
    std::shared_ptr<State> state_;
};

}  // namespace bk::drivers::http
