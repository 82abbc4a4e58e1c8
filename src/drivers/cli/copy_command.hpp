#pragma once
// `backupctl copy [--now] [REPOSITORY]`: the second copies (copy_to): what waits to be copied
// and how old it is; --now copies it (and applies each target's retention to the copy).

#include <string>

#include "drivers/cli/common.hpp"

namespace bk::drivers::cli {

/// 0: nothing overdue (and with --now every copy succeeded); 1 otherwise or on an error.
int copy_command(const Globals& g, const std::string& repository, bool now);

}  // namespace bk::drivers::cli
