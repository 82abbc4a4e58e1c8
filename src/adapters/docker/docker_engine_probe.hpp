#pragma once
// The engine as the operator's checks read it (ping, versions, a container's state, an image).

#include "domain/ports/checks.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

class DockerEngineProbe final : public domain::EngineProbe {
public:
    /// `address`: where the client connects, for humans.
    DockerEngineProbe(dockerapi::Client& client, std::string address);
    [[nodiscard]] std::string address() const override { return address_; }
    Task<Result<void>> ping() override;
    Task<Result<domain::EngineInfo>> info() override;
    Task<Result<bool>> container_running(std::string id) override;
    Task<Result<void>> image_present(std::string image) override;

private:
    dockerapi::Client& client_;
    std::string address_;
};

}  // namespace bk::adapters::docker
