#include "drivers/cli/daemon_command.hpp"
#include "drivers/cli/common.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "adapters/docker/docker_change_feed.hpp"
#include "adapters/time/system_zone.hpp"
#include "application/daemon.hpp"
#include "bootstrap/wiring.hpp"

namespace bk::drivers::cli {
namespace {

namespace asio = boost::asio;

void log_line(const std::string& level, const std::string& message) {
    std::cerr << app::utc_now() << " " << level << " " << message << "\n" << std::flush;
}

template <class F>
int run_on_context(F make_task) {
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, make_task(ioc.get_executor()), asio::use_future);
    ioc.run();
    return done.get();
}

Task<int> daemon_task(asio::any_io_executor ex, std::string config_path) {
    // Signals are ours from the first moment: one that comes during recovery stops the daemon as
    // soon as it exists, instead of killing the process half way.
    asio::signal_set signals(ex, SIGTERM, SIGINT);
    app::Daemon* daemon_ptr = nullptr;
    std::string early_signal;
    signals.async_wait([&daemon_ptr, &early_signal](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
        if (daemon_ptr != nullptr) {
            daemon_ptr->stop(name);
        } else {
            early_signal = name;
        }
    });
    auto config = bootstrap::load_config(config_path);
    if (config.has_fatal_problems()) {
        for (const auto& p : config.problems) std::cerr << p.describe() << "\n";
        co_return 3;
    }
    auto zone = adapters::time::system_zone(config.timezone);
    if (!zone) {
        std::cerr << "backupctl: " << zone.error().message << "\n";
        co_return 3;
    }
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        co_return 3;
    }
    bootstrap::Services services(ex, std::move(config), *options);
    bootstrap::RunServices run(ex, services);
    if (auto opened = run.open(); !opened) {
        log_line("warn", "audit store: " + opened.error().message + " (records go to " +
                             run.audit()->path() + " until it works again)");
    }
    co_await run.recover();
    adapters::docker::DockerChangeFeed feed(ex, services.client);
    app::Daemon daemon(ex, services.config, services.registry, run.runner(), *run.audit(), feed,
                       run.janitor(), run.instance_id(), *zone, log_line);
    daemon_ptr = &daemon;
    daemon.drills(run.restore());
    if (!early_signal.empty()) daemon.stop(early_signal);  // it came during the start
    auto* audit = run.audit();
    daemon.every_minute([audit] {
        if (audit->pending() == 0) return;
        auto r = audit->replay();
        if (r.replayed + r.bad > 0) {
            log_line("info", "audit fallback: " + std::to_string(r.replayed) + " replayed, " +
                                 std::to_string(r.bad) + " unreadable, " + std::to_string(r.kept) +
                                 " still waiting");
        }
    });
    co_await daemon.run();
    daemon_ptr = nullptr;
    signals.cancel();
    co_return 0;
}

}  // namespace

int daemon_command(const std::string& config_path) {
    return run_on_context([&config_path](auto ex) { return daemon_task(ex, config_path); });
}

int unlock_command(const std::string& config_path, const std::string& target, bool json) {
    auto config = bootstrap::load_config(config_path);
    const std::string path = config.state_dir + "/locks/" + target + ".lock";
    auto say = [json, &target](bool ok, const std::string& message) {
        if (json) {
            std::cout << nlohmann::json{{"target", target}, {"unlocked", ok}, {"message", message}}.dump(2, ' ', false, kReplace)
                      << "\n";
        } else {
            std::cout << message << "\n";
        }
    };
    if (target.empty() || target.find('/') != std::string::npos) {
        say(false, "not a target name: \"" + target + "\"");
        return 1;
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        say(true, target + " is not locked");
        return 0;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[512] = {};
        const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "a live process";
        while (!holder.empty() && holder.back() == '\n') holder.pop_back();
        ::close(fd);
        say(false, "refusing: " + target + " is locked by a live process (" + holder +
                       "); stop that run instead");
        return 2;
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
    ::close(fd);
    say(true, target + ": no live process held the lock; lock file removed");
    return 0;
}

int health_command(const std::string& config_path, bool json) {
    return run_on_context([&config_path, json](auto ex) -> Task<int> {
        auto config = bootstrap::load_config(config_path);
        std::vector<std::pair<std::string, std::string>> checks;  // name, problem
        for (const auto& p : config.problems) {
            if (p.project.empty()) checks.emplace_back("config", p.describe());
        }
        if (checks.empty()) checks.emplace_back("config", "");
        auto options = bootstrap::client_options(config);
        if (!options) {
            checks.emplace_back("engine", options.error().message);
        } else {
            bootstrap::Services services(ex, config, *options);
            auto ping = co_await services.client.ping();
            checks.emplace_back("engine " + services.client_address,
                                ping ? "" : ping.error().describe());
        }
        auto audit = bootstrap::open_audit(config.state_dir);
        checks.emplace_back("audit store", audit->store_error());
        const int pending = audit->pending();
        checks.emplace_back("audit fallback " + audit->path(),
                            pending == 0 ? "" : std::to_string(pending) +
                                                    " record(s) not replayed into the audit store");
        bool bad = false;
        nlohmann::json j = nlohmann::json::array();
        for (const auto& [name, problem] : checks) {
            bad = bad || !problem.empty();
            j.push_back({{"check", name}, {"ok", problem.empty()}, {"problem", problem}});
            if (!json) {
                std::cout << (problem.empty() ? "  ok    " : "  FAIL  ") << name
                          << (problem.empty() ? "" : ": " + problem) << "\n";
            }
        }
        if (json) std::cout << nlohmann::json{{"healthy", !bad}, {"checks", j}}.dump(2, ' ', false, kReplace) << "\n";
        co_return bad ? 1 : 0;
    });
}

}  // namespace bk::drivers::cli
