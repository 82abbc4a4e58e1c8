#include "bootstrap/wiring.hpp"

#include <cstdlib>
#include <filesystem>

#include "adapters/config/yaml_config_loader.hpp"

namespace bk::bootstrap {

domain::OperatorConfig load_config(const std::string& cli_path) {
    std::string path = cli_path;
    if (path.empty()) {
        if (const char* env = std::getenv("BACKUPCTL_CONFIG"); env != nullptr && *env != '\0') {
            path = env;
        } else if (std::filesystem::exists("/etc/backupctl/config.yml")) {
            path = "/etc/backupctl/config.yml";
        }
    }
    if (path.empty()) {
        return adapters::config::default_config();
    }
    return adapters::config::load_config_file(path, adapters::config::process_env());
}

Result<dockerapi::ClientOptions> client_options(const domain::OperatorConfig& config) {
    auto address = config.docker_host.empty() ? dockerapi::docker_host_from_env()
                                              : dockerapi::parse_docker_host(config.docker_host);
    if (!address) {
        return Failure{errc::invalid_config, address.error().message};
    }
    dockerapi::ClientOptions o;
    o.address = *address;
    return o;
}

Services::Services(boost::asio::any_io_executor ex, domain::OperatorConfig cfg,
                   dockerapi::ClientOptions options)
    : config(std::move(cfg)),
      client(std::move(ex), std::move(options)),
      source(client),
      registry(config, source) {}

}  // namespace bk::bootstrap
