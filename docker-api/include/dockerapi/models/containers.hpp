#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dockerapi {

/// Filters as the Engine API takes them: key -> values (same key ORs, different keys AND).
using Filters = std::map<std::string, std::vector<std::string>>;

struct EndpointInfo {
    std::string network_id;
    std::string endpoint_id;
    std::string ip_address;
    std::vector<std::string> aliases;  ///< empty in the list view (the daemon sends null there)
};

struct MountInfo {
    std::string type;  ///< bind | volume | tmpfs | ...
    std::string name;  ///< volume name
    std::string source;
    std::string destination;
    bool rw{true};
};

/// One entry of GET /containers/json.
struct ContainerSummary {
    std::string id;
    std::vector<std::string> names;  ///< with their leading '/'
    std::string image;
    std::string image_id;
    std::string state;  ///< created|restarting|running|removing|paused|exited|dead
    std::int64_t created{0};
    std::map<std::string, std::string> labels;
    std::string network_mode;
    std::map<std::string, EndpointInfo> networks;
    std::vector<MountInfo> mounts;

    /// The first name without its leading '/'.
    [[nodiscard]] std::string name() const;
};

struct ListContainersOptions {
    bool all{false};
    Filters filters;
};

struct ContainerState {
    std::string status;
    bool running{false};
    bool paused{false};
    bool restarting{false};
    bool oom_killed{false};
    bool dead{false};
    std::int64_t pid{0};
    int exit_code{0};
    std::string error;
    std::string started_at;
    std::string finished_at;
};

/// GET /containers/{id}/json, the fields backupctl uses. `env` holds the container's
/// environment as the daemon reports it, secrets included: never log it.
struct ContainerInspect {
    std::string id;
    std::string name;      ///< without the leading '/'
    std::string image_id;  ///< sha256:...
    std::string image;     ///< Config.Image, the reference as typed
    std::string hostname;
    std::string user;
    std::vector<std::string> env;
    std::vector<std::string> cmd;
    std::map<std::string, std::string> labels;
    ContainerState state;
    std::string network_mode;
    std::map<std::string, EndpointInfo> networks;
    std::vector<MountInfo> mounts;
    std::string log_driver;
    int restart_count{0};
};

/// Body of POST /containers/create. Only what is set is sent.
struct ContainerSpec {
    std::string image;
    std::vector<std::string> cmd;
    std::optional<std::vector<std::string>> entrypoint;
    std::vector<std::string> env;
    std::map<std::string, std::string> labels;
    std::string user;
    std::string working_dir;
    std::string hostname;
    bool attach_stdin{false};
    bool attach_stdout{true};
    bool attach_stderr{true};
    bool open_stdin{false};
    bool stdin_once{false};
    // HostConfig
    std::string network_mode;
    std::string log_driver{"none"};  ///< "none": attach bytes are not also written to disk
    bool auto_remove{false};
    std::vector<std::string> binds;
    /// NetworkingConfig.EndpointsConfig: network -> aliases (API 1.41 takes one network here).
    std::map<std::string, std::vector<std::string>> networks;
};

struct CreatedContainer {
    std::string id;
    std::vector<std::string> warnings;
};

/// The outcome of POST /containers/{id}/wait.
struct WaitResult {
    int status_code{0};
    std::string error;  ///< Error.Message, e.g. a start failure; empty when none
};

enum class WaitCondition { next_exit, not_running, removed };

}  // namespace dockerapi
