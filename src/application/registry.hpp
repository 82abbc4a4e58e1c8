#pragma once
// The registry: targets from labels and from the config's projects, merged into one set.
// A name claimed twice is a conflict: none of its claimants runs until it is resolved.

#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "domain/discovery.hpp"
#include "domain/operator_config.hpp"
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

    /// The merge itself (pure).
    static Inventory merge(const domain::OperatorConfig& config,
                           std::vector<domain::DiscoveredContainer> containers);

private:
    const domain::OperatorConfig& config_;
    domain::TargetSource& source_;
};

}  // namespace bk::app
