#include "drivers/cli/daemon_command.hpp"

#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "application/daemon.hpp"
#include "bootstrap/daemon_host.hpp"
#include "bootstrap/wiring.hpp"
#include "domain/utc_time.hpp"
#include "drivers/cli/common.hpp"
#include "drivers/cli/terminal_text.hpp"
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace bk::drivers::cli {
namespace {

namespace asio = boost::asio;

Task<int> daemon_task(asio::any_io_executor ex, std::string config_path, int verbosity) {
    // Signals are ours from the first moment: one that comes during recovery stops the daemon as
    // soon as it exists, instead of killing the process half way.
    asio::signal_set signals(ex, SIGTERM, SIGINT);
    app::Daemon* daemon_ptr = nullptr;
    std::string early_signal;
    signals.async_wait([&daemon_ptr, &early_signal](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
        if (daemon_ptr != nullptr) {
            daemon_ptr->stop(name);
        } else {
            early_signal = name;
        }
    });
    auto config = bootstrap::load_config(config_path);
    if (config.has_fatal_problems()) {
        for (const auto& p : config.problems)
            std::cerr << p.describe() << "\n";
        co_return kExitInvalidConfig;
    }
    auto host = bootstrap::DaemonHost::make(ex, std::move(config), verbosity);
    if (!host) {
        std::cerr << "backupctl: " << host.error().message << "\n";
        co_return kExitInvalidConfig;
    }
    co_await (*host)->start();
    daemon_ptr = &(*host)->daemon();
    if (!early_signal.empty())
        daemon_ptr->stop(early_signal);  // it came during the start
    co_await (*host)->run();
    daemon_ptr = nullptr;
    signals.cancel();
    co_return kExitOk;
}

}  // namespace

int daemon_command(const std::string& config_path, int verbosity) {
    return run_task(
        [&config_path, verbosity](auto ex) { return daemon_task(ex, config_path, verbosity); });
}

int unlock_command(const std::string& config_path, const std::string& target, bool json) {
    const auto config = bootstrap::load_config(config_path);
    auto say = [json, &target](bool ok, const std::string& message) {
        if (json) {
            std::cout << nlohmann::json{{"target", target}, {"unlocked", ok}, {"message", message}}
                             .dump(2, ' ', false, kReplace)
                      << "\n";
        } else {
            std::cout << message << "\n";
        }
    };
    using State = domain::StaleLockRemoval::State;
    const auto found = bootstrap::unlock_target(config, target);
    switch (found.state) {
        case State::not_a_name:
            say(false, "not a target name: \"" + target + "\"");
            return 1;
        case State::not_locked:
            say(true, target + " is not locked");
            return 0;
        case State::held:
            say(false,
                "refusing: " + target + " is locked by a live process (" + found.holder +
                    "); stop that run instead");
            return 2;
        case State::removed:
            break;
    }
    say(true, target + ": no live process held the lock; lock file removed");
    return 0;
}

static Task<int> health_task(boost::asio::any_io_executor ex,
                             std::string config_path,
                             bool json,
                             bool quick) {
    auto checks = co_await bootstrap::health_checks(ex, bootstrap::load_config(config_path), quick);
    const bool bad = print_checks(checks, json);
    co_return bad ? kExitFailed : kExitOk;
}

int health_command(const std::string& config_path, bool json, bool quick) {
    return run_task([&](auto ex) { return health_task(ex, config_path, json, quick); });
}

static Task<int> notify_test_task(boost::asio::any_io_executor ex,
                                  std::string config_path,
                                  std::string name) {
    auto config = bootstrap::load_config(config_path);
    if (config.has_fatal_problems()) {
        for (const auto& p : config.problems)
            std::cerr << p.describe() << "\n";
        co_return 3;
    }
    const bootstrap::AlertEndpoints endpoints(ex, config);
    const auto t0 = std::chrono::steady_clock::now();
    Result<void> sent = Failure{errc::not_found, ""};
    std::string what;
    if (auto* n = endpoints.notifier(name)) {
        domain::Alert a;
        a.kind = "test";
        a.id = "test:" + name + ":" + domain::utc_now();
        a.status = "test";
        a.at = domain::utc_now();
        a.details = "A test from `backupctl notify test " + name + "`: this notifier works.\n";
        what = "test alert to notifier " + name;
        sent = co_await n->send(a);
    } else if (auto* m = endpoints.monitor(name)) {
        what = "test ping to monitor " + name;
        sent = co_await m->alive("backupctl notify test: this monitor works");
    } else {
        for (const auto& p : endpoints.problems())
            std::cerr << "backupctl: " << p << "\n";
        std::cerr << "backupctl: no usable notifier or monitor named \"" << name << "\"\n";
        co_return 1;
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (!sent) {
        std::cout << what << ": FAILED after " << ms << " ms: " << sent.error().message << "\n";
        co_return 1;
    }
    std::cout << what << ": delivered in " << ms << " ms\n";
    co_return 0;
}

int notify_test_command(const std::string& config_path, const std::string& name) {
    return run_task([&](auto ex) { return notify_test_task(ex, config_path, name); });
}

static Task<int> metrics_task(boost::asio::any_io_executor ex, std::string config_path) {
    Globals g;
    g.config_path = config_path;
    int code = kExitOk;
    auto services = connect(ex, g, ConfigNeed::valid, code);
    if (!services)
        co_return code;
    bootstrap::RunServices run(ex, *services);
    (void)run.open();
    std::cout << run.metrics({}, {}, -1);
    co_return kExitOk;
}

int metrics_command(const std::string& config_path) {
    return run_task([&](auto ex) { return metrics_task(ex, config_path); });
}

}  // namespace bk::drivers::cli
