#pragma once

#include <string>

namespace dockerapi {

/// What GET /_ping says about the daemon.
struct PingInfo {
    std::string api_version;  ///< the daemon's newest API version, e.g. "1.41"
    std::string os_type;
    std::string server;  ///< e.g. "Docker/20.10.24+dfsg1 (linux)"
};

/// GET /version, the fields backupctl uses.
struct VersionInfo {
    std::string version;
    std::string api_version;
    std::string min_api_version;
    std::string os;
    std::string arch;
    std::string kernel_version;
};

/// GET /info, the fields backupctl uses.
struct SystemInfo {
    std::string id;
    std::string name;
    std::string server_version;
    std::string docker_root_dir;
    std::string cgroup_version;
    std::string swarm_state;  ///< Swarm.LocalNodeState
    int containers{0};
    int containers_running{0};
};

}  // namespace dockerapi
