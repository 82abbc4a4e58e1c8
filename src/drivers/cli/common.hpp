#pragma once
// What the CLI's commands share: global options, exit codes, running a coroutine to completion,
// connecting to the engine on the config.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "bootstrap/wiring.hpp"

namespace bk::drivers::cli {

/// JSON output: bytes that are not UTF-8 (a program's stderr in an error) become U+FFFD.
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
/// The command line is wrong (an unknown option, a missing argument): nothing was done. 2 is also
/// "lock held" (`run`, `unlock`): nothing was done either; the message says which.
constexpr int kExitUsage = 2;
constexpr int kExitInvalidConfig = 3;

struct Globals {
    std::string config_path;
    bool json{false};
    int verbosity{0};
};

template <class F>
int run_task(F make_task) {
    boost::asio::io_context ioc;
    auto done = boost::asio::co_spawn(ioc, make_task(ioc.get_executor()), boost::asio::use_future);
    ioc.run();
    return done.get();
}

/// The services on a config; says why and sets `exit_code` when the engine address is invalid.
/// `verbosity`: the `-v` count (see bootstrap::make_logger).
std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             domain::OperatorConfig config,
                                             int& exit_code,
                                             int verbosity = 0);
/// The same on a config that must be free of fatal problems (run, prune, restore).
std::unique_ptr<bootstrap::Services> connect_valid(boost::asio::any_io_executor ex,
                                                   const Globals& g, int& exit_code);

}  // namespace bk::drivers::cli
