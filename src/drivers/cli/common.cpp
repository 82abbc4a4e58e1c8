#include "drivers/cli/common.hpp"

#include <iostream>

namespace bk::drivers::cli {

std::unique_ptr<bootstrap::Services> connect(boost::asio::any_io_executor ex,
                                             domain::OperatorConfig config,
                                             int& exit_code,
                                             int verbosity) {
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        exit_code = kExitInvalidConfig;
        return nullptr;
    }
    return std::make_unique<bootstrap::Services>(
        std::move(ex), std::move(config), *options, verbosity);
}

std::unique_ptr<bootstrap::Services> connect_valid(boost::asio::any_io_executor ex,
                                                   const Globals& g, int& exit_code) {
    auto config = bootstrap::load_config(g.config_path);
    if (config.has_fatal_problems()) {
        for (const auto& p : config.problems) std::cerr << p.describe() << "\n";
        exit_code = kExitInvalidConfig;
        return nullptr;
    }
    return connect(std::move(ex), std::move(config), exit_code, g.verbosity);
}

}  // namespace bk::drivers::cli
