#pragma once
// The process's one logger (domain::Logger over spdlog), built here and handed to whatever logs.

#include <memory>
#include <string>
#include <vector>

#include "domain/operator_config.hpp"
#include "domain/ports/logger.hpp"

namespace bk::bootstrap {

/// The logger on the config's `log:` (level, format), made more verbose by `-v` (1: debug,
/// 2: trace); every secret value of the config is masked in what it writes. Lines go to stderr.
std::unique_ptr<domain::Logger> make_logger(const domain::OperatorConfig& config, int verbosity);

/// The config's secret values: repository passwords and credentials, notifier and monitor
/// secrets, config projects' database passwords.
std::vector<std::string> secrets_of(const domain::OperatorConfig& config);

}  // namespace bk::bootstrap
