#include "drivers/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

#include "dockerapi/client.hpp"

namespace bk::drivers::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;

dockerapi::Task<int> engine_command() {
    auto address = dockerapi::docker_host_from_env();
    if (!address) {
        std::cerr << "backupctl: " << address.error().describe() << "\n";
        co_return kExitFailed;
    }
    auto executor = co_await boost::asio::this_coro::executor;
    dockerapi::Client client(executor, dockerapi::ClientOptions{*address});
    auto ping = co_await client.ping();
    if (!ping) {
        std::cerr << "backupctl: " << ping.error().describe() << "\n";
        co_return kExitFailed;
    }
    auto version = co_await client.version();
    if (!version) {
        std::cerr << "backupctl: " << version.error().describe() << "\n";
        co_return kExitFailed;
    }
    std::cout << "engine:      " << address->describe() << "\n"
              << "server:      Docker " << version->version << " (" << version->os << "/"
              << version->arch << ")\n"
              << "api version: " << client.api_version() << " (daemon up to "
              << ping->api_version << ", from " << version->min_api_version << ")\n";
    co_return kExitOk;
}

template <class F>
int run_task(F make_task) {
    boost::asio::io_context ioc;
    auto done = boost::asio::co_spawn(ioc, make_task(), boost::asio::use_future);
    ioc.run();
    return done.get();
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"backupctl: Docker-aware backups of databases and volumes, driven by labels"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "backupctl 0.1.0");

    auto* engine = app.add_subcommand("engine", "Check that the Docker engine answers and show "
                                                "the negotiated API version");
    auto* runcmd = app.add_subcommand("run", "Back up a target now (not available yet)");
    std::string target;
    bool all = false;
    runcmd->add_option("target", target, "Target name");
    runcmd->add_flag("--all", all, "Every target");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (engine->parsed()) {
        return run_task(engine_command);
    }
    if (runcmd->parsed()) {
        std::cerr << "backupctl run: backups are not implemented in this build yet: this build "
                     "has the Docker Engine client only (see `backupctl engine`).\n";
        return kExitFailed;
    }
    return kExitFailed;
}

}  // namespace bk::drivers::cli
