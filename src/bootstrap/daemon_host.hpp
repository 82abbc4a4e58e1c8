#pragma once
// The daemon with what it runs on, built in one place: the services, the engine's change feed,
// the time zone, the scheduler (app::Daemon), the HTTP server with the API and the dashboard,
// the audit fallback's replays and the orphan reaper. The CLI's `daemon` command keeps only
// what is its own: the config's problems on stderr, the signals and the exit code.

#include <boost/asio/any_io_executor.hpp>

#include <memory>

#include "application/daemon.hpp"
#include "bootstrap/wiring.hpp"
#include "domain/operator_config.hpp"

namespace bk::bootstrap {

class DaemonHost {
public:
    /// On a config free of fatal problems; starts reaping orphans at once. Its lines go to the
    /// process's logger (Services::log: the config's `log:`, made more verbose by `verbosity`,
    /// the `-v` count). Errors: invalid_config (an unknown time zone, an engine address that is
    /// not one).
    static Result<std::unique_ptr<DaemonHost>> make(boost::asio::any_io_executor ex,
                                                    domain::OperatorConfig config,
                                                    int verbosity);
    ~DaemonHost();
    DaemonHost(const DaemonHost&) = delete;
    DaemonHost& operator=(const DaemonHost&) = delete;

    /// Opens the audit store (broken: a warning), cleans what dead instances left, then builds
    /// the scheduler and the HTTP server (a listener that cannot bind is an error in the log:
    /// backups matter more than their dashboard).
    Task<void> start();
    /// After start(): the scheduler (stop() it on a signal).
    app::Daemon& daemon();
    /// Runs the scheduler until it is stopped and its runs have ended, then stops serving HTTP.
    Task<void> run();

    struct Parts;

private:
    explicit DaemonHost(std::unique_ptr<Parts> parts);
    std::unique_ptr<Parts> parts_;
};

}  // namespace bk::bootstrap
