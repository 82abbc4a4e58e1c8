#include "bootstrap/wiring.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/config/yaml_config_loader.hpp"
#include "adapters/lock/file_locks.hpp"
#include "adapters/lock/instance_registry.hpp"
#include "adapters/process/gpg_keys.hpp"
#include "adapters/process/local_files.hpp"
#include "adapters/process/shell_hook_runner.hpp"
#include "adapters/restic/restic_repository.hpp"
#include "bootstrap/logging.hpp"

namespace bk::bootstrap {

namespace {
// A recipient without public_key_file (the original backupctl's way) is looked up among the key
// files of its GPG_KEYS_DIR. A key that is not found disables the projects encrypting to it.
Task<void> find_keys_of_recipients(boost::asio::any_io_executor ex, domain::OperatorConfig* c) {
    for (auto& [name, key] : c->keys) {
        if (key.keys_dir.empty() || !key.public_key_file.empty())
            continue;
        bool used = false;
        for (const auto& t : c->projects)
            used = used || (t.enabled && t.encrypt == name);
        if (!used)
            continue;
        const std::string dir = key.keys_dir;
        const std::string recipient = key.recipient;
        auto found = co_await adapters::process::find_recipient_keys(ex, dir, recipient);
        if (found) {
            const std::string from =
                "GPG_KEYS_DIR " + dir + ": the key " + found->fingerprint + " of " + recipient;
            key.public_key_file = found->public_key_file;
            c->origins["/keys/" + name + "/public_key_file"] = from;
            if (key.private_key_file.empty() && !found->private_key_file.empty()) {
                key.private_key_file = found->private_key_file;
                c->origins["/keys/" + name + "/private_key_file"] = from;
            }
            continue;
        }
        for (std::size_t i = 0; i < c->projects.size(); ++i) {
            auto& t = c->projects[i];
            if (!t.enabled || t.encrypt != name)
                continue;
            t.enabled = false;
            const bool from_env = name == "env";
            c->problems.push_back({from_env ? "environment" : c->file,
                                   0,
                                   0,
                                   from_env
                                       ? "GPG_RECIPIENT"
                                       : "projects[" + std::to_string(i) + "].encryption.recipient",
                                   found.error().message,
                                   t.name});
        }
    }
}

void find_keys_of_recipients(domain::OperatorConfig& config) {
    boost::asio::io_context io;
    std::string failed;
    boost::asio::co_spawn(io,
                          find_keys_of_recipients(io.get_executor(), &config),
                          [&failed](const std::exception_ptr& e) {
                              if (!e)
                                  return;
                              try {
                                  std::rethrow_exception(e);
                              } catch (const std::exception& x) {
                                  failed = x.what();
                              }
                          });
    io.run();
    // No logger exists yet (its settings are in this config): the config says it.
    if (!failed.empty())
        config.warnings.push_back(
            {config.file, 0, 0, "keys", "looking up gpg keys: " + failed, ""});
}
}  // namespace

domain::OperatorConfig load_config(const std::string& cli_path) {
    std::string path = cli_path;
    if (path.empty()) {
        if (const char* env = std::getenv("BACKUPCTL_CONFIG"); env != nullptr && *env != '\0') {
            path = env;
        } else if (std::filesystem::exists("/etc/backupctl/config.yml")) {
            path = "/etc/backupctl/config.yml";
        }
    }
    if (path.empty()) {
        return adapters::config::default_config();
    }
    auto config = adapters::config::load_config_file(path, adapters::config::process_env());
    find_keys_of_recipients(config);
    return config;
}

Result<dockerapi::ClientOptions> client_options(const domain::OperatorConfig& config) {
    auto address = config.docker_host.empty() ? dockerapi::docker_host_from_env()
                                              : dockerapi::parse_docker_host(config.docker_host);
    if (!address) {
        return Failure{errc::invalid_config, address.error().message};
    }
    dockerapi::ClientOptions o;
    o.address = *address;
    return o;
}

Services::Services(boost::asio::any_io_executor ex,
                   domain::OperatorConfig cfg,
                   dockerapi::ClientOptions options,
                   int verbosity)
    : config(std::move(cfg)),
      log(make_logger(config, verbosity)),
      client_address(options.address.describe()),
      client(std::move(ex), std::move(options)),
      source(client),
      registry(config, source) {}

std::unique_ptr<adapters::audit::FallbackAuditLog> open_audit(const std::string& state_dir,
                                                              domain::Logger& log) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    const std::string db_path = state_dir + "/audit.db";
    auto audit = std::make_unique<adapters::audit::FallbackAuditLog>(
        [db_path]() -> Result<std::unique_ptr<domain::AuditLog>> {
            auto db = adapters::audit::SqliteAuditLog::open(db_path);
            if (!db)
                return db.error();
            return std::unique_ptr<domain::AuditLog>(std::move(*db));
        },
        state_dir + "/audit-fallback.jsonl",
        log);
    // Records a broken store kept in the fallback file land now, before anything new.
    auto replayed = audit->replay();
    if (replayed.replayed > 0 || replayed.bad > 0) {
        log.info("replayed " + std::to_string(replayed.replayed) + " audit record(s) from " +
                 audit->path() +
                 (replayed.bad > 0 ? ", " + std::to_string(replayed.bad) +
                                         " unreadable line(s) moved to " + audit->path() + ".bad"
                                   : std::string{}));
    }
    return audit;
}

RunServices::RunServices(boost::asio::any_io_executor ex, Services& base)
    : ex_(std::move(ex)),
      base_(base),
      instance_id_(adapters::lock::new_instance_id(base.config.state_dir)),
      log_(base.log.get()) {}

RunServices::~RunServices() {
    if (audit_)
        base_.registry.provenance_from(nullptr);
}

Result<void> RunServices::open() {
    const std::string state = base_.config.state_dir;
    std::error_code ec;
    std::filesystem::create_directories(state, ec);
    audit_ = open_audit(state, *log_);
    // Conflicting claims to a name are decided by the provenance recorded for it.
    base_.registry.provenance_from(audit_.get());
    Result<void> result;
    if (!audit_->store_error().empty()) {
        result = Failure{errc::io_error, audit_->store_error()};
    }
    locks_ = std::make_unique<adapters::lock::FileLocks>(state + "/locks", instance_id_);
    instances_ =
        std::make_unique<adapters::lock::FileInstanceRegistry>(state + "/instances", instance_id_);
    janitor_ = std::make_unique<adapters::docker::DockerJanitor>(base_.client);
    dumper_ = std::make_unique<adapters::docker::DockerDumper>(base_.client, instance_id_);
    files_ = std::make_unique<adapters::docker::DockerFileArchiver>(base_.client);
    hooks_ = std::make_unique<adapters::docker::DockerHookRunner>(base_.client);
    resolver_ = std::make_unique<adapters::docker::DockerTargetResolver>(
        base_.client, base_.config.defaults.client_images);
    networks_ = std::make_unique<adapters::docker::DockerNetworkAttachment>(base_.client);
    shell_hooks_ = std::make_unique<adapters::process::ShellHookRunner>(ex_);
    runner_ = std::make_unique<app::BackupRunner>(
        base_.config,
        *dumper_,
        *files_,
        *hooks_,
        app::BackupRunner::ProjectPorts{*resolver_, *networks_, *shell_hooks_},
        [this](std::string name) { return repository(std::move(name)); },
        *audit_,
        *locks_,
        instance_id_);
    alert_store_ =
        std::make_unique<adapters::notify::FileAlertStore>(state + "/notify-outbox.json");
    alert_adapters_ = std::make_unique<adapters::notify::AlertAdapters>(
        adapters::notify::make_alert_adapters(ex_, base_.config));
    for (const auto& p : alert_adapters_->problems)
        log_->warn(p);
    alerting_ = std::make_unique<app::Alerting>(
        base_.config,
        [this](const std::string& n) { return alert_adapters_->notifier(n); },
        [this](const std::string& n) { return alert_adapters_->monitor(n); },
        *alert_store_,
        *audit_,
        *log_);
    runner_->observe(alerting_.get());
    restorer_ = std::make_unique<adapters::docker::DockerRestorer>(base_.client, instance_id_);
    restored_copies_ = std::make_unique<adapters::docker::DockerRestoredCopies>(base_.client);
    local_files_ = std::make_unique<adapters::process::TarLocalFiles>(ex_);
    restore_ = std::make_unique<app::RestoreService>(
        base_.config,
        [this](std::string name) { return repository(std::move(name)); },
        *restorer_,
        *resolver_,
        *local_files_,
        *audit_,
        *locks_,
        *runner_,
        instance_id_);
    return result;
}

std::string RunServices::metrics(const std::vector<std::string>& targets,
                                 const std::vector<std::string>& overdue,
                                 int events_connected) {
    app::MetricsInput in;
    in.targets = targets;
    for (const auto& p : base_.config.projects)
        in.targets.push_back(p.name);
    if (auto m = alert_store_->memory())
        in.memory = std::move(*m);
    in.overdue = overdue;
    in.audit_fallback_records = audit_->pending();
    in.notification_queue = alert_store_->pending();
    in.events_connected = events_connected;
    in.audit_ok = audit_->store_error().empty();
    return app::render_metrics(*audit_, in);
}

Task<Result<domain::BackupRepository*>> RunServices::repository(std::string name) {
    // One preparation per repository at a time: two runs starting together must not both
    // `restic init` it.
    while (preparing_.contains(name)) {
        boost::asio::steady_timer t(ex_, std::chrono::milliseconds(50));
        co_await t.async_wait(boost::asio::use_awaitable);
    }
    if (auto it = repos_.find(name); it != repos_.end()) {
        co_return static_cast<domain::BackupRepository*>(it->second.get());
    }
    preparing_.insert(name);
    auto result = co_await prepare_repository(name);
    preparing_.erase(name);
    co_return result;
}

Task<Result<domain::BackupRepository*>> RunServices::prepare_repository(std::string name) {
    auto cfg = base_.config.repositories.find(name);
    if (cfg == base_.config.repositories.end()) {
        co_return Failure{errc::invalid_config, "no repository named " + name};
    }
    auto repo = std::make_unique<adapters::restic::ResticRepository>(
        ex_, name, cfg->second, base_.config.state_dir);
    auto ready = co_await repo->prepare();
    if (!ready) {
        co_return ready.error();
    }
    auto* raw = repo.get();
    repos_[name] = std::move(repo);
    co_return static_cast<domain::BackupRepository*>(raw);
}

Task<app::RecoveryReport> RunServices::recover() {
    std::vector<std::string> names;
    for (const auto& [name, repo] : base_.config.repositories)
        names.push_back(name);
    auto report = co_await app::recover(
        *audit_,
        *janitor_,
        *instances_,
        [this](std::string n) { return repository(std::move(n)); },
        names);
    if (report.found_anything()) {
        log_->warn("recovered from a dead operator: " + std::to_string(report.crashed_runs) +
                   " run(s) marked crashed, " + std::to_string(report.removed_containers) +
                   " dump container(s) removed, " + std::to_string(report.restarted_targets) +
                   " target(s) started again, " + std::to_string(report.networks_left) +
                   " app network(s) left, stale restic locks cleared in " +
                   std::to_string(report.unlocked_repositories) + " repositor(ies)");
        for (const auto& p : report.problems)
            log_->warn("recovery: " + p);
    }
    for (const auto& run : report.crashed)
        co_await alerting_->crashed(run);
    co_return report;
}

}  // namespace bk::bootstrap
