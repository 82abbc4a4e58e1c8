#include "drivers/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

#include "backupctl/labels/schema.hpp"
#include "bootstrap/wiring.hpp"
#include "drivers/cli/views.hpp"

namespace bk::drivers::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
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

Task<int> engine_command(boost::asio::any_io_executor ex, Globals g) {
    auto config = bootstrap::load_config(g.config_path);
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        co_return kExitInvalidConfig;
    }
    dockerapi::Client client(ex, *options);
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
    if (g.json) {
        nlohmann::json j{{"engine", options->address.describe()},
                         {"version", version->version},
                         {"api_version", client.api_version()},
                         {"daemon_api_version", ping->api_version},
                         {"min_api_version", version->min_api_version}};
        std::cout << j.dump(2) << "\n";
        co_return kExitOk;
    }
    std::cout << "engine:      " << options->address.describe() << "\n"
              << "server:      Docker " << version->version << " (" << version->os << "/"
              << version->arch << ")\n"
              << "api version: " << client.api_version() << " (daemon up to "
              << ping->api_version << ", from " << version->min_api_version << ")\n";
    co_return kExitOk;
}

// discover and validate share the work: config, engine, registry.
Task<int> discover_command(boost::asio::any_io_executor ex, Globals g, bool validate) {
    auto config = bootstrap::load_config(g.config_path);
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        co_return kExitInvalidConfig;
    }
    bootstrap::Services services(ex, std::move(config), *options);
    auto inventory = co_await services.registry.refresh();
    if (!inventory) {
        for (const auto& p : services.config.problems) {
            std::cerr << p.describe() << "\n";
        }
        std::cerr << "backupctl: " << inventory.error().message << "\n";
        co_return kExitFailed;
    }
    if (g.json) {
        std::cout << to_json(*inventory, services.config).dump(2) << "\n";
    } else {
        std::cout << render_discovery(*inventory, services.config, g.verbosity > 0);
    }
    if (validate) {
        const bool bad = inventory->has_problems() || !services.config.problems.empty();
        if (!g.json) {
            std::cout << (bad ? "\ninvalid: fix the problems above\n" : "\nvalid\n");
        }
        co_return bad ? kExitInvalidConfig : kExitOk;
    }
    co_return kExitOk;
}

Task<int> config_show_command(boost::asio::any_io_executor ex, Globals g, std::string target) {
    auto config = bootstrap::load_config(g.config_path);
    if (target.empty()) {
        const auto j = config_to_json(config);
        std::cout << (g.json ? j.dump(2) + "\n" : render_yaml(j));
        co_return config.problems.empty() ? kExitOk : kExitInvalidConfig;
    }
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        co_return kExitInvalidConfig;
    }
    bootstrap::Services services(ex, std::move(config), *options);
    auto inventory = co_await services.registry.refresh();
    if (!inventory) {
        std::cerr << "backupctl: " << inventory.error().message << "\n";
        co_return kExitFailed;
    }
    const auto* t = inventory->find(target);
    if (t == nullptr) {
        std::cerr << "backupctl: no target named \"" << target << "\"";
        if (!inventory->targets.empty()) {
            std::cerr << " (targets:";
            for (const auto& x : inventory->targets) std::cerr << " " << x.name;
            std::cerr << ")";
        }
        std::cerr << "\n";
        co_return kExitFailed;
    }
    const auto j = to_json(*t);
    std::cout << (g.json ? j.dump(2) + "\n" : render_yaml(j));
    co_return kExitOk;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"backupctl: Docker-aware backups of databases and volumes, driven by labels"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "backupctl 0.1.0");
    Globals g;
    app.add_option("--config", g.config_path,
                   "Config file (default: $BACKUPCTL_CONFIG, else /etc/backupctl/config.yml if "
                   "present, else the built-in default)");
    app.add_flag("-v,--verbose", g.verbosity,
                 "More output: discover and validate also list the containers they skip");

    auto* engine = app.add_subcommand(
        "engine", "Check that the Docker engine answers and show the negotiated API version");
    engine->add_flag("--json", g.json, "JSON output");

    auto* discover = app.add_subcommand(
        "discover", "List every labelled container: its target with resolved defaults, or its "
                    "errors");
    discover->add_flag("--json", g.json, "JSON output");

    auto* validate = app.add_subcommand(
        "validate", "Check the config and every container's labels; exit 3 on any problem");
    validate->add_flag("--json", g.json, "JSON output");

    auto* config = app.add_subcommand("config", "Show the configuration");
    config->require_subcommand(1);
    auto* show = config->add_subcommand(
        "show", "The resolved config (every secret masked), or one target's resolved settings");
    std::string show_target;
    show->add_option("target", show_target, "A target name");
    show->add_flag("--json", g.json, "JSON output");

    auto* docs = app.add_subcommand("docs", "Print generated documentation");
    docs->require_subcommand(1);
    auto* docs_labels = docs->add_subcommand("labels", "The label reference (docs/labels.md)");

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
        return run_task([&g](auto ex) { return engine_command(ex, g); });
    }
    if (discover->parsed()) {
        return run_task([&g](auto ex) { return discover_command(ex, g, false); });
    }
    if (validate->parsed()) {
        return run_task([&g](auto ex) { return discover_command(ex, g, true); });
    }
    if (show->parsed()) {
        return run_task([&g, &show_target](auto ex) { return config_show_command(ex, g, show_target); });
    }
    if (docs_labels->parsed()) {
        std::cout << labels::render_label_reference();
        return kExitOk;
    }
    if (runcmd->parsed()) {
        std::cerr << "backupctl run: backups are not implemented in this build yet: this build "
                     "discovers targets (`backupctl discover`) but does not run them.\n";
        return kExitFailed;
    }
    return kExitFailed;
}

}  // namespace bk::drivers::cli
