#include "adapters/docker/docker_janitor.hpp"

#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::docker {

Task<Result<std::vector<domain::Leftover>>> DockerJanitor::leftovers() {
    dockerapi::ListContainersOptions o;
    o.all = true;
    o.filters["label"] = {kEphemeralLabel};
    auto list = co_await client_.list_containers(o);
    if (!list) {
        co_return to_failure(list.error());
    }
    std::vector<domain::Leftover> out;
    for (const auto& c : *list) {
        auto label = [&c](const char* k) {
            auto it = c.labels.find(k);
            return it == c.labels.end() ? std::string{} : it->second;
        };
        out.push_back({c.id, c.name(), label(kInstanceLabel), label(kRunLabel)});
    }
    // Networks last: a network is removed once its containers are gone.
    dockerapi::Filters filters;
    filters["label"] = {kEphemeralLabel};
    auto nets = co_await client_.list_networks(std::move(filters));
    if (!nets) {
        co_return to_failure(nets.error());
    }
    for (const auto& n : *nets) {
        auto label = [&n](const char* k) {
            auto it = n.labels.find(k);
            return it == n.labels.end() ? std::string{} : it->second;
        };
        out.push_back({n.id, n.name, label(kInstanceLabel), label(kRunLabel), true});
    }
    co_return out;
}

Task<Result<void>> DockerJanitor::remove(domain::Leftover leftover) {
    if (leftover.network) {
        auto r = co_await client_.remove_network(leftover.container_id);
        if (!r && r.error().code != dockerapi::errc::not_found) {
            co_return to_failure(r.error());
        }
        co_return Result<void>{};
    }
    auto r = co_await client_.remove_container(leftover.container_id, true, true);
    if (!r && r.error().code != dockerapi::errc::not_found) {
        co_return to_failure(r.error());
    }
    co_return Result<void>{};
}

Task<Result<bool>> DockerJanitor::start_if_stopped(std::string container_id) {
    auto inspect = co_await client_.inspect_container(container_id);
    if (!inspect) {
        co_return to_failure(inspect.error());
    }
    if (inspect->state.running) {
        co_return false;
    }
    auto started = co_await client_.start_container(container_id);
    if (!started && started.error().code != dockerapi::errc::not_modified) {
        co_return to_failure(started.error());
    }
    co_return true;
}

Task<Result<void>> DockerJanitor::leave_network(std::string network, std::string container) {
    auto r = co_await client_.disconnect_network(network, container, true);
    // Gone already (the network, the container, or the endpoint): nothing is left to undo.
    if (!r && r.error().code != dockerapi::errc::not_found &&
        r.error().message.find("is not connected") == std::string::npos) {
        co_return to_failure(r.error());
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::docker
