#pragma once
// The label schema: one table (key, type, default, description). The parser, `--help` texts and
// docs/labels.md all come from it.

#include <span>
#include <string>
#include <string_view>

#include "domain/database_kind.hpp"

namespace bk::labels {

inline constexpr std::string_view kPrefix = "backupctl.";

/// Labels backupctl puts on the containers it creates, outside the schema: dump, probe, restore
/// and drill clients and drill servers carry the first four, a copy made by `restore
/// --new-container` the last (with backupctl.run and backupctl.restored-at). Such a container is
/// backupctl's own, never a target.
inline constexpr std::string_view kEphemeralLabel = "backupctl.ephemeral";
inline constexpr std::string_view kInstanceLabel = "backupctl.instance";
inline constexpr std::string_view kRunLabel = "backupctl.run";
inline constexpr std::string_view kForTargetLabel = "backupctl.for-target";
inline constexpr std::string_view kRestoredFromLabel = "backupctl.restored-from";

enum class ValueType {
    boolean,
    text,
    name,
    name_list,
    db_type,
    db_names,
    env_name,
    image,
    network,
    volumes,
    cron,
    triggers,
    duration,
    retention,
    command,
    anomaly,
};

struct LabelSpec {
    std::string_view key;  ///< without the prefix, e.g. "db.type"
    ValueType type;
    std::string_view default_text;
    std::string_view description;
};

std::span<const LabelSpec> label_schema();
const LabelSpec* find_label(std::string_view key);
std::string_view type_name(ValueType t);

/// docs/labels.md, generated from the table (a test fails when the file is stale).
std::string render_label_reference(const domain::DatabaseKinds& kinds);

}  // namespace bk::labels
