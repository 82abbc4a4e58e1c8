#pragma once
// What the CLI's commands share: global options, exit codes, running a coroutine to completion,
// connecting to the engine on the config.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "application/checks.hpp"
#include "application/registry.hpp"
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

/// What a command needs of the config: as it is (problems are shown by the command), or free of
/// fatal problems (run, prune, restore, ...).
enum class ConfigNeed { any, valid };

/// The preamble of every command that reads the engine: the config (with ConfigNeed::valid its
/// problems are printed when one is fatal), then the services on it. nullptr when it cannot: it
/// said why on stderr and set `exit_code` (kExitInvalidConfig).
std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             const Globals& g,
                                             ConfigNeed need,
                                             int& exit_code);
/// The same on a config already loaded. `verbosity`: the `-v` count (see
/// bootstrap::make_logger; the Globals' one above).
std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             domain::OperatorConfig config,
                                             int& exit_code,
                                             int verbosity = 0);

/// The targets found now; nullopt when discovery failed (said on stderr).
Task<std::optional<app::Inventory>> discover_targets(bootstrap::Services& services);

/// Who runs this command, for the audit trail: "$SUDO_USER or $USER uid N".
std::string operator_identity();

/// Opens a run's services; a broken audit store is a warning in the log (the command goes on,
/// its records go to the fallback file).
void open_run(bootstrap::RunServices& run);

/// "  ok    name (detail)", "  WARN  name: problem", "  FAIL  name: problem" (escaped).
std::string check_line(const app::Check& c);
/// {check, ok, level (ok|warn|fail), problem, detail}.
nlohmann::json check_json(const app::Check& c);
/// Whether a check failed (a warning does not).
bool any_failed(const std::vector<app::Check>& checks);
/// Prints the checks of `health`, as lines or (json) {healthy, warnings, checks}; true when one
/// failed.
bool print_checks(const std::vector<app::Check>& checks, bool json);

}  // namespace bk::drivers::cli
