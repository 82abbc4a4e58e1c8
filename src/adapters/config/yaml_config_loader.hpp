#pragma once
// The operator's YAML config -> domain::OperatorConfig. Global sections and `projects:` (the
// original backupctl shape). ${VAR} and ${VAR:-default} are substituted in every scalar ($$ is a
// literal $); *_file keys read secrets from files. Every problem carries file, line and column;
// a problem inside a project (a missing variable, an unknown key) disables that project only.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/operator_config.hpp"

namespace bk::adapters::config {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
EnvLookup process_env();

/// `kinds`: the database kinds whose names `database.type` and `defaults.client_images` take
/// (kept in the result's database_kinds).
domain::OperatorConfig load_config_file(std::shared_ptr<const domain::DatabaseKinds> kinds,
                                        const std::string& path,
                                        const EnvLookup& env);
domain::OperatorConfig load_config_text(std::shared_ptr<const domain::DatabaseKinds> kinds,
                                        std::string_view yaml,
                                        const std::string& file,
                                        const EnvLookup& env);

/// The embedded default: a local restic repository under state_dir, no notifiers.
domain::OperatorConfig default_config();

}  // namespace bk::adapters::config
