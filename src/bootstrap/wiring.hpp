#pragma once
// Composition root: reads the config and builds the adapters and the application objects by hand.
// This header is what the drivers see of it: ports and application objects, never an adapter or
// dockerapi (the `layering` test checks that no driver includes either).

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "application/alerting.hpp"
#include "application/backup_runner.hpp"
#include "application/checks.hpp"
#include "application/recovery.hpp"
#include "application/registry.hpp"
#include "application/repository_checks.hpp"
#include "application/restore.hpp"
#include "application/snapshot_copier.hpp"
#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"
#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/checks.hpp"
#include "domain/ports/logger.hpp"
#include "domain/ports/restore_ports.hpp"
#include "domain/schedule.hpp"

namespace bk::bootstrap {

/// Where the config comes from: --config, else $BACKUPCTL_CONFIG, else /etc/backupctl/config.yml
/// when it exists, else the built-in default.
domain::OperatorConfig load_config(const std::string& cli_path);

/// The config's IANA time zone (made the process's local zone too). Errors: invalid_config.
Result<domain::UtcOffset> time_zone(const std::string& zone);

/// `backupctl unlock`: removes `target`'s lock in the config's state directory when no live
/// process holds it (the lock adapter's answer).
domain::StaleLockRemoval unlock_target(const domain::OperatorConfig& config,
                                       const std::string& target);

/// The audit trail in `<state_dir>/audit.db`, falling back to `audit-fallback.jsonl`; what the
/// fallback file holds is replayed first (and said on `log`).
std::unique_ptr<domain::AuditLog> open_audit(const std::string& state_dir, domain::Logger& log);

/// The notification outbox and the alerts' memory in `<state_dir>/notify-outbox.json`.
std::unique_ptr<domain::AlertStore> open_alert_store(const std::string& state_dir);

/// The notifiers and monitors a config names, built now (the config must outlive them).
class AlertEndpoints {
public:
    AlertEndpoints(boost::asio::any_io_executor ex, const domain::OperatorConfig& config);
    ~AlertEndpoints();
    AlertEndpoints(const AlertEndpoints&) = delete;
    AlertEndpoints& operator=(const AlertEndpoints&) = delete;
    /// nullptr when the config names none such (or it could not be built: see problems()).
    [[nodiscard]] domain::Notifier* notifier(const std::string& name) const;
    [[nodiscard]] domain::Monitor* monitor(const std::string& name) const;
    /// "notifier ops: a webhook notifier needs url"
    [[nodiscard]] const std::vector<std::string>& problems() const;

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

/// Discovery on a config: the engine and the registry of targets.
class Services {
public:
    /// Errors: invalid_config (the engine's address is not one). `verbosity`: the `-v` count
    /// (see make_logger).
    static Result<std::unique_ptr<Services>> connect(boost::asio::any_io_executor ex,
                                                     domain::OperatorConfig config,
                                                     int verbosity = 0);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    domain::EngineProbe& engine();
    /// Discovery with the provenance the audit store recorded (read only, when there is one):
    /// conflicts decided and held targets shown as the daemon sees them; nothing is written.
    Task<Result<app::Inventory>> refresh_as_recorded();

private:
    struct Engine;
    Services(domain::OperatorConfig cfg, std::unique_ptr<Engine> e, int verbosity);

public:
    domain::OperatorConfig config;
    /// The process's logger (see make_logger): the config's `log:` and the `-v` count.
    std::unique_ptr<domain::Logger> log;

private:
    friend class RunServices;
    friend class DaemonHost;
    std::unique_ptr<Engine> engine_;  // before the registry: it reads the engine's containers

public:
    app::Registry registry;
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
    app::Alerting& alerting();
    /// The Prometheus exposition (see app::render_metrics) with what this process knows.
    std::string metrics(const std::vector<std::string>& targets,
                        const std::vector<std::string>& overdue,
                        int events_connected);
    app::BackupRunner& runner();
    /// The second copies (copy_to); nullptr when the copy ledger could not be opened.
    app::SnapshotCopier* copier();
    app::RestoreService& restore();
    /// The repositories' rotating checks, telling the alerting (after open()).
    app::RepositoryChecks& repository_checks();
    /// What `restore --new-container` left (after open()).
    domain::RestoredCopies& restored_copies();
    /// The audit trail (after open()); while its store is broken, records go to audit_path().
    domain::AuditLog& audit();
    [[nodiscard]] const std::string& audit_path() const;
    /// The checks of `run --dry-run` (after open()).
    app::Checks checks();
    /// Cleans what dead instances left (see app::recover); says what it found in the log.
    Task<app::RecoveryReport> recover();
    Task<Result<domain::BackupRepository*>> repository(std::string name);
    [[nodiscard]] const std::string& instance_id() const { return instance_id_; }

private:
    friend class DaemonHost;
    struct Parts;
    Task<Result<domain::BackupRepository*>> prepare_repository(std::string name);

    boost::asio::any_io_executor ex_;
    Services& base_;
    std::string instance_id_;
    domain::Logger* log_;
    std::unique_ptr<Parts> parts_;
};

/// `backupctl health`: every check of app::Checks::health on this config, with the services it
/// can build (an engine address that is wrong is a failed check, not an exit).
Task<std::vector<app::Check>> health_checks(boost::asio::any_io_executor ex,
                                            domain::OperatorConfig config,
                                            bool quick);

}  // namespace bk::bootstrap
