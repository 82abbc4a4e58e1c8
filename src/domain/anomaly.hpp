#pragma once
// Trust across runs: a database run compared with the target's own history. A dump that ended
// well can still be wrong: a table emptied by a bug, a database dropped, an app that stopped
// writing. Each stored dump is compared with the last normal one of the same database (bytes,
// the set of tables, rows per table) and with its recent past ("unchanged for 3d"); a sharp
// change makes the run `suspect` (see docs/anomalies.md). Pure: no clock, no I/O.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "domain/parsed.hpp"

namespace bk::domain {

/// When a run is suspect, per target (`backupctl.anomaly`, `defaults.anomaly`).
struct AnomalyPolicy {
    int bytes_drop{50};  ///< percent the dump's bytes may fall; 0: not judged
    int rows_drop{50};   ///< percent a table's rows may fall; 0: not judged
    bool table_gone{true};
    /// A dump identical (bytes and rows) to every run of this long: the app stopped writing.
    /// 0: not judged (the default: many databases rightly stay the same for weeks).
    std::chrono::seconds unchanged{0};

    /// No rule is on (`off`).
    [[nodiscard]] bool off() const {
        return bytes_drop == 0 && rows_drop == 0 && !table_gone && unchanged.count() == 0;
    }
    /// "bytes-drop=50%,rows-drop=50%,table-gone=on,unchanged=off", or "off".
    [[nodiscard]] std::string to_string() const;
    bool operator==(const AnomalyPolicy&) const = default;
};

/// Parses "off", or keys from "bytes-drop=50%,rows-drop=80,table-gone=off,unchanged=3d" (a key
/// left out keeps its default; a percentage 0 or "off" turns its rule off).
Parsed<AnomalyPolicy> parse_anomaly_policy(std::string_view text);

/// Below these a drop is not judged: small dumps and tables move by large fractions for nothing.
inline constexpr std::uint64_t kAnomalyMinBytes = 4096;
inline constexpr std::uint64_t kAnomalyMinRows = 10;

/// What one stored dump of one database was.
struct DumpFigures {
    std::string run_id;
    std::int64_t at{0};        ///< when the run began, unix seconds
    std::uint64_t bytes{0};    ///< 0: not recorded (older versions), not judged
    bool has_rows{false};      ///< rows were counted
    std::string rows_partial;  ///< why the counts leave tables out; then no "gone" is judged
    std::map<std::string, std::uint64_t> rows;
};

/// What is wrong with `now` against `normal`: the database's earlier normal dumps (successful
/// runs, or suspect ones a human accepted), newest first. One human line per anomaly; empty:
/// none (also when there is no history yet).
std::vector<std::string> find_anomalies(const DumpFigures& now,
                                        const std::vector<DumpFigures>& normal,
                                        const AnomalyPolicy& policy);

/// The restic tag of a suspect snapshot: it makes a retention group of its own, so that it never
/// counts toward the target's `keep` nor pushes out its last normal snapshot.
inline constexpr const char* kSuspectTag = "suspect";

}  // namespace bk::domain
