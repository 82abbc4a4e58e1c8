#pragma once
// The registry: targets from labels and from the config's projects, merged into one set.
// A name claimed twice is a conflict: none of its claimants runs until it is resolved, unless the
// audit store recorded the name's provenance: then the claimant that matches it keeps the name
// (an impostor cannot block the real target's backups and restores) and the others are invalid.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "domain/discovery.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/target_source.hpp"

namespace bk::app {

struct Inventory {
    std::vector<domain::Target> targets;  ///< valid and unique; config projects may be disabled
    std::vector<domain::DiscoveredContainer> containers;  ///< every labelled container
    std::vector<std::string> conflicts;

    [[nodiscard]] const domain::Target* find(std::string_view name) const;
    [[nodiscard]] bool has_problems() const;
};

class Registry {
public:
    Registry(const domain::OperatorConfig& config, domain::TargetSource& source)
        : config_(config), source_(source) {}

    /// Reads the containers again and merges them with the config's projects.
    Task<Result<Inventory>> refresh();
    /// Where recorded provenance is read from (nullptr: nowhere; conflicts then stay unresolved).
    void provenance_from(domain::AuditLog* audit) { audit_ = audit; }

    /// The merge itself (pure). `known`: recorded provenance by target name.
    static Inventory merge(const domain::OperatorConfig& config,
                           std::vector<domain::DiscoveredContainer> containers,
                           const std::map<std::string, domain::Provenance>& known = {});

private:
    const domain::OperatorConfig& config_;
    domain::TargetSource& source_;
    domain::AuditLog* audit_{nullptr};
};

}  // namespace bk::app
