#pragma once

#include "domain/ports/backup_ports.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::HookRunner with the Engine API's exec: the argv runs inside the target, no shell.
class DockerHookRunner final : public domain::HookRunner {
public:
    explicit DockerHookRunner(dockerapi::Client& client) : client_(client) {}

    // domain::HookRunner
    Task<domain::HookOutcome> run(const domain::Target& target,
                                  std::vector<std::string> argv) override;

private:
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
