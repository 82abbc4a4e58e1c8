#pragma once
// Config projects (the original backupctl's `projects:`) against the engine: where their database
// runs now, and the operator's own container on their network for their hooks.

#include <map>
#include <string>

#include "domain/ports/backup_ports.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::TargetResolver over the engine. `database.host` is looked up at every run among the
/// running containers: by name, compose service or network alias, on `docker_network` when the
/// project gives one. A host that is no container (an IP, a name outside Docker) is reached with
/// the client image the config names (`database.image`, else `client_images[type]`).
class DockerTargetResolver final : public domain::TargetResolver {
public:
    DockerTargetResolver(dockerapi::Client& client,
                         std::map<std::string, std::string> client_images)
        : client_(client), client_images_(std::move(client_images)) {}

    Task<Result<domain::Target>> resolve(const domain::Target& target) override;

private:
    dockerapi::Client& client_;
    std::map<std::string, std::string> client_images_;  ///< db type -> client image
};

/// domain::NetworkAttachment: finds the operator's own container (BACKUPCTL_SELF_CONTAINER_ID,
/// else /proc/self/mountinfo, validated by the engine's inspect and the host name) and connects
/// it to a network. Outside a container it does nothing.
class DockerNetworkAttachment final : public domain::NetworkAttachment {
public:
    explicit DockerNetworkAttachment(dockerapi::Client& client) : client_(client) {}

    Task<std::string> self() override;
    Task<Result<bool>> join(std::string network, std::string container) override;
    Task<Result<void>> leave(std::string network, std::string container) override;

private:
    dockerapi::Client& client_;
    bool looked_{false};
    std::string self_;
};

/// A container id from /proc/self/mountinfo lines (…/containers/<64 hex>/hostname|hosts|
/// resolv.conf), empty when none.
std::string container_id_from_mountinfo(const std::string& mountinfo);

/// Whether `host` is an IPv4 or IPv6 address (never a container name).
bool is_ip_address(const std::string& host);

}  // namespace bk::adapters::docker
