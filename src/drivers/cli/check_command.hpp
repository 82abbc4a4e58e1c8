#pragma once
// `backupctl check [REPOSITORY...]`: each repository's rotating check (last check, result,
// subset, the fraction of the data the current rotation has read, next due); with `--now` the
// next subset is checked now.

#include <string>
#include <vector>

#include "drivers/cli/common.hpp"

namespace bk::drivers::cli {

/// Without `now`: 0, or 1 when a repository's last check failed. With `now`: 0 every check
/// passed, 1 one failed or could not run (busy, unreachable).
int check_command(const Globals& g, const std::vector<std::string>& repositories, bool now);

}  // namespace bk::drivers::cli
