#pragma once

#include "domain/ports/backup_ports.hpp"

namespace dockerapi {
class Client;
}

namespace bk::adapters::docker {

/// domain::FileArchiver over the Engine API: `GET /containers/{id}/archive` streams each path as
/// a tar (no extra image, no host path); stop and start for stop-during-backup.
class DockerFileArchiver final : public domain::FileArchiver {
public:
    explicit DockerFileArchiver(dockerapi::Client& client) : client_(client) {}

    // domain::FileArchiver
    Task<Result<std::vector<domain::FileItem>>> plan_files(const domain::Target& target) override;
    Task<Result<std::uint64_t>> stream(const domain::Target& target,
                                       const domain::FileItem& item,
                                       domain::ByteSink& sink,
                                       domain::StreamLimits limits) override;
    Task<Result<bool>> stop(const domain::Target& target) override;
    Task<Result<void>> start(const domain::Target& target) override;

private:
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
