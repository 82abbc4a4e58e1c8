#pragma once

#include <map>
#include <string>

#include "databases/engine.hpp"
#include "dockerapi/client.hpp"
#include "domain/ports/restore_ports.hpp"

namespace bk::adapters::docker {

class ClientContainer;

/// Label on a server `restore --new-container` made: not ours to remove, not a backup target.
inline constexpr const char* kRestoredFromLabel = "backupctl.restored-from";
/// When that copy was made (UTC, ISO 8601); its restore's run id is in backupctl.run.
inline constexpr const char* kRestoredAtLabel = "backupctl.restored-at";

/// The labels of a copy made by `restore --new-container`: the target, the run and the time.
/// Never backupctl.ephemeral: the janitor reaps only those, and a copy is the user's result.
std::map<std::string, std::string> restored_copy_labels(const std::string& target,
                                                        const std::string& run_id,
                                                        const std::string& at);

/// Where a restore client runs besides its kind's placement.
struct ClientPlace {
    /// A file kind's helper: the files it reaches (the target's volumes holding them).
    std::vector<std::string> files;
    /// Not null: the target is stopped before the client starts (set true when it was).
    bool* stopped{nullptr};
    /// A drill session (Engine::drill_session): no network and no credentials of the target:
    /// it loads into a server or file of its own, with no route to the real one.
    bool isolated{false};
};

/// domain::DatabaseRestorer with client containers of the target's image: psql / mariadb /
/// mongorestore reading the dump from stdin (attach), the password as a 0600 file as for dumps.
class DockerRestorer final : public domain::DatabaseRestorer {
public:
    DockerRestorer(dockerapi::Client& client,
                   std::string instance_id,
                   const databases::Registry& kinds)
        : client_(client), instance_id_(std::move(instance_id)), kinds_(kinds) {}

    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_load(const domain::Target& into,
                                                                 std::string database,
                                                                 std::string run_id) override;
    Task<Result<std::map<std::string, std::uint64_t>>> count_rows(const domain::Target& into,
                                                                  std::string database,
                                                                  std::vector<std::string> tables,
                                                                  std::string run_id) override;
    Task<Result<domain::Target>> clone(const domain::Target& target,
                                       bool scratch,
                                       std::string run_id) override;
    Task<Result<domain::Target>> server_in(const domain::Target& target,
                                           std::string container) override;
    Task<Result<void>> wait_ready(const domain::Target& server,
                                  std::chrono::seconds limit,
                                  std::string run_id) override;
    Task<void> discard(const domain::Target& scratch) override;
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_files_load(const domain::Target& into,
                                                                       std::string path,
                                                                       std::string run_id) override;

private:
    /// Runs a client of `into` with `input` on its stdin to the end: its exit code and output.
    struct Ran {
        int exit_code{-1};
        std::string out;
        std::string err;
    };
    Task<Result<Ran>> run(const domain::Target& into,
                          std::vector<std::string> argv,
                          std::string input,
                          std::string run_id);
    /// A client of `into` running `args` (program first; its connection arguments are added).
    Task<Result<std::unique_ptr<ClientContainer>>> start_client(
        const domain::Target& into,
        const std::vector<std::string>& args,
        const std::string& run_id,
        std::size_t keep_stdout,
        ClientPlace place = {});
    std::string name(const std::string& run_id);

    dockerapi::Client& client_;
    std::string instance_id_;
    const databases::Registry& kinds_;
    int sequence_{0};
    /// Drills of kinds that load and count in one session (Engine::drill_session): the scratch
    /// "server" clone() named, and per database the counts its session wrote.
    std::map<std::string, std::map<std::string, std::map<std::string, std::uint64_t>>>
        drill_sessions_;
};

/// domain::RestoredCopies over the Engine API: the containers labelled backupctl.restored-from.
class DockerRestoredCopies final : public domain::RestoredCopies {
public:
    explicit DockerRestoredCopies(dockerapi::Client& client) : client_(client) {}
    Task<Result<std::vector<domain::RestoredCopy>>> list(std::string target) override;
    Task<Result<void>> remove(domain::RestoredCopy copy) override;

private:
    dockerapi::Client& client_;
};

}  // namespace bk::adapters::docker
