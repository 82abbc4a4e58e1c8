#pragma once
// Labels in, a typed target or precise errors out. Pure: no I/O. A label value never reaches a
// shell: hooks become an argv, and images, mounts and commands from labels need the operator's
// config to allow them.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/discovery.hpp"
#include "domain/operator_config.hpp"
#include "domain/target.hpp"

namespace bk::labels {

struct MountFact {
    std::string type;  ///< volume | bind | tmpfs
    std::string name;  ///< volume name
    std::string destination;
};

/// What the engine says about a container, as much as the parser may see. No env values: a
/// container's environment holds its secrets.
struct ContainerFacts {
    std::string id;
    std::string name;
    std::string image;
    std::string state;
    std::map<std::string, std::string> labels;
    std::vector<std::string> networks;
    std::string network_mode;
    std::vector<MountFact> mounts;
};

using domain::Disposition;
using domain::LabelProblem;
using LabelOutcome = domain::DiscoveredContainer;

/// True when the container carries any backupctl label, or one that looks like a mistyped one.
bool mentions_backupctl(const std::map<std::string, std::string>& labels);

/// What backupctl's own container (see kEphemeralLabel) is, when `labels` say it is one.
std::optional<std::string> own_container(const std::map<std::string, std::string>& labels);

LabelOutcome parse_labels(const ContainerFacts& facts, const domain::OperatorConfig& config);

/// The argv of a hook: words split on blanks, '...' and "..." quote, \ escapes; no expansion,
/// no shell. nullopt when the quotes do not close.
std::optional<std::vector<std::string>> split_command(std::string_view text);

/// Why a label looks like it holds a secret, if it does.
std::optional<std::string> secret_reason(std::string_view key, std::string_view value);

/// Shell-style glob match (*, ?) used for the dump image allowlist.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace bk::labels
