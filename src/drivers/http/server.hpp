#pragma once
// The daemon's HTTP server (Beast, on the daemon's io_context): GET /healthz, GET /readyz,
// GET /metrics, the dashboard at /, the API under /api/v1 (see api.hpp) and the server-sent
// event stream GET /api/v1/events. Requests are small and quick or they are cut: headers ≤ 8 KiB,
// bodies ≤ 16 KiB, 10 s to send a request. At most max_connections are open at once: a new one then
// closes the oldest connection still waiting for its request (idle clients cannot lock the
// server up), or, when none is idle, gets a 503 and is closed. Accept errors (EMFILE) back off
// (50 ms doubling to 1 s) instead of spinning.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "application/daemon.hpp"
#include "core/task.hpp"

namespace bk::drivers::http {

class Api;

/// "127.0.0.1:8080", "[::1]:9100", ":8080" (all interfaces) -> host and port.
Result<std::pair<std::string, unsigned short>> parse_listen(const std::string& listen);

class HttpServer {
public:
    struct Options {
        std::string listen;
        /// The /metrics text; computed at most once a second (and after each published event).
        std::function<std::string()> metrics;
        /// Why the daemon is not alive now (empty: it is): /healthz answers 503 with it.
        std::function<std::string()> health;
        /// Why the daemon is not ready yet (empty: it is; unset: always ready): /readyz answers
        /// 503 with it. The daemon is ready once its first discovery has completed.
        std::function<std::string()> ready;
        Api* api{nullptr};
        std::size_t max_connections{128};  ///< open at once, event streams included
        std::size_t max_event_streams{16};
    };
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds now (errors: invalid_config for a bad address, io_error when it cannot bind) and
    /// serves on `ex` until stop() or destruction.
    static Result<std::unique_ptr<HttpServer>> start(boost::asio::any_io_executor ex,
                                                     Options options);
    /// Sends `e` to every event-stream client (slow clients lose old progress, never the rest).
    void publish(const app::RunEvent& e);
    /// Stops listening and cancels the sessions in flight (through their cancellation slots).
    void stop();
    /// Until the accept loop and every session have ended (after stop()), at most until
    /// `deadline`: false when some are left then.
    Task<bool> wait_until(std::chrono::steady_clock::time_point deadline);
    [[nodiscard]] unsigned short port() const;

    struct Counters {
        std::size_t open{0};           ///< connections open now
        std::size_t event_streams{0};  ///< of which event streams
        std::size_t evicted{0};        ///< idle connections closed to make room
        std::size_t refused{0};        ///< connections answered 503 at once (all busy)
        std::size_t accept_errors{0};  ///< accept failures (EMFILE, ...), each backed off
    };
    [[nodiscard]] Counters counters() const;

    struct State;  ///< (internal; public for the serving coroutines)

private:
    explicit HttpServer(std::shared_ptr<State> st);
    std::shared_ptr<State> state_;
};

/// The dashboard (one HTML page with its script and style; no CDN, no build step).
extern const char* const kDashboardHtml;

}  // namespace bk::drivers::http
