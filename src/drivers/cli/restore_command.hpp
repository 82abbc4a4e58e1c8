#pragma once
// `backupctl restore`, `verify` and `status`.

#include <string>

#include "application/restore.hpp"
#include "drivers/cli/common.hpp"

namespace CLI {
class App;
}

namespace bk::drivers::cli {

struct RestoreArgs {
    std::string target;
    std::string snapshot;
    std::string at;
    std::string only;
    std::string db;
    std::string into_container;
    bool new_container{false};
    std::string files_to;
    std::string path;
    bool yes{false};
    bool no_safety_backup{false};
    bool cleanup{false};  ///< remove what earlier --new-container restores left
};

/// Restores a target (asks before writing into a live server unless --yes): 0 done, 1 failed,
/// 5 partly done, 3 invalid config. With `cleanup`: removes the copies earlier restores left
/// (asks unless --yes): 0 done or nothing to do, 1 a removal failed or refused.
int restore_command(const Globals& g, const RestoreArgs& args);
/// A restore drill into a scratch server: 0 passed, 1 failed.
/// `from`: drill from this repository (a second copy) instead of the target's own.
int verify_command(const Globals& g,
                   const std::string& target,
                   const std::string& snapshot,
                   const std::string& from = {});
/// Per target: the last backup, the last drill and its restore time.
int status_command(const Globals& g);

}  // namespace bk::drivers::cli
