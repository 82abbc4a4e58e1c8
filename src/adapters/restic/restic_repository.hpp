#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <string>

#include "domain/operator_config.hpp"
#include "domain/ports/backup_ports.hpp"
#include "domain/repository_fault.hpp"

namespace bk::adapters::restic {

/// domain::BackupRepository over the restic CLI (0.14+). The password reaches restic through a
/// pipe (RESTIC_PASSWORD_FILE=/dev/fd/3), never argv or a file; a repository without a password
/// that may be initialised gets a generated one under state_dir (mode 0600). Writers share the
/// repository, forget and prune hold it alone (a flock under state_dir/locks).
class ResticRepository final : public domain::BackupRepository {
public:
    ResticRepository(boost::asio::any_io_executor ex,
                     std::string name,
                     domain::RepositoryConfig config,
                     std::string state_dir);

    // domain::BackupRepository
    Task<Result<void>> prepare() override;
    Task<Result<std::unique_ptr<domain::SnapshotWriter>>> open_writer(
        domain::WriterSpec spec) override;
    Task<Result<std::vector<domain::SnapshotInfo>>> snapshots(
        std::vector<std::string> tags) override;
    Task<Result<std::int64_t>> forget(std::vector<std::string> tags,
                                      domain::Retention retention) override;
    Task<Result<std::unique_ptr<domain::SnapshotReader>>> open_reader(
        domain::ReadSpec spec) override;

    /// Removes data no snapshot references (`restic prune`), holding the repository exclusively.
    Task<Result<std::string>> retag(std::string snapshot_id,
                                    std::vector<std::string> add,
                                    std::vector<std::string> remove) override;
    Task<Result<domain::PruneSummary>> prune() override;
    Task<Result<void>> unlock_stale() override;
    Task<Result<domain::SnapshotSummary>> backup_path(std::string path,
                                                      std::vector<std::string> tags) override;
    Task<Result<std::uint64_t>> restore_path(std::string snapshot_id,
                                             std::string include,
                                             std::string target_dir) override;
    Task<Result<domain::CheckSummary>> check(int k, int n) override;
    /// `restic copy --from-repo` with both passwords through pipes (descriptors 3 and 4), the
    /// source's backend variables added to this one's (a clash is refused), both held shared.
    Task<Result<domain::CopySummary>> copy_from(domain::BackupRepository& source,
                                                std::vector<std::string> tags) override;

    /// The environment restic runs with (for `backupctl restic`); the password is not in it.
    [[nodiscard]] std::vector<std::string> environment() const;
    [[nodiscard]] const std::string& password() const { return password_; }

private:
    [[nodiscard]] std::string gate_path() const;
    /// restic, the transport's global options (sftp.command, --cacert), then `command`.
    [[nodiscard]] std::vector<std::string> restic_argv(std::vector<std::string> command) const;
    static constexpr std::chrono::seconds kGateWait{6 * 3600};
    /// Retention does not wait long for other snapshots being written: it comes again with the
    /// target's next run.
    static constexpr std::chrono::seconds kForgetWait{30};
    /// restic retries failing deletes for many minutes: forget and prune are stopped after this.
    static constexpr std::chrono::seconds kForgetDeadline{15 * 60};
    static constexpr std::chrono::seconds kPruneDeadline{12 * 3600};
    /// A check waits this long for the repository's writers to finish (restic check locks it
    /// exclusively), then is reported busy; reading a subset of the data may take hours.
    static constexpr std::chrono::seconds kCheckWait{3600};
    static constexpr std::chrono::seconds kCheckDeadline{12 * 3600};

    boost::asio::any_io_executor ex_;
    std::string name_;
    domain::RepositoryConfig config_;
    std::string state_dir_;
    std::string password_;
    std::vector<std::string> global_args_;
    std::string transport_error_;  ///< an sftp repository whose ssh command cannot be built
    domain::FaultContext context_;
};

/// The host name every snapshot is written with: stable across operator recreation.
inline constexpr const char* kSnapshotHost = "backupctl";

}  // namespace bk::adapters::restic
