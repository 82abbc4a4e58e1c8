#pragma once
// What discovery found on one container: a target, or why it is not one.

#include <optional>
#include <string>
#include <vector>

#include "domain/target.hpp"

namespace bk::domain {

/// A problem with one label of one container.
struct LabelProblem {
    std::string label;  ///< the full label key
    std::string value;  ///< as given, or "(redacted)" when it looks like a secret
    std::string message;
    std::string suggestion;  ///< e.g. "did you mean backupctl.db.name?"

    [[nodiscard]] std::string describe() const;
};

enum class Disposition {
    target,       ///< a valid target
    invalid,      ///< meant to be a target, but its labels (or its name) have errors
    not_enabled,  ///< backupctl.enable=false
    other_scope,  ///< belongs to an operator with another scope
    ignored,      ///< a compose one-off container (docker compose run)
};

const char* to_string(Disposition d);

struct DiscoveredContainer {
    std::string container_id;
    std::string container_name;
    std::string state;
    std::string stopped_since;  ///< not running: when it stopped (UTC, to the second), if known
    Disposition disposition{Disposition::not_enabled};
    std::optional<Target> target;
    std::vector<LabelProblem> problems;
    std::string note;
};

}  // namespace bk::domain
