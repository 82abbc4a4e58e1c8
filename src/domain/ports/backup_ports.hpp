#pragma once
// Ports of the backup run: where dump bytes come from, where they go, and the bookkeeping.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/signal.hpp"
#include "core/task.hpp"
#include "domain/retention.hpp"
#include "domain/target.hpp"

namespace bk::domain {

/// Receives a stream of bytes; the span is valid until the task completes (back-pressure).
class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Task<Result<void>> write(std::span<const char> data) = 0;
};

/// How long a stream may go on: a deadline for all of it (the run's), the longest silence and a
/// cut (shutdown) that may come at any time. An adapter that passes any stops the stream's source
/// (its operations cancelled through their slots, its container killed) and says so.
struct StreamLimits {
    std::chrono::steady_clock::time_point deadline{std::chrono::steady_clock::time_point::max()};
    std::chrono::seconds idle{0};  ///< no byte for this long fails the stream; 0: no limit
    std::shared_ptr<Cutoff> cut;   ///< the run's: requested, the stream ends now; null: none

    [[nodiscard]] bool expired() const { return std::chrono::steady_clock::now() >= deadline; }
};

/// One database of a target, as a dump will produce it.
struct DumpItem {
    std::string database;   ///< "*" for all databases (pg_dumpall, --all-databases)
    std::string file_name;  ///< stable per database: restic's --stdin-filename
};

/// What a dump did. The run decides from it whether the bytes may become a snapshot.
struct DumpOutcome {
    int exit_code{-1};
    bool completion_marker{false};  ///< the kind's check found the dump whole (DumpCheck)
    std::string check_problem;      ///< why it did not, in the check's words
    std::uint64_t bytes{0};
    std::string stderr_tail;
    std::string error;  ///< a failure outside the dump program (engine, sink), if any
    std::map<std::string, std::uint64_t> rows;  ///< rows per table, as the dump holds them
    std::string rows_partial;  ///< why `rows` leaves tables out (DumpCensus::partial)
    bool timed_out{false};     ///< stopped at its StreamLimits' deadline (error says so too)
};

/// Port: dumps a target's databases with a short-lived container of the target's own image.
class DatabaseDumper {
public:
    virtual ~DatabaseDumper() = default;
    /// The databases to dump (resolves env defaults of the target; reads nothing secret out).
    virtual Task<Result<std::vector<DumpItem>>> plan(const Target& target) = 0;
    /// Streams one dump into `sink`. Errors of the engine are in the outcome, not thrown. Past
    /// `limits` (the deadline, or no byte for `limits.idle`) the dump container is killed and
    /// removed, and the outcome's error says which ("no output for 10m", timed_out).
    virtual Task<DumpOutcome> dump(const Target& target,
                                   const DumpItem& item,
                                   ByteSink& sink,
                                   std::string run_id,
                                   StreamLimits limits) = 0;
    /// Connects to every planned database as a dump would, dumping nothing (dry run).
    virtual Task<Result<void>> probe(const Target& target, std::string run_id) = 0;
};

struct SnapshotSummary {
    std::string snapshot_id;
    std::uint64_t bytes_added{0};
    std::uint64_t bytes_processed{0};
};

/// An open `restic backup --stdin`: bytes in, then commit (snapshot) or abort (none).
class SnapshotWriter : public ByteSink {
public:
    /// Ends the input and lets restic write the snapshot.
    virtual Task<Result<SnapshotSummary>> commit() = 0;
    /// Interrupts restic with its input still open: no snapshot is written.
    virtual Task<void> abort() = 0;
};

struct SnapshotInfo {
    std::string id;  ///< short id
    std::string full_id;
    std::string time;
    std::vector<std::string> tags;
    std::vector<std::string> paths;
    /// The first id of the snapshot: rewritten by `restic tag` since, or copied (`restic copy`)
    /// from another repository. Empty when neither.
    std::string original;
};

/// What a copy to a second repository did.
struct CopySummary {
    int copied{0};   ///< snapshots copied now
    int skipped{0};  ///< already there
    double seconds{0};
};

struct PruneSummary {
    std::string summary;  ///< restic's own figures, for humans
    double seconds{0};
};

/// What one `restic check --read-data-subset=k/N` found.
struct CheckSummary {
    bool ok{false};
    std::int64_t packs_read{-1};   ///< the packs of the subset restic read; -1: not said
    std::int64_t total_packs{-1};  ///< all packs as restic counted them; -1: not said
    std::string error;             ///< a failed check: restic's last lines
    double seconds{0};
};

struct WriterSpec {
    std::string file_name;
    std::vector<std::string> tags;
    std::string public_key_file;  ///< encrypt with gpg to this key first; empty: no gpg
};

/// What to read back: one file of one snapshot, decrypted with the key when it was encrypted.
struct ReadSpec {
    std::string snapshot_id;
    std::string path;              ///< the file in the snapshot ("/shop/shop.sql")
    std::string private_key_file;  ///< empty: not encrypted
    std::string passphrase_file;   ///< empty: the key has no passphrase
};

/// An open `restic dump` (through `gpg --decrypt` when encrypted). Read to the end, then finish:
/// only finish() says whether the bytes were whole and authentic (gpg reports tampering at the
/// end).
class SnapshotReader {
public:
    virtual ~SnapshotReader() = default;
    /// The next bytes; 0 at the end of the stream.
    virtual Task<Result<std::size_t>> read(std::span<char> buffer) = 0;
    /// Waits for the programs and checks every exit status (restic, gpg).
    virtual Task<Result<void>> finish() = 0;
};

/// Port: a restic repository.
class BackupRepository {
public:
    virtual ~BackupRepository() = default;
    /// Reachable and initialised (initialises when the config says so).
    virtual Task<Result<void>> prepare() = 0;
    virtual Task<Result<std::unique_ptr<SnapshotWriter>>> open_writer(WriterSpec spec) = 0;
    virtual Task<Result<std::vector<SnapshotInfo>>> snapshots(std::vector<std::string> tags) = 0;
    virtual Task<Result<std::unique_ptr<SnapshotReader>>> open_reader(ReadSpec spec) = 0;
    /// Applies retention to the snapshots carrying all of `tags`, grouped by host and tags.
    /// Returns how many snapshots of the group remain (-1 when restic did not say).
    virtual Task<Result<std::int64_t>> forget(std::vector<std::string> tags,
                                              Retention retention) = 0;
    /// Adds and removes tags of one snapshot (`restic tag`, which rewrites it under a new id).
    /// Returns the snapshot's new full id (its old one when nothing changed). Refused on an
    /// append-only repository: the rewrite must delete the old snapshot file.
    virtual Task<Result<std::string>> retag(std::string snapshot_id,
                                            std::vector<std::string> add,
                                            std::vector<std::string> remove) = 0;
    /// Removes data no snapshot references; waits until no snapshot is being written.
    virtual Task<Result<PruneSummary>> prune() = 0;
    /// Removes restic locks left by dead processes (restic's own staleness rule: the process is
    /// gone on this host, or the lock is older than 30 minutes); live locks stay.
    virtual Task<Result<void>> unlock_stale() = 0;
    /// restic's own file backup of one path of the operator's filesystem (a config project's
    /// asset path): unchanged files dedup, one file can be restored. A path that is missing, or a
    /// file restic could not read, is an error and leaves no snapshot.
    virtual Task<Result<SnapshotSummary>> backup_path(std::string path,
                                                      std::vector<std::string> tags) = 0;
    /// Restores `include` (a path inside the snapshot, or all of it) of a file snapshot under
    /// `target_dir` ("/": back in place), as restic restore does.
    virtual Task<Result<std::uint64_t>> restore_path(std::string snapshot_id,
                                                     std::string include,
                                                     std::string target_dir) = 0;
    /// `restic check --read-data-subset=k/n` (1 <= k <= n): the structure and the k-th of n
    /// subsets of the data packs. A check that ran and found damage (or could not read) is a
    /// summary with ok false; errc::repo_locked when the repository stayed busy (our own writers
    /// and prune, or another host's restic): nothing was checked.
    virtual Task<Result<CheckSummary>> check(int k, int n) = 0;
    /// Copies into this repository the snapshots of `source` (written by backupctl) carrying
    /// all of `tags` that it does not hold yet; ones already copied are skipped. Both must be
    /// prepared. The default: this kind of repository cannot copy.
    virtual Task<Result<CopySummary>> copy_from(BackupRepository& source,
                                                std::vector<std::string> tags) {
        (void)source;
        (void)tags;
        co_return Failure{errc::internal, "this repository cannot copy snapshots"};
    }
};

}  // namespace bk::domain

namespace bk::domain {

/// One path of a target to back up as files.
struct FileItem {
    std::string path;       ///< the mount path inside the target container
    std::string file_name;  ///< restic's --stdin-filename, stable per path
};

/// Port: the target's volumes and mounts as tar streams, and stopping it around them.
class FileArchiver {
public:
    virtual ~FileArchiver() = default;
    /// The paths the target's `volumes` resolve to (names or paths, "*" for every mount).
    virtual Task<Result<std::vector<FileItem>>> plan_files(const Target& target) = 0;
    /// Streams a tar of `item.path` into `sink`; the result's error says why it stopped early
    /// (errc::timeout past `limits`).
    virtual Task<Result<std::uint64_t>> stream(const Target& target,
                                               const FileItem& item,
                                               ByteSink& sink,
                                               StreamLimits limits) = 0;
    /// Stops the target; true when it was running (and must be started again).
    virtual Task<Result<bool>> stop(const Target& target) = 0;
    virtual Task<Result<void>> start(const Target& target) = 0;
};

}  // namespace bk::domain

namespace bk::domain {

struct HookOutcome {
    int exit_code{-1};
    std::string output_tail;  ///< the end of stdout and stderr
    std::string error;        ///< the engine's error, if the hook did not run
};

/// Port: runs a hook's argv (labels: inside the target with exec, no shell; config projects: in
/// the operator's own container, within target.hook_timeout).
class HookRunner {
public:
    virtual ~HookRunner() = default;
    virtual Task<HookOutcome> run(const Target& target, std::vector<std::string> argv) = 0;
};

/// Port: where a config project's database runs now. Its `database.host` is looked up at every
/// run: a container whose name, compose service or network alias it is (on the project's
/// `docker_network` when given); else, for a host outside Docker, the client image the config
/// names. Targets from labels come back unchanged.
class TargetResolver {
public:
    virtual ~TargetResolver() = default;
    /// The target with container id and name, image and network filled in. Errors name the
    /// candidates (several matches) or the networks searched (none).
    virtual Task<Result<Target>> resolve(const Target& target) = 0;
};

/// Port: the operator's own container on an app's network, so that a project's hooks reach the
/// app by name. Outside a container there is nothing to join.
class NetworkAttachment {
public:
    virtual ~NetworkAttachment() = default;
    /// The operator's own container id; empty when it runs outside a container.
    virtual Task<std::string> self() = 0;
    /// Connects `container` to `network`: true when it joined now (and so must leave), false
    /// when it was on it already.
    virtual Task<Result<bool>> join(std::string network, std::string container) = 0;
    /// Disconnects it; not connected (any more) is fine.
    virtual Task<Result<void>> leave(std::string network, std::string container) = 0;
};

}  // namespace bk::domain
