#pragma once

#include <string>

#include "adapters/docker/stream_watchdog.hpp"
#include "databases/engine.hpp"
#include "dockerapi/client.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/models/containers.hpp"
#include "dockerapi/tar.hpp"
#include "domain/ports/backup_ports.hpp"

namespace bk::adapters::docker {

/// Labels on every container backupctl creates: the orphan sweep finds them by these.
inline constexpr const char* kEphemeralLabel = "backupctl.ephemeral";
inline constexpr const char* kInstanceLabel = "backupctl.instance";
inline constexpr const char* kRunLabel = "backupctl.run";
inline constexpr const char* kTargetLabel = "backupctl.for-target";

/// domain::DatabaseDumper with dump containers: the target's own image (or its allowed override)
/// on the target's network, LogConfig none, the password written as a 0600 file (.pgpass or a
/// MySQL option file) through the archive API before start: never env, argv or logs.
class DockerDumper final : public domain::DatabaseDumper {
public:
    DockerDumper(dockerapi::Client& client,
                 std::string instance_id,
                 const databases::Registry& kinds)
        : client_(client), instance_id_(std::move(instance_id)), kinds_(kinds) {}

    // domain::DatabaseDumper
    Task<Result<std::vector<domain::DumpItem>>> plan(const domain::Target& target) override;
    Task<domain::DumpOutcome> dump(const domain::Target& target,
                                   const domain::DumpItem& item,
                                   domain::ByteSink& sink,
                                   std::string run_id,
                                   domain::StreamLimits limits) override;
    /// Connects to each planned database with the same credentials a dump would use (one query
    /// in a client container); the error says what answered.
    Task<Result<void>> probe(const domain::Target& target, std::string run_id) override;

    /// stdout of a client container, and why storing it failed (if it did).
    class StreamSink : public dockerapi::StreamSink {
    public:
        [[nodiscard]] virtual std::string failure() const = 0;
        /// When the dump last sent a byte (its idle limit counts from there).
        [[nodiscard]] virtual std::shared_ptr<StreamActivity> stream_activity() const = 0;
    };

private:
    struct Command {
        dockerapi::ContainerSpec spec;
        std::vector<dockerapi::TarEntry> secret_files;
    };
    Task<Result<Command>> command(const domain::Target& target,
                                  const std::string& database,
                                  bool probe);
    Task<domain::DumpOutcome> execute(Command cmd,
                                      StreamSink& sink,
                                      std::string name,
                                      domain::StreamLimits limits);

    dockerapi::Client& client_;
    std::string instance_id_;
    const databases::Registry& kinds_;
    int sequence_{0};
};

}  // namespace bk::adapters::docker
