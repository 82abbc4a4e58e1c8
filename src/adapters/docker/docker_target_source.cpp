#include "adapters/docker/docker_target_source.hpp"

#include "backupctl/labels/parse.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::docker {

Failure to_failure(const dockerapi::Error& e) {
    errc code = errc::internal;
    switch (e.code) {
        case dockerapi::errc::daemon_unavailable:
        case dockerapi::errc::transport:
        case dockerapi::errc::truncated_stream:
        case dockerapi::errc::protocol:
        case dockerapi::errc::unsupported_version: code = errc::daemon_unavailable; break;
        case dockerapi::errc::timeout: code = errc::timeout; break;
        case dockerapi::errc::cancelled: code = errc::cancelled; break;
        case dockerapi::errc::not_found: code = errc::not_found; break;
        case dockerapi::errc::conflict: code = errc::conflict; break;
        default: code = errc::internal; break;
    }
    return Failure{code, "Docker engine: " + e.describe()};
}

Task<Result<std::vector<domain::DiscoveredContainer>>> DockerTargetSource::discover(
    const domain::OperatorConfig& config) {
    dockerapi::ListContainersOptions options;
    options.all = true;  // a stopped target is still a target
    auto list = co_await client_.list_containers(options);
    if (!list) {
        co_return to_failure(list.error());
    }
    std::vector<domain::DiscoveredContainer> out;
    for (auto& c : *list) {
        if (!labels::mentions_backupctl(c.labels)) {
            continue;
        }
        labels::ContainerFacts facts;
        facts.id = c.id;
        facts.name = c.name();
        facts.image = c.image;
        facts.state = c.state;
        facts.labels = std::move(c.labels);
        facts.network_mode = c.network_mode;
        for (const auto& [net, ep] : c.networks) {
            facts.networks.push_back(net);
        }
        for (const auto& m : c.mounts) {
            facts.mounts.push_back({m.type, m.name, m.destination});
        }
        out.push_back(labels::parse_labels(facts, config));
    }
    co_return out;
}

}  // namespace bk::adapters::docker
