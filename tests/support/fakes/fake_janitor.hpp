#pragma once
// Fake of domain::Janitor: our containers and networks as the engine would list them, the
// targets' running state, and what was removed, started and left.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "domain/ports/recovery.hpp"

namespace bk::testing {

class FakeJanitor final : public domain::Janitor {
public:
    std::vector<domain::Leftover> containers;
    std::set<std::string> removed;
    std::map<std::string, bool> running;  ///< container id -> running
    std::set<std::string> started;
    std::set<std::string> left;  ///< "network/container"
    /// Called when a leftover is removed (a dump container gone ends its attach stream).
    std::function<void(const domain::Leftover&)> on_remove;

    int listings{0};  ///< calls of leftovers(): sweeps and per-run clean-ups
    Task<Result<std::vector<domain::Leftover>>> leftovers() override {
        ++listings;
        co_return containers;
    }
    Task<Result<void>> remove(domain::Leftover l) override {
        const std::string id = l.container_id;
        removed.insert(id);
        std::erase_if(containers, [&id](const auto& c) { return c.container_id == id; });
        if (on_remove)
            on_remove(l);
        co_return Result<void>{};
    }
    Task<Result<bool>> start_if_stopped(std::string id) override {
        if (running[id])
            co_return false;
        running[id] = true;
        started.insert(id);
        co_return true;
    }
    Task<Result<void>> leave_network(std::string network, std::string container) override {
        left.insert(network + "/" + container);
        co_return Result<void>{};
    }
};

}  // namespace bk::testing
