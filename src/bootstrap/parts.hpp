#pragma once
// The adapters behind bootstrap's services. Only bootstrap's own .cpp files include this: the
// drivers see wiring.hpp and daemon_host.hpp, which name ports and application objects only
// (the `layering` test checks it).

#include <map>
#include <memory>
#include <set>
#include <string>

#include "adapters/audit/fallback_audit_log.hpp"
#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_engine_probe.hpp"
#include "adapters/docker/docker_file_archiver.hpp"
#include "adapters/docker/docker_hook_runner.hpp"
#include "adapters/docker/docker_janitor.hpp"
#include "adapters/docker/docker_projects.hpp"
#include "adapters/docker/docker_restorer.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "adapters/gpg/gpg_key_inspector.hpp"
#include "adapters/notify/alert_adapters.hpp"
#include "adapters/notify/file_alert_store.hpp"
#include "adapters/process/system_host_probe.hpp"
#include "bootstrap/wiring.hpp"
#include "core/signal.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::restic {
class ResticRepository;
}

namespace bk::bootstrap {

/// The audit trail with its fallback file (see open_audit).
std::unique_ptr<adapters::audit::FallbackAuditLog> open_fallback_audit(const std::string& state_dir,
                                                                       domain::Logger& log);

struct Services::Engine {
    std::string address;  ///< where the engine is, for humans
    dockerapi::Client client;
    adapters::docker::DockerTargetSource source;
    adapters::docker::DockerEngineProbe probe;

    Engine(boost::asio::any_io_executor ex, dockerapi::ClientOptions options);
};

struct RunServices::Parts {
    std::set<std::string> preparing;
    Signal prepared;  ///< a preparation ended (its waiters look again)
    std::unique_ptr<adapters::audit::FallbackAuditLog> audit;
    std::unique_ptr<domain::TargetLocks> locks;
    std::unique_ptr<domain::InstanceRegistry> instances;
    std::unique_ptr<adapters::docker::DockerJanitor> janitor;
    std::unique_ptr<adapters::docker::DockerDumper> dumper;
    std::unique_ptr<adapters::docker::DockerFileArchiver> files;
    std::unique_ptr<adapters::docker::DockerHookRunner> hooks;
    std::unique_ptr<adapters::docker::DockerTargetResolver> resolver;
    std::unique_ptr<adapters::docker::DockerNetworkAttachment> networks;
    std::unique_ptr<domain::HookRunner> shell_hooks;
    std::map<std::string, std::unique_ptr<adapters::restic::ResticRepository>> repos;
    std::unique_ptr<app::BackupRunner> runner;
    std::unique_ptr<adapters::docker::DockerRestorer> restorer;
    std::unique_ptr<adapters::docker::DockerRestoredCopies> restored_copies;
    std::unique_ptr<domain::LocalFiles> local_files;
    std::unique_ptr<app::RestoreService> restore;
    std::unique_ptr<adapters::notify::FileAlertStore> alert_store;
    std::unique_ptr<adapters::notify::AlertAdapters> alert_adapters;
    std::unique_ptr<app::Alerting> alerting;
    std::unique_ptr<app::RepositoryChecks> repository_checks;
    std::unique_ptr<adapters::audit::SqliteAuditLog> copy_ledger;
    std::unique_ptr<app::SnapshotCopier> copier;
    adapters::process::SystemHostProbe host;
    std::unique_ptr<adapters::gpg::GpgKeyInspector> keys;

    ~Parts();
};

}  // namespace bk::bootstrap
