#pragma once
// Ports of restore and of the restore drill: loading a dump into a database server, counting
// what it holds, and throwaway servers of a target's image.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/target.hpp"

namespace bk::domain {

/// A database client loading a dump from its stdin. finish() ends the input and waits for the
/// load; abort() kills it before the end of input (a psql load is rolled back: its COMMIT never
/// came).
class RestoreLoad : public ByteSink {
public:
    virtual Task<Result<void>> finish() = 0;
    virtual Task<void> abort() = 0;
};

/// Port: restores databases with client containers of the target's own image.
class DatabaseRestorer {
public:
    virtual ~DatabaseRestorer() = default;
    /// Empties `database` on `into`'s server (drops and creates it; "*" drops nothing) and opens
    /// a client that loads a dump of it.
    virtual Task<Result<std::unique_ptr<RestoreLoad>>> open_load(const Target& into,
                                                                 std::string database,
                                                                 std::string run_id) = 0;
    /// Rows per table on `into`, for the tables named as DumpCensus::rows() names them. A table
    /// that does not exist is an error naming it.
    virtual Task<Result<std::map<std::string, std::uint64_t>>> count_rows(
        const Target& into,
        std::string database,
        std::vector<std::string> tables,
        std::string run_id) = 0;
    /// A new server of the target's image. `scratch`: on a new internal network (no route to the
    /// target), a throwaway password, labelled ours (discard() or the janitor removes it).
    /// Otherwise: on the target's network with the target's environment, left running.
    virtual Task<Result<Target>> clone(const Target& target, bool scratch, std::string run_id) = 0;
    /// The server in another container (`restore --into-container`), to load `target`'s dumps
    /// into: the target's database kind and names, everything else that container's own: its
    /// image (by id), its network, and its image's default user and password variable. Nothing
    /// of the target's labels (user, password variable, dump image) reaches it.
    virtual Task<Result<Target>> server_in(const Target& target, std::string container) = 0;
    /// Waits until the server answers queries (its image's initialisation is done).
    virtual Task<Result<void>> wait_ready(const Target& server,
                                          std::chrono::seconds limit,
                                          std::string run_id) = 0;
    /// Removes a scratch server and its network.
    virtual Task<void> discard(const Target& scratch) = 0;
    /// Loads a tar of `path` (as a files backup made it) back into `into`'s mount at `path`,
    /// owners and modes as in the tar. Files added since stay.
    virtual Task<Result<std::unique_ptr<RestoreLoad>>> open_files_load(const Target& into,
                                                                       std::string path,
                                                                       std::string run_id) = 0;
};

/// A server `restore --new-container` made and left running for the user (labelled
/// backupctl.restored-from): the user's result, never a leftover of a dead run.
struct RestoredCopy {
    std::string container_id;
    std::string name;
    std::string target;       ///< backupctl.restored-from
    std::string run_id;       ///< backupctl.run: the restore that made it (empty: an older copy)
    std::string restored_at;  ///< backupctl.restored-at (UTC)
    std::string state;        ///< running | exited | created | ...
    std::vector<std::string> networks;
    std::vector<std::string> volumes;  ///< volumes the engine made with it (removed with it)
};

/// Port: the copies earlier restores left, and their removal.
class RestoredCopies {
public:
    virtual ~RestoredCopies() = default;
    /// Every container labelled as restored from `target`, running or not.
    virtual Task<Result<std::vector<RestoredCopy>>> list(std::string target) = 0;
    /// Removes the container (stopped first) with the volumes made with it, and so its
    /// endpoints on its networks. A copy gone already is no error.
    virtual Task<Result<void>> remove(RestoredCopy copy) = 0;
};

/// Port: extracts a tar stream into a directory of the operator's host.
class LocalFiles {
public:
    virtual ~LocalFiles() = default;
    virtual Task<Result<std::unique_ptr<RestoreLoad>>> open_extract(std::string directory) = 0;
};

}  // namespace bk::domain
