#pragma once
// What `restore` and `restore --cleanup` print, in text and as --json (pure: report in, text
// out), so that what a user is told about a restored copy is tested without an engine.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "application/restore.hpp"
#include "application/restore_cleanup.hpp"

namespace bk::drivers::cli {

/// The commands that remove a copy `restore --new-container` left: backupctl's own cleanup
/// (with `--config FILE` when one was given) and the plain docker command.
std::vector<std::string> removal_commands(const std::string& target,
                                          const std::string& container,
                                          const std::string& config_path);

/// A restore's report as text: items, the safety backup, the new container (its name, network
/// and how to remove it), the last line with status and run.
std::string restore_text(const app::RestoreReport& report, const std::string& config_path);
nlohmann::json restore_json(const app::RestoreReport& report, const std::string& config_path);

/// What a cleanup is about to do: each copy, whether it is removed and why not.
std::string cleanup_plan_text(const std::string& target,
                              const std::vector<app::CleanupCandidate>& plan);
/// What a cleanup did, one line per copy and a summary line.
std::string cleanup_text(const std::string& target, const std::vector<app::CleanupOutcome>& done);
nlohmann::json cleanup_json(const std::string& target,
                            const std::vector<app::CleanupOutcome>& done);

}  // namespace bk::drivers::cli
