#include "application/registry.hpp"

#include <algorithm>
#include <map>
#include <set>

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
    std::map<std::string, domain::Provenance> known;
    if (audit_ != nullptr) {
        if (auto all = audit_->provenances(); all) {
            for (auto& p : *all)
                known[p.target] = std::move(p);
        }
    }
    co_return merge(config_, std::move(*found), known);
}

Inventory Registry::merge(const domain::OperatorConfig& config,
                          std::vector<domain::DiscoveredContainer> containers,
                          const std::map<std::string, domain::Provenance>& known) {
    Inventory inv;
    // Who claims each name: a container (index into `containers`) or a project (-1 - index).
    struct Claim {
        int who;
        std::string label;
        domain::Provenance provenance;
    };
    std::map<std::string, std::vector<Claim>> claims;
    for (std::size_t i = 0; i < containers.size(); ++i) {
        const auto& c = containers[i];
        if (c.disposition == domain::Disposition::target && c.target) {
            claims[c.target->name].push_back({static_cast<int>(i),
                                              "container " + c.container_name + " (labels)",
                                              domain::provenance_of(*c.target)});
        }
    }
    for (std::size_t i = 0; i < config.projects.size(); ++i) {
        const auto& p = config.projects[i];
        claims[p.name].push_back({-1 - static_cast<int>(i),
                                  "project " + p.name + " (" + config.file + ")",
                                  domain::provenance_of(p)});
    }
    // name -> why a claimant lost it; a claimant that keeps a contested name is not listed.
    std::map<int, std::string> refused;
    std::set<int> refused_projects;
    for (const auto& [name, who] : claims) {
        if (who.size() < 2) {
            continue;
        }
        std::string list;
        for (const auto& w : who) {
            list += (list.empty() ? "" : ", ") + w.label;
        }
        // The recorded provenance decides, when exactly one claimant matches it.
        int winner = 0;
        bool decided = false;
        if (auto k = known.find(name); k != known.end()) {
            int matches = 0;
            for (const auto& w : who) {
                if (domain::provenance_changes(k->second, w.provenance).empty()) {
                    ++matches;
                    winner = w.who;
                }
            }
            decided = matches == 1;
        }
        if (decided) {
            const auto& rec = known.at(name);
            for (const auto& w : who) {
                if (w.who == winner)
                    continue;
                refused[w.who] = "the target name \"" + name + "\" belongs to " + describe(rec) +
                                 " (recorded " + rec.confirmed_at + "); this claimant is " +
                                 describe(w.provenance);
                if (w.who < 0)
                    refused_projects.insert(w.who);
            }
            inv.conflicts.push_back("target name \"" + name + "\" is claimed by " + list +
                                    "; it stays with the one recorded as " + describe(rec));
            continue;
        }
        for (const auto& w : who) {
            refused[w.who] = "the target name is also claimed by: " + list;
            if (w.who < 0)
                refused_projects.insert(w.who);
        }
        inv.conflicts.push_back("target name \"" + name + "\" is claimed by " + list +
                                "; none of them runs until the name is unique");
    }
    for (std::size_t i = 0; i < containers.size(); ++i) {
        auto& c = containers[i];
        if (auto r = refused.find(static_cast<int>(i)); r != refused.end()) {
            c.problems.push_back({"backupctl.name",
                                  c.target->name,
                                  r->second,
                                  "set backupctl.name to a unique name"});
            c.disposition = domain::Disposition::invalid;
            c.target.reset();
        }
        if (c.disposition == domain::Disposition::target && c.target) {
            // Shown by validate and health: a held target runs no backup and no restore.
            if (auto k = known.find(c.target->name); k != known.end()) {
                auto changes =
                    domain::provenance_changes(k->second, domain::provenance_of(*c.target));
                if (!changes.empty()) {
                    std::string what;
                    for (const auto& ch : changes)
                        what += (what.empty() ? "" : ", ") + ch;
                    c.problems.push_back(
                        {"backupctl.name",
                         c.target->name,
                         "held: not what the target was when first seen (" + what +
                             "); no backup, retention or restore until the operator confirms",
                         "if the change is yours: backupctl adopt " + c.target->name});
                }
            }
            auto& t = inv.targets.emplace_back(*c.target);
            t.container_state = c.state;
            t.stopped_since = c.stopped_since;
        }
    }
    for (std::size_t i = 0; i < config.projects.size(); ++i) {
        if (!refused_projects.contains(-1 - static_cast<int>(i))) {
            inv.targets.push_back(config.projects[i]);
        }
    }
    std::sort(inv.targets.begin(), inv.targets.end(), [](const auto& a, const auto& b) {
        return a.name < b.name;
    });
    std::sort(containers.begin(), containers.end(), [](const auto& a, const auto& b) {
        return a.container_name < b.container_name;
    });
    inv.containers = std::move(containers);
    return inv;
}

}  // namespace bk::app
