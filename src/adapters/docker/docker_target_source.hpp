#pragma once

#include "dockerapi/errors.hpp"
#include "domain/ports/target_source.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::TargetSource over the Engine API: one container list call, labels parsed by bk_labels.
class DockerTargetSource final : public domain::TargetSource {
public:
    explicit DockerTargetSource(dockerapi::Client& client) : client_(client) {}

    // domain::TargetSource
    Task<Result<std::vector<domain::DiscoveredContainer>>> discover(
        const domain::OperatorConfig& config) override;

private:
    dockerapi::Client& client_;
};

/// dockerapi errors as backupctl failures.
Failure to_failure(const dockerapi::Error& e);

}  // namespace bk::adapters::docker
