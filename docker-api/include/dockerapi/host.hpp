#pragma once

#include <string>

#include "dockerapi/errors.hpp"

namespace dockerapi {

/// Where the daemon listens: a unix socket path, or host and port for tcp://.
struct DaemonAddress {
    enum class Kind { unix_socket, tcp };
    Kind kind{Kind::unix_socket};
    std::string path;  ///< unix_socket
    std::string host;  ///< tcp
    std::string port;  ///< tcp

    [[nodiscard]] std::string describe() const;
};

inline constexpr const char* kDefaultDockerSocket = "/var/run/docker.sock";

/// Parses a DOCKER_HOST value: "unix:///path", "tcp://host:port", or empty for the default
/// socket. ssh:// and TLS (DOCKER_TLS_VERIFY) are not supported and say so.
Result<DaemonAddress> parse_docker_host(const std::string& value, bool tls_verify = false);

/// The address from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY).
Result<DaemonAddress> docker_host_from_env();

}  // namespace dockerapi
