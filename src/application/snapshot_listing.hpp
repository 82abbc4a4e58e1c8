#pragma once
// What `backupctl snapshots`, the API and the dashboard say of a target's snapshots: restic's
// listing joined with the audit trail. Marks a human must see before trusting a snapshot:
//   safety   a restore's own backup of the target before it wrote (tag pre-restore); never what
//            "latest" restores and never "the last backup"
//   suspect  the run that wrote it ended failed or crashed, or the newest drill that restored it
//            failed
// A snapshot the audit trail does not know (older than the store, written by another tool) has
// no size and no suspect mark: nothing is known against it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"
#include "domain/ports/bookkeeping.hpp"

namespace bk::app {

struct SnapshotEntry {
    std::string id;  ///< restic's short id
    std::string full_id;
    std::string time;  ///< ISO 8601 UTC ("2026-12-07T03:00:12Z"); restic's text when unreadable
    std::string kind;  ///< database | files | unknown (tags kind:db, kind:files)
    std::string item;  ///< the database, or the path of the files
    std::optional<std::uint64_t> bytes;  ///< what its run streamed into it, when the audit knows
    std::vector<std::string> tags;
    std::vector<std::string> marks;  ///< safety, suspect
    std::string why;                 ///< why it is suspect, or what a safety snapshot is
    std::string run_id;              ///< the run that wrote it, when the audit knows
};

/// `snapshots` (restic's listing of the target's tag) newest first, described and marked from
/// the audit (runs of the target and their steps). An audit that does not answer (or none)
/// leaves sizes and suspect marks out, never the snapshots.
std::vector<SnapshotEntry> describe_snapshots(const std::vector<domain::SnapshotInfo>& snapshots,
                                              domain::AuditLog* audit,
                                              const std::string& target);

/// "2026-12-07 03:00:12 UTC" of an ISO 8601 UTC time; other text unchanged.
std::string human_utc(const std::string& iso);

}  // namespace bk::app
