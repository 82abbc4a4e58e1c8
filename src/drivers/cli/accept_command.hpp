#pragma once
// `backupctl accept <run>`: a suspect backup run (docs/anomalies.md) is what the operator
// expected: it becomes normal, the baseline of the next comparison, and retention proceeds.

#include <string>

#include "drivers/cli/common.hpp"

namespace bk::drivers::cli {

/// 0 accepted, 1 failed (no such run, not suspect, the repository failed).
int accept_command(const Globals& g, const std::string& run_id);

}  // namespace bk::drivers::cli
