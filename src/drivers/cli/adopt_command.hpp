#pragma once
// `backupctl adopt <target>`: the operator confirms that a target whose provenance changed (its
// compose project or service, its image's repository, labels vs config) is still theirs.

#include <string>

#include "drivers/cli/common.hpp"

namespace bk::drivers::cli {

/// 0 adopted (or nothing to adopt), 1 failed or not confirmed.
int adopt_command(const Globals& g, const std::string& target, bool yes);

}  // namespace bk::drivers::cli
