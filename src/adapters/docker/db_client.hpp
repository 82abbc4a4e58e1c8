#pragma once
// What dump, restore and drill containers share: the credentials of a target's database (read
// through the Engine API, never put in env or argv), and a client container of the target's
// image whose stdin, stdout and stderr the operator streams.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "databases/engine.hpp"
#include "dockerapi/client.hpp"
#include "dockerapi/tar.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/target.hpp"

namespace bk::adapters::docker {

std::map<std::string, std::string> env_map(const std::vector<std::string>& env);
std::string first_of(const std::map<std::string, std::string>& env,
                     std::initializer_list<const char*> keys);
/// Why `database` cannot be given to a client program as a name (empty, a leading '-' that would
/// be read as an option, a control character); empty when it can.
std::string unsafe_database_name(const std::string& database);

struct Credentials {
    std::string user;
    std::string password;
    std::map<std::string, std::string> env;  // non-secret defaults only are read from it
    std::string host;
    int port{0};  ///< 0: the client's default
    /// The target's mounts (a file kind's helper mounts its named volumes the same way).
    std::vector<dockerapi::MountInfo> mounts;
    std::string error;
};

/// A file kind's helper: the target's named volumes that hold `paths`, as Binds
/// ("volume:/destination"), or why a path cannot be reached (not under a mount, or under a
/// bind mount of a host directory, which a helper may not mount).
struct HelperVolumes {
    std::vector<std::string> binds;
    std::string error;
};
HelperVolumes helper_volumes(const std::vector<dockerapi::MountInfo>& mounts,
                             const std::vector<std::string>& paths,
                             const std::string& container);

/// The engine of `t`'s database kind; null when this build has none (no_engine() says so).
const databases::Engine* engine_of(const databases::Registry& kinds, const domain::Target& t);
std::string no_engine(const domain::Target& t);

/// The user, password and host a client uses for `t` (the label's user/password-env, else the
/// image's usual variables and their *_FILE forms, read from the container through the engine).
Task<Credentials> resolve_credentials(dockerapi::Client& client,
                                      const domain::Target& t,
                                      const databases::Engine& engine);

/// A client container of the target's database running `argv` (the kind's connection
/// arguments after its program): its image, on its network, our labels, the password as a 0600
/// file under /tmp (PGPASSFILE, --defaults-extra-file, mongo --config).
struct ClientCommand {
    dockerapi::ContainerSpec spec;
    std::vector<dockerapi::TarEntry> secret_files;
};
ClientCommand client_command(const domain::Target& t,
                             const Credentials& cred,
                             const std::string& instance_id,
                             const databases::Engine& engine,
                             const std::vector<std::string>& argv);

/// A running client container whose stdin the operator writes. stdout is kept up to a bound
/// (query results), stderr's tail for messages.
class ClientContainer {
public:
    ~ClientContainer();
    ClientContainer(const ClientContainer&) = delete;
    ClientContainer& operator=(const ClientContainer&) = delete;

    /// Creates, writes the secret files, attaches (with stdin), starts. A write that the client
    /// does not take within `limits.idle`, and a finish past `limits.deadline`, fail with
    /// errc::timeout (finish kills and removes the container first).
    static Task<Result<std::unique_ptr<ClientContainer>>> start(dockerapi::Client& client,
                                                                ClientCommand cmd,
                                                                std::string name,
                                                                std::size_t keep_stdout,
                                                                domain::StreamLimits limits);
    Task<Result<void>> write(std::span<const char> data);
    /// Closes stdin and waits: the exit code (the container is removed).
    Task<Result<int>> finish();
    /// Kills the program before its stdin ended (a load that must not complete), removes it.
    Task<void> abort();

    [[nodiscard]] const std::string& out() const;
    [[nodiscard]] const std::string& err_tail() const;

    struct State;

private:
    explicit ClientContainer(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace bk::adapters::docker
