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
        case dockerapi::errc::unsupported_version:
            code = errc::daemon_unavailable;
            break;
        case dockerapi::errc::timeout:
            code = errc::timeout;
            break;
        case dockerapi::errc::cancelled:
            code = errc::cancelled;
            break;
        case dockerapi::errc::not_found:
            code = errc::not_found;
            break;
        case dockerapi::errc::conflict:
            code = errc::conflict;
            break;
        default:
            code = errc::internal;
            break;
    }
    return Failure{code, "Docker engine: " + e.describe()};
}

namespace {
// "2026-11-27T03:00:00.123456789Z" -> "2026-11-27T03:00:00Z"; the engine's zero time (never
// ran) and anything unreadable -> empty.
std::string stopped_time(const std::string& finished_at) {
    if (finished_at.size() < 19 || finished_at.rfind("0001-", 0) == 0 || finished_at[10] != 'T')
        return {};
    return finished_at.substr(0, 19) + "Z";
}
}  // namespace

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
        auto found = labels::parse_labels(facts, config);
        if (found.target && (c.state == "exited" || c.state == "dead")) {
            // Since when it is stopped: the list has no time, so one inspect per stopped target.
            // A container removed meanwhile is simply not dated.
            if (auto inspect = co_await client_.inspect_container(c.id); inspect)
                found.stopped_since = stopped_time(inspect->state.finished_at);
        }
        out.push_back(std::move(found));
    }
    co_return out;
}

}  // namespace bk::adapters::docker
