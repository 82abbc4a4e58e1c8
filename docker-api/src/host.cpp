#include "dockerapi/host.hpp"

#include <cstdlib>

namespace dockerapi {

std::string DaemonAddress::describe() const {
    if (kind == Kind::unix_socket) {
        return "unix://" + path;
    }
    return "tcp://" + host + ":" + port;
}

Result<DaemonAddress> parse_docker_host(const std::string& value, bool tls_verify) {
    auto invalid = [&](const std::string& why) {
        return Error{errc::invalid_argument, 0, "DOCKER_HOST=\"" + value + "\": " + why};
    };
    DaemonAddress a;
    if (value.empty()) {
        a.path = kDefaultDockerSocket;
        return a;
    }
    if (value.starts_with("unix://")) {
        a.path = value.substr(7);
        if (a.path.empty() || a.path.front() != '/') {
            return invalid("a unix socket path must be absolute, e.g. unix:///var/run/docker.sock");
        }
        return a;
    }
    if (value.starts_with("tcp://")) {
        if (tls_verify) {
            return invalid(
                "TLS (DOCKER_TLS_VERIFY) is not supported; use the unix socket or a "
                "socket proxy on a trusted network");
        }
        std::string rest = value.substr(6);
        if (auto slash = rest.find('/'); slash != std::string::npos) {
            rest.resize(slash);
        }
        auto colon = rest.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
            return invalid("expected tcp://HOST:PORT");
        }
        a.kind = DaemonAddress::Kind::tcp;
        a.host = rest.substr(0, colon);
        if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
            a.host = a.host.substr(1, a.host.size() - 2);
        }
        a.port = rest.substr(colon + 1);
        if (a.port.find_first_not_of("0123456789") != std::string::npos) {
            return invalid("the port must be a number");
        }
        return a;
    }
    if (value.starts_with("ssh://") || value.starts_with("npipe://") ||
        value.starts_with("fd://")) {
        return invalid("this scheme is not supported; use unix:// or tcp://");
    }
    return invalid("expected unix:///path or tcp://host:port");
}

Result<DaemonAddress> docker_host_from_env() {
    const char* host = std::getenv("DOCKER_HOST");
    const char* tls = std::getenv("DOCKER_TLS_VERIFY");
    return parse_docker_host(host != nullptr ? host : "",
                             tls != nullptr && *tls != '\0' && std::string(tls) != "0");
}

}  // namespace dockerapi
