#pragma once
// `backupctl daemon`, `unlock` and `health`.

#include <string>

namespace bk::drivers::cli {

/// Runs the daemon until SIGTERM/SIGINT; returns the exit code. `verbosity`: the `-v` count.
int daemon_command(const std::string& config_path, int verbosity);
/// Removes a target's lock if no live process holds it (and restic's stale locks of its
/// repository); refuses with exit 2 while a live process holds it.
int unlock_command(const std::string& config_path, const std::string& target, bool json);
/// Config, engine, audit store, fallback file, outbox, repositories, disk, gpg keys, clock:
/// exit 0 healthy, 1 not. `quick` skips the repositories and the keys.
int health_command(const std::string& config_path, bool json, bool quick);
/// Sends a test alert to the notifier `name` (or a test ping to the monitor `name`).
int notify_test_command(const std::string& config_path, const std::string& name);
/// Prints the Prometheus exposition.
int metrics_command(const std::string& config_path);

}  // namespace bk::drivers::cli
