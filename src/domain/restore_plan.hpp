#pragma once
// Which snapshots a restore takes: only the target's own (by its tags, never another target's
// "latest"), the newest per database and path, or the newest at or before a time, or one by id.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ports/backup_ports.hpp"
#include "domain/schedule.hpp"

namespace bk::domain {

struct RestorePoint {
    std::string kind;  ///< db | files
    std::string name;  ///< the database, or the path of the files
    SnapshotInfo snapshot;
    std::string key;  ///< the gpg key it was encrypted to (tag gpg:<key>), empty when not
};

struct SnapshotChoice {
    std::string snapshot;            ///< "" or "latest": the newest; else an id (or its prefix)
    std::optional<std::int64_t> at;  ///< newest at or before (UTC seconds)
    std::string only;                ///< "", "db" or "files"
    std::string database;            ///< only this database
};

struct ChosenPoints {
    std::vector<RestorePoint> points;
    std::string error;
};

/// `snapshots` are the repository's snapshots carrying the tag target:<target>.
ChosenPoints choose_points(const std::vector<SnapshotInfo>& snapshots,
                           const std::string& target,
                           const SnapshotChoice& choice);

/// An RFC 3339 time ("2026-11-26T03:00:00Z", "...+01:00", restic's nanoseconds too), or a local
/// "YYYY-MM-DD[ HH:MM[:SS]]" (or with T) in the zone `offset` describes. UTC seconds.
std::optional<std::int64_t> parse_time(std::string_view text, const UtcOffset& offset);

}  // namespace bk::domain
