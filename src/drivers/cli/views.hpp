#pragma once
// JSON and text views of targets, discovery results and the config. Secrets appear masked.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "application/registry.hpp"
#include "application/snapshot_listing.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/bookkeeping.hpp"

namespace bk::drivers::cli {

nlohmann::json to_json(const domain::Target& t);
nlohmann::json to_json(const domain::DiscoveredContainer& c);
nlohmann::json to_json(const domain::ConfigProblem& p);
nlohmann::json to_json(const app::Inventory& inv, const domain::OperatorConfig& config);
nlohmann::json config_to_json(const domain::OperatorConfig& config);
/// For people: `origins` folded into the values ("timezone: Europe/Berlin (env TIMEZONE)").
nlohmann::json with_origins(nlohmann::json config);

/// A fixed-width table of the targets, then every problem, for humans.
std::string render_discovery(const app::Inventory& inv,
                             const domain::OperatorConfig& config,
                             bool verbose = false);

/// `snapshots`: a table (id, time with its zone, kind, database or path, size, mark, tags), then
/// one line per marked snapshot saying why.
std::string render_snapshots(const std::vector<app::SnapshotEntry>& snapshots);

/// `history --run`: the run's steps, one per line (name, outcome, bytes, seconds, detail).
std::string render_steps(const std::vector<domain::StepRecord>& steps);

/// JSON as indented YAML-like text for `config show`.
std::string render_yaml(const nlohmann::json& j, int indent = 0);

}  // namespace bk::drivers::cli
