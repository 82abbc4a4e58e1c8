#include "application/registry.hpp"

#include <algorithm>
#include <map>

namespace bk::app {

const domain::Target* Inventory::find(std::string_view name) const {
    for (const auto& t : targets) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

bool Inventory::has_problems() const {
    if (!conflicts.empty()) {
        return true;
    }
    return std::any_of(containers.begin(), containers.end(), [](const auto& c) {
        return c.disposition == domain::Disposition::invalid || !c.problems.empty();
    });
}

Task<Result<Inventory>> Registry::refresh() {
    auto found = co_await source_.discover(config_);
    if (!found) {
        co_return found.error();
    }
    co_return merge(config_, std::move(*found));
}

Inventory Registry::merge(const domain::OperatorConfig& config,
                          std::vector<domain::DiscoveredContainer> containers) {
    Inventory inv;
    // Who claims each name.
    std::map<std::string, std::vector<std::string>> claims;
    for (const auto& c : containers) {
        if (c.disposition == domain::Disposition::target && c.target) {
            claims[c.target->name].push_back("container " + c.container_name + " (labels)");
        }
    }
    for (const auto& p : config.projects) {
        claims[p.name].push_back("project " + p.name + " (" + config.file + ")");
    }
    std::map<std::string, std::string> conflicted;
    for (const auto& [name, who] : claims) {
        if (who.size() < 2) {
            continue;
        }
        std::string list;
        for (const auto& w : who) {
            list += (list.empty() ? "" : ", ") + w;
        }
        conflicted[name] = list;
        inv.conflicts.push_back("target name \"" + name + "\" is claimed by " + list +
                                "; none of them runs until the name is unique");
    }
    for (auto& c : containers) {
        if (c.disposition == domain::Disposition::target && c.target &&
            conflicted.contains(c.target->name)) {
            c.problems.push_back({"backupctl.name", c.target->name,
                                  "the target name is also claimed by: " +
                                      conflicted[c.target->name],
                                  "set backupctl.name to a unique name"});
            c.disposition = domain::Disposition::invalid;
            c.target.reset();
        }
        if (c.disposition == domain::Disposition::target && c.target) {
            inv.targets.push_back(*c.target);
        }
    }
    for (const auto& p : config.projects) {
        if (!conflicted.contains(p.name)) {
            inv.targets.push_back(p);
        }
    }
    std::sort(inv.targets.begin(), inv.targets.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::sort(containers.begin(), containers.end(),
              [](const auto& a, const auto& b) { return a.container_name < b.container_name; });
    inv.containers = std::move(containers);
    return inv;
}

}  // namespace bk::app
