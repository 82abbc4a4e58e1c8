#include "drivers/cli/common.hpp"

#include <cstdlib>
#include <iostream>

#include "drivers/cli/terminal_text.hpp"
#include <unistd.h>

namespace bk::drivers::cli {

std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             domain::OperatorConfig config,
                                             int& exit_code,
                                             int verbosity) {
    auto services = bootstrap::Services::connect(std::move(ex), std::move(config), verbosity);
    if (!services) {
        std::cerr << "backupctl: " << services.error().message << "\n";
        exit_code = kExitInvalidConfig;
        return nullptr;
    }
    return std::move(*services);
}

std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             const Globals& g,
                                             ConfigNeed need,
                                             int& exit_code) {
    auto config = bootstrap::load_config(g.config_path);
    if (need == ConfigNeed::valid && config.has_fatal_problems()) {
        for (const auto& p : config.problems)
            std::cerr << p.describe() << "\n";
        exit_code = kExitInvalidConfig;
        return nullptr;
    }
    return connect(std::move(ex), std::move(config), exit_code, g.verbosity);
}

Task<std::optional<app::Inventory>> discover_targets(bootstrap::Services& services) {
    auto inventory = co_await services.registry.refresh();
    if (!inventory) {
        std::cerr << "backupctl: " << inventory.error().message << "\n";
        co_return std::nullopt;
    }
    co_return std::move(*inventory);
}

std::string operator_identity() {
    const char* user = std::getenv("SUDO_USER");
    if (user == nullptr || *user == '\0')
        user = std::getenv("USER");
    return std::string(user != nullptr && *user != '\0' ? user : "uid") + " " +
           std::to_string(::getuid());
}

void open_run(bootstrap::RunServices& run) {
    if (auto opened = run.open(); !opened) {
        run.log().warn(opened.error().message + " (records go to " + run.audit_path() + ")");
    }
}

std::string check_line(const app::Check& c) {
    const char* mark = c.problem.empty() ? "  ok    " : (c.warning ? "  WARN  " : "  FAIL  ");
    return mark + shown(c.name) +
           (c.problem.empty() ? (c.detail.empty() ? "" : " (" + shown(c.detail) + ")")
                              : ": " + shown(c.problem));
}

nlohmann::json check_json(const app::Check& c) {
    const char* level = c.problem.empty() ? "ok" : (c.warning ? "warn" : "fail");
    return {{"check", c.name},
            {"ok", c.problem.empty()},
            {"level", level},
            {"problem", c.problem},
            {"detail", c.detail}};
}

bool any_failed(const std::vector<app::Check>& checks) {
    for (const auto& c : checks) {
        if (!c.problem.empty() && !c.warning)
            return true;
    }
    return false;
}

bool print_checks(const std::vector<app::Check>& checks, bool json) {
    int warnings = 0;
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : checks) {
        warnings += !c.problem.empty() && c.warning ? 1 : 0;
        j.push_back(check_json(c));
        if (!json)
            std::cout << check_line(c) << "\n";
    }
    const bool bad = any_failed(checks);
    // Warnings (a stopped target, no notifier) are told but leave the exit code 0.
    if (json) {
        std::cout << nlohmann::json{{"healthy", !bad}, {"warnings", warnings}, {"checks", j}}.dump(
                         2, ' ', false, kReplace)
                  << "\n";
    }
    return bad;
}

}  // namespace bk::drivers::cli
