#include "adapters/docker/docker_projects.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/docker/docker_target_source.hpp"
#include "dockerapi/client.hpp"
#include <arpa/inet.h>
#include <unistd.h>

namespace bk::adapters::docker {
namespace {

constexpr const char* kComposeService = "com.docker.compose.service";

bool user_network(const std::string& n) {
    return n != "bridge" && n != "host" && n != "none";
}

struct Match {
    std::string id;
    std::string name;
    std::string image;
    std::string network;
    std::string ip;
    std::string how;  ///< name | compose service | alias
};

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

bool is_ip_address(const std::string& host) {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string container_id_from_mountinfo(const std::string& mountinfo) {
    static const std::regex kRe("/containers/([0-9a-f]{64})/(hostname|hosts|resolv\\.conf)");
    std::smatch m;
    if (std::regex_search(mountinfo, m, kRe))
        return m[1].str();
    return {};
}

Task<Result<domain::Target>> DockerTargetResolver::resolve(const domain::Target& t) {
    if (t.source != domain::Origin::config || !t.database) {
        co_return t;
    }
    domain::Target r = t;
    auto& db = *r.database;
    const std::string host = db.host;
    std::vector<Match> matches;
    std::set<std::string> searched;
    std::vector<std::string> elsewhere;  // a container of that name on another network
    if (!is_ip_address(host)) {
        dockerapi::ListContainersOptions o;  // running ones: a stopped server cannot be dumped
        auto list = co_await client_.list_containers(o);
        if (!list) {
            co_return to_failure(list.error());
        }
        for (const auto& c : *list) {
            const bool on_network = t.network.empty() || c.networks.contains(t.network);
            for (const auto& [net, ep] : c.networks) {
                if (t.network.empty() || net == t.network)
                    searched.insert(net);
            }
            auto svc = c.labels.find(kComposeService);
            const bool by_name = c.name() == host;
            const bool by_service = svc != c.labels.end() && svc->second == host;
            if (!on_network) {
                if (by_name || by_service)
                    elsewhere.push_back(c.name());
                continue;
            }
            // Aliases are only in the inspect view.
            auto inspect = co_await client_.inspect_container(c.id);
            if (!inspect) {
                continue;  // gone meanwhile
            }
            std::string net_found;
            std::string how = by_name ? "name" : by_service ? "compose service" : "";
            for (const auto& [net, ep] : inspect->networks) {
                if (!t.network.empty() && net != t.network)
                    continue;
                const bool alias =
                    std::find(ep.aliases.begin(), ep.aliases.end(), host) != ep.aliases.end();
                if (alias && net_found.empty()) {
                    net_found = net;
                    if (how.empty())
                        how = "alias on " + net;
                }
            }
            if (how.empty())
                continue;
            if (net_found.empty()) {
                if (!t.network.empty()) {
                    net_found = t.network;
                } else {
                    for (const auto& [net, ep] : inspect->networks) {
                        if (net_found.empty() && user_network(net))
                            net_found = net;
                    }
                    if (net_found.empty() && !inspect->networks.empty()) {
                        net_found = inspect->networks.begin()->first;
                    }
                }
            }
            Match m{inspect->id, inspect->name, inspect->image, net_found, "", how};
            if (auto ep = inspect->networks.find(net_found); ep != inspect->networks.end()) {
                m.ip = ep->second.ip_address;
            }
            matches.push_back(std::move(m));
        }
    }
    const std::string where =
        t.network.empty()
            ? (searched.empty() ? std::string("any network")
                                : "networks " + join({searched.begin(), searched.end()}))
            : "network " + t.network;
    if (matches.size() > 1) {
        std::vector<std::string> names;
        names.reserve(matches.size());
        for (const auto& m : matches)
            names.push_back(m.name + " (" + m.how + ", " + m.network + ")");
        co_return Failure{
            errc::conflict,
            "database.host \"" + host + "\" matches " + std::to_string(matches.size()) +
                " containers: " + join(names) +
                "; set docker_network to the one to use, or host to a container name"};
    }
    if (matches.size() == 1) {
        const auto& m = matches.front();
        r.container_id = m.id;
        r.container_name = m.name;
        r.image = m.image;
        r.network = m.network;
        // Its address on that network (the default bridge has no DNS, and a user network's
        // DNS was seen failing under load); the name when no address is known.
        db.host = m.ip.empty() ? m.name : m.ip;
        co_return r;
    }
    // Not a container here: a host outside Docker, reached with the client image the config names.
    std::string image = db.dump_image;
    if (image.empty()) {
        if (auto it = client_images_.find(db.kind_name()); it != client_images_.end()) {
            image = it->second;
        }
    }
    if (image.empty()) {
        std::string why = "database.host \"" + host + "\" ";
        why +=
            is_ip_address(host)
                ? "is an address outside Docker"
                : "is no running container (by name, compose service or network alias) on " + where;
        if (!elsewhere.empty()) {
            why += " (" + join(elsewhere) + " is, on another network: fix docker_network)";
        }
        co_return Failure{errc::not_found,
                          why +
                              "; for a database outside Docker set database.image (or "
                              "defaults.client_images." +
                              db.kind_name() +
                              ") to a client image allowed by security.dump_images"};
    }
    r.container_id.clear();
    r.container_name.clear();
    r.image = image;
    db.dump_image = image;
    r.network = t.network.empty() ? "bridge" : t.network;
    co_return r;
}

Task<std::string> DockerNetworkAttachment::self() {
    if (looked_)
        co_return self_;
    looked_ = true;
    std::string candidate;
    if (const char* env = std::getenv("BACKUPCTL_SELF_CONTAINER_ID"); env != nullptr) {
        candidate = env;
    } else {
        std::ifstream in("/proc/self/mountinfo");
        std::stringstream ss;
        ss << in.rdbuf();
        candidate = container_id_from_mountinfo(ss.str());
    }
    if (candidate.empty())
        co_return self_;
    auto inspect = co_await client_.inspect_container(candidate);
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    // Another engine's container (docker-in-docker) must not be taken for ours.
    if (inspect && inspect->state.running &&
        (inspect->hostname == name || std::getenv("BACKUPCTL_SELF_CONTAINER_ID") != nullptr)) {
        self_ = inspect->id;
    }
    co_return self_;
}

Task<Result<bool>> DockerNetworkAttachment::join(std::string network, std::string container) {
    auto inspect = co_await client_.inspect_container(container);
    if (inspect && inspect->networks.contains(network))
        co_return false;
    auto joined = co_await client_.connect_network(network, container, {});
    if (!joined) {
        if (joined.error().code == dockerapi::errc::conflict &&
            joined.error().message.find("already exists") != std::string::npos) {
            co_return false;
        }
        co_return Failure{errc::daemon_unavailable,
                          "joining network " + network + ": " + joined.error().describe()};
    }
    co_return true;
}

Task<Result<void>> DockerNetworkAttachment::leave(std::string network, std::string container) {
    auto left = co_await client_.disconnect_network(network, container, true);
    if (!left && left.error().code != dockerapi::errc::not_found &&
        left.error().message.find("is not connected") == std::string::npos) {
        co_return Failure{errc::daemon_unavailable,
                          "leaving network " + network + ": " + left.error().describe()};
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::docker
