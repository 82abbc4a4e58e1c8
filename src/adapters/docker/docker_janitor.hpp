#pragma once

#include <string>

#include "domain/ports/recovery.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::Janitor over the Engine API: our containers are found by the backupctl.ephemeral label.
class DockerJanitor final : public domain::Janitor {
public:
    explicit DockerJanitor(dockerapi::Client& client) : client_(client) {}
    Task<Result<std::vector<domain::Leftover>>> leftovers() override;
    Task<Result<void>> remove(domain::Leftover leftover) override;
    Task<Result<bool>> start_if_stopped(std::string container_id) override;
    Task<Result<void>> leave_network(std::string network, std::string container) override;

private:
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
