#pragma once
// Composition root: reads the config and builds the adapters and the application objects by hand.

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

#include "adapters/docker/docker_target_source.hpp"
#include "application/registry.hpp"
#include "dockerapi/client.hpp"
#include "domain/operator_config.hpp"

namespace bk::bootstrap {

/// Where the config comes from: --config, else $BACKUPCTL_CONFIG, else /etc/backupctl/config.yml
/// when it exists, else the built-in default.
domain::OperatorConfig load_config(const std::string& cli_path);

struct Services {
    domain::OperatorConfig config;
    dockerapi::Client client;
    adapters::docker::DockerTargetSource source;
    app::Registry registry;

    Services(boost::asio::any_io_executor ex, domain::OperatorConfig cfg,
             dockerapi::ClientOptions options);
};

/// The engine's address: the config's docker.host, else DOCKER_HOST, else the default socket.
Result<dockerapi::ClientOptions> client_options(const domain::OperatorConfig& config);

}  // namespace bk::bootstrap
