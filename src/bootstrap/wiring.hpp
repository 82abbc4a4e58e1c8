#pragma once
// Composition root: reads the config and builds the adapters and the application objects by hand.

#include <boost/asio/any_io_executor.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "adapters/audit/fallback_audit_log.hpp"
#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_file_archiver.hpp"
#include "adapters/docker/docker_hook_runner.hpp"
#include "adapters/docker/docker_janitor.hpp"
#include "adapters/docker/docker_projects.hpp"
#include "adapters/docker/docker_restorer.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "adapters/notify/alert_adapters.hpp"
#include "adapters/notify/file_alert_store.hpp"
#include "application/alerting.hpp"
#include "application/backup_runner.hpp"
#include "application/metrics.hpp"
#include "application/recovery.hpp"
#include "application/registry.hpp"
#include "application/restore.hpp"
#include "dockerapi/client.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/logger.hpp"

namespace bk::adapters::restic {
class ResticRepository;
}

namespace bk::bootstrap {

/// Where the config comes from: --config, else $BACKUPCTL_CONFIG, else /etc/backupctl/config.yml
/// when it exists, else the built-in default.
domain::OperatorConfig load_config(const std::string& cli_path);

/// The engine's address: the config's docker.host, else DOCKER_HOST, else the default socket.
Result<dockerapi::ClientOptions> client_options(const domain::OperatorConfig& config);

/// The audit trail in `<state_dir>/audit.db`, falling back to `audit-fallback.jsonl`; what the
/// fallback file holds is replayed first (and said on `log`).
std::unique_ptr<adapters::audit::FallbackAuditLog> open_audit(const std::string& state_dir,
                                                              domain::Logger& log);

struct Services {
    domain::OperatorConfig config;
    /// The process's logger (see make_logger): the config's `log:` and the `-v` count.
    std::unique_ptr<domain::Logger> log;
    std::string client_address;  ///< where the engine is, for humans
    dockerapi::Client client;
    adapters::docker::DockerTargetSource source;
    app::Registry registry;

    Services(boost::asio::any_io_executor ex,
             domain::OperatorConfig cfg,
             dockerapi::ClientOptions options,
             int verbosity = 0);
};

/// What a backup run needs on top of discovery.
class RunServices {
public:
    RunServices(boost::asio::any_io_executor ex, Services& base);
    ~RunServices();
    RunServices(const RunServices&) = delete;
    RunServices& operator=(const RunServices&) = delete;

    /// Where the warnings of the alerting and the audit go (before open(); default: the
    /// process's logger, Services::log).
    void log_to(domain::Logger& log) { log_ = &log; }
    domain::Logger& log() { return *log_; }
    /// Opens the audit log and the locks; a broken audit store is reported, not fatal.
    Result<void> open();
    app::Alerting& alerting() { return *alerting_; }
    adapters::notify::FileAlertStore& alert_store() { return *alert_store_; }
    /// The Prometheus exposition (see app::render_metrics) with what this process knows.
    std::string metrics(const std::vector<std::string>& targets,
                        const std::vector<std::string>& overdue,
                        int events_connected);
    app::BackupRunner& runner() { return *runner_; }
    app::RestoreService& restore() { return *restore_; }
    /// What `restore --new-container` left (after open()).
    domain::RestoredCopies& restored_copies() { return *restored_copies_; }
    adapters::audit::FallbackAuditLog* audit() { return audit_.get(); }
    domain::DatabaseDumper& dumper() { return *dumper_; }
    domain::Janitor& janitor() { return *janitor_; }
    domain::TargetResolver& resolver() { return *resolver_; }
    domain::InstanceRegistry& instances() { return *instances_; }
    /// Cleans what dead instances left (see app::recover); says what it found in the log.
    Task<app::RecoveryReport> recover();
    Task<Result<domain::BackupRepository*>> repository(std::string name);
    const std::string& instance_id() const { return instance_id_; }

private:
    Task<Result<domain::BackupRepository*>> prepare_repository(std::string name);

    boost::asio::any_io_executor ex_;
    Services& base_;
    std::set<std::string> preparing_;
    std::string instance_id_;
    std::unique_ptr<adapters::audit::FallbackAuditLog> audit_;
    std::unique_ptr<domain::TargetLocks> locks_;
    std::unique_ptr<domain::InstanceRegistry> instances_;
    std::unique_ptr<adapters::docker::DockerJanitor> janitor_;
    std::unique_ptr<adapters::docker::DockerDumper> dumper_;
    std::unique_ptr<adapters::docker::DockerFileArchiver> files_;
    std::unique_ptr<adapters::docker::DockerHookRunner> hooks_;
    std::unique_ptr<adapters::docker::DockerTargetResolver> resolver_;
    std::unique_ptr<adapters::docker::DockerNetworkAttachment> networks_;
    std::unique_ptr<domain::HookRunner> shell_hooks_;
    std::map<std::string, std::unique_ptr<adapters::restic::ResticRepository>> repos_;
    std::unique_ptr<app::BackupRunner> runner_;
    std::unique_ptr<adapters::docker::DockerRestorer> restorer_;
    std::unique_ptr<adapters::docker::DockerRestoredCopies> restored_copies_;
    std::unique_ptr<domain::LocalFiles> local_files_;
    std::unique_ptr<app::RestoreService> restore_;
    domain::Logger* log_;
    std::unique_ptr<adapters::notify::FileAlertStore> alert_store_;
    std::unique_ptr<adapters::notify::AlertAdapters> alert_adapters_;
    std::unique_ptr<app::Alerting> alerting_;
};

}  // namespace bk::bootstrap
