#pragma once
// `backupctl daemon`, `unlock` and `health`.

#include <string>

namespace bk::drivers::cli {

/// Runs the daemon until SIGTERM/SIGINT; returns the exit code.
int daemon_command(const std::string& config_path);
/// Removes a target's lock if no live process holds it (and restic's stale locks of its
/// repository); refuses with exit 2 while a live process holds it.
int unlock_command(const std::string& config_path, const std::string& target, bool json);
/// Engine, audit store, fallback file, dead instances: exit 0 healthy, 1 not.
int health_command(const std::string& config_path, bool json);

}  // namespace bk::drivers::cli
