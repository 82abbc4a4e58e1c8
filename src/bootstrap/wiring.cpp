#include "bootstrap/wiring.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/config/yaml_config_loader.hpp"
#include "adapters/gpg/gpg_keys.hpp"
#include "adapters/lock/file_locks.hpp"
#include "adapters/lock/instance_registry.hpp"
#include "adapters/process/local_files.hpp"
#include "adapters/process/shell_hook_runner.hpp"
#include "adapters/restic/restic_repository.hpp"
#include "adapters/time/system_zone.hpp"
#include "application/metrics.hpp"
#include "bootstrap/database_kinds.hpp"
#include "bootstrap/logging.hpp"
#include "bootstrap/parts.hpp"

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
        auto found = co_await adapters::gpg::find_recipient_keys(ex, dir, recipient);
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

domain::StaleLockRemoval unlock_target(const domain::OperatorConfig& config,
                                       const std::string& target) {
    return adapters::lock::FileLocks(config.state_dir + "/locks", "").remove_stale(target);
}

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
        auto config = adapters::config::default_config();
        config.database_kinds = database_kinds();
        return config;
    }
    auto config =
        adapters::config::load_config_file(database_kinds(), path, adapters::config::process_env());
    find_keys_of_recipients(config);
    return config;
}

namespace {

// The engine's address: the config's docker.host, else DOCKER_HOST, else the default socket.
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

// The build's date from __DATE__ ("Nov 27 2026"): a clock before it is wrong.
std::int64_t build_time() {
    static const char* months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const std::string d = __DATE__;
    std::tm tm{};
    tm.tm_mon = static_cast<int>(std::string(months).find(d.substr(0, 3)) / 3);
    tm.tm_mday = std::atoi(d.substr(4, 2).c_str());
    tm.tm_year = std::atoi(d.substr(7, 4).c_str()) - 1900;
    return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace

Result<domain::UtcOffset> time_zone(const std::string& zone) {
    return adapters::time::system_zone(zone);
}

std::unique_ptr<domain::AlertStore> open_alert_store(const std::string& state_dir) {
    return std::make_unique<adapters::notify::FileAlertStore>(state_dir + "/notify-outbox.json");
}

struct AlertEndpoints::Parts {
    adapters::notify::AlertAdapters adapters;
};

AlertEndpoints::AlertEndpoints(boost::asio::any_io_executor ex,
                               const domain::OperatorConfig& config)
    : parts_(std::make_unique<Parts>(
          Parts{adapters::notify::make_alert_adapters(std::move(ex), config)})) {}

AlertEndpoints::~AlertEndpoints() = default;

domain::Notifier* AlertEndpoints::notifier(const std::string& name) const {
    return parts_->adapters.notifier(name);
}

domain::Monitor* AlertEndpoints::monitor(const std::string& name) const {
    return parts_->adapters.monitor(name);
}

const std::vector<std::string>& AlertEndpoints::problems() const {
    return parts_->adapters.problems;
}

Services::Engine::Engine(boost::asio::any_io_executor ex, dockerapi::ClientOptions options)
    : address(options.address.describe()),
      client(std::move(ex), std::move(options)),
      source(client),
      probe(client, address) {}

Result<std::unique_ptr<Services>> Services::connect(boost::asio::any_io_executor ex,
                                                    domain::OperatorConfig config,
                                                    int verbosity) {
    auto options = client_options(config);
    if (!options)
        return options.error();
    auto engine = std::make_unique<Engine>(ex, std::move(*options));
    return std::unique_ptr<Services>(new Services(std::move(config), std::move(engine), verbosity));
}

Services::Services(domain::OperatorConfig cfg, std::unique_ptr<Engine> e, int verbosity)
    : config(std::move(cfg)),
      log(make_logger(config, verbosity)),
      engine_(std::move(e)),
      registry(config, engine_->source) {}

Services::~Services() = default;

domain::EngineProbe& Services::engine() {
    return engine_->probe;
}

Task<Result<app::Inventory>> Services::refresh_as_recorded() {
    std::unique_ptr<adapters::audit::SqliteAuditLog> recorded;
    const auto audit_db = std::filesystem::path(config.state_dir) / "audit.db";
    if (std::error_code ec; std::filesystem::exists(audit_db, ec)) {
        if (auto opened = adapters::audit::SqliteAuditLog::open(audit_db.string()); opened) {
            recorded = std::move(*opened);
            registry.provenance_from(recorded.get());
        }
    }
    auto inventory = co_await registry.refresh();
    registry.provenance_from(nullptr);
    co_return inventory;
}

std::unique_ptr<adapters::audit::FallbackAuditLog> open_fallback_audit(const std::string& state_dir,
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

std::unique_ptr<domain::AuditLog> open_audit(const std::string& state_dir, domain::Logger& log) {
    return open_fallback_audit(state_dir, log);
}

RunServices::Parts::~Parts() = default;

RunServices::RunServices(boost::asio::any_io_executor ex, Services& base)
    : ex_(std::move(ex)),
      base_(base),
      instance_id_(adapters::lock::new_instance_id(base.config.state_dir)),
      log_(base.log.get()),
      parts_(std::make_unique<Parts>()) {}

RunServices::~RunServices() {
    if (parts_->audit)
        base_.registry.provenance_from(nullptr);
}

Result<void> RunServices::open() {
    auto& p = *parts_;
    auto& client = base_.engine_->client;
    const std::string state = base_.config.state_dir;
    std::error_code ec;
    std::filesystem::create_directories(state, ec);
    p.audit = open_fallback_audit(state, *log_);
    // Conflicting claims to a name are decided by the provenance recorded for it.
    base_.registry.provenance_from(p.audit.get());
    Result<void> result;
    if (!p.audit->store_error().empty()) {
        result = Failure{errc::io_error, p.audit->store_error()};
    }
    p.locks = std::make_unique<adapters::lock::FileLocks>(state + "/locks", instance_id_);
    p.instances =
        std::make_unique<adapters::lock::FileInstanceRegistry>(state + "/instances", instance_id_);
    p.janitor = std::make_unique<adapters::docker::DockerJanitor>(client);
    p.dumper =
        std::make_unique<adapters::docker::DockerDumper>(client, instance_id_, database_registry());
    p.files = std::make_unique<adapters::docker::DockerFileArchiver>(client);
    p.hooks = std::make_unique<adapters::docker::DockerHookRunner>(client);
    p.resolver = std::make_unique<adapters::docker::DockerTargetResolver>(
        client, base_.config.defaults.client_images);
    p.networks = std::make_unique<adapters::docker::DockerNetworkAttachment>(client);
    p.shell_hooks = std::make_unique<adapters::process::ShellHookRunner>(ex_);
    p.runner = std::make_unique<app::BackupRunner>(
        base_.config,
        *p.dumper,
        *p.files,
        *p.hooks,
        app::BackupRunner::ProjectPorts{*p.resolver, *p.networks, *p.shell_hooks},
        [this](std::string name) { return repository(std::move(name)); },
        *p.audit,
        *p.locks,
        instance_id_);
    p.alert_store =
        std::make_unique<adapters::notify::FileAlertStore>(state + "/notify-outbox.json");
    p.alert_adapters = std::make_unique<adapters::notify::AlertAdapters>(
        adapters::notify::make_alert_adapters(ex_, base_.config));
    for (const auto& problem : p.alert_adapters->problems)
        log_->warn(problem);
    p.alerting = std::make_unique<app::Alerting>(
        base_.config,
        [this](const std::string& n) { return parts_->alert_adapters->notifier(n); },
        [this](const std::string& n) { return parts_->alert_adapters->monitor(n); },
        *p.alert_store,
        *p.audit,
        *log_);
    p.runner->observe(p.alerting.get());
    // The pending copies live in the audit database (its own connection: the audit trail's
    // fallback wrapper knows nothing of them).
    if (auto ledger = adapters::audit::SqliteAuditLog::open(state + "/audit.db"); ledger) {
        p.copy_ledger = std::move(*ledger);
        p.copier = std::make_unique<app::SnapshotCopier>(
            base_.config,
            [this](std::string name) { return repository(std::move(name)); },
            *p.copy_ledger,
            *p.audit,
            *log_);
        p.copier->observe(
            [this](domain::CopyLag lag) { return parts_->alerting->copy_lag(std::move(lag)); });
        p.runner->copy_with(p.copier.get());
    } else {
        log_->warn("copies (copy_to) are off: " + ledger.error().message);
    }
    p.restorer = std::make_unique<adapters::docker::DockerRestorer>(
        client, instance_id_, database_registry());
    p.restored_copies = std::make_unique<adapters::docker::DockerRestoredCopies>(client);
    p.local_files = std::make_unique<adapters::process::TarLocalFiles>(ex_);
    p.restore = std::make_unique<app::RestoreService>(
        base_.config,
        [this](std::string name) { return repository(std::move(name)); },
        *p.restorer,
        *p.resolver,
        *p.local_files,
        *p.audit,
        *p.locks,
        *p.runner,
        instance_id_);
    p.keys = std::make_unique<adapters::gpg::GpgKeyInspector>(ex_);
    auto zone = time_zone(base_.config.timezone);
    p.repository_checks = std::make_unique<app::RepositoryChecks>(
        base_.config,
        [this](std::string name) { return repository(std::move(name)); },
        *p.audit,
        *log_,
        zone ? *zone : domain::UtcOffset{});
    p.repository_checks->alerts(p.alerting.get());
    return result;
}

app::Alerting& RunServices::alerting() {
    return *parts_->alerting;
}
app::RepositoryChecks& RunServices::repository_checks() {
    return *parts_->repository_checks;
}
app::BackupRunner& RunServices::runner() {
    return *parts_->runner;
}
app::SnapshotCopier* RunServices::copier() {
    return parts_->copier.get();
}
app::RestoreService& RunServices::restore() {
    return *parts_->restore;
}
domain::RestoredCopies& RunServices::restored_copies() {
    return *parts_->restored_copies;
}
domain::AuditLog& RunServices::audit() {
    return *parts_->audit;
}
const std::string& RunServices::audit_path() const {
    return parts_->audit->path();
}

app::Checks RunServices::checks() {
    auto& p = *parts_;
    app::CheckPorts ports;
    ports.host = &p.host;
    ports.keys = p.keys.get();
    ports.engine = &base_.engine();
    ports.registry = &base_.registry;
    ports.audit = p.audit.get();
    ports.audit_state = {p.audit->store_error(), p.audit->pending(), p.audit->path()};
    ports.outbox = p.alert_store.get();
    ports.outbox_path = p.alert_store->path();
    ports.repository = [this](std::string name) { return repository(std::move(name)); };
    ports.resolver = p.resolver.get();
    ports.dumper = p.dumper.get();
    ports.built_at = build_time();
    if (p.copier) {
        ports.copy_lags = [copier = p.copier.get()]() { return copier->lags(); };
    }
    return app::Checks(base_.config, std::move(ports));
}

std::string RunServices::metrics(const std::vector<std::string>& targets,
                                 const std::vector<std::string>& overdue,
                                 int events_connected) {
    auto& p = *parts_;
    app::MetricsInput in;
    in.targets = targets;
    for (const auto& project : base_.config.projects)
        in.targets.push_back(project.name);
    if (auto m = p.alert_store->memory())
        in.memory = std::move(*m);
    in.overdue = overdue;
    in.audit_fallback_records = p.audit->pending();
    in.notification_queue = p.alert_store->pending();
    in.events_connected = events_connected;
    in.audit_ok = p.audit->store_error().empty();
    for (const auto& [name, repo] : base_.config.repositories)
        in.repositories[name] = repo.check_subsets;
    if (p.copier) {
        if (auto lags = p.copier->lags())
            in.copies = std::move(*lags);
    }
    return app::render_metrics(*p.audit, in);
}

Task<Result<domain::BackupRepository*>> RunServices::repository(std::string name) {
    // One preparation per repository at a time: two runs starting together must not both
    // `restic init` it.
    while (parts_->preparing.contains(name))
        co_await parts_->prepared.wait();  // woken when that preparation ends, no poll period
    if (auto it = parts_->repos.find(name); it != parts_->repos.end()) {
        co_return static_cast<domain::BackupRepository*>(it->second.get());
    }
    // Ended also by an exception: its waiters must not wait for ever.
    struct Preparing {
        Parts& p;
        std::string name;
        ~Preparing() {
            p.preparing.erase(name);
            p.prepared.notify_all();
        }
    };
    parts_->preparing.insert(name);
    const Preparing preparing{*parts_, name};
    co_return co_await prepare_repository(name);
}

Task<Result<domain::BackupRepository*>> RunServices::prepare_repository(std::string name) {
    // "<name>@maintenance": an append-only repository through its maintenance credentials (the
    // same name: the same lock gate, the same generated password).
    const std::string suffix = "@maintenance";
    const bool maintenance = name.ends_with(suffix);
    const std::string base_name = maintenance ? name.substr(0, name.size() - suffix.size()) : name;
    auto cfg = base_.config.repositories.find(base_name);
    if (cfg == base_.config.repositories.end()) {
        co_return Failure{errc::invalid_config, "no repository named " + base_name};
    }
    domain::RepositoryConfig config = cfg->second;
    if (maintenance) {
        if (!config.has_maintenance) {
            co_return Failure{errc::invalid_config,
                              "repository " + base_name + " has no maintenance credentials"};
        }
        config.url = config.maintenance_url;
        if (!config.maintenance_password.reveal().empty())
            config.password = config.maintenance_password;
        if (!config.maintenance_env.empty())
            config.env = config.maintenance_env;
        config.append_only = false;
        config.has_maintenance = false;
        config.copy_to.clear();
    }
    auto repo = std::make_unique<adapters::restic::ResticRepository>(
        ex_, base_name, config, base_.config.state_dir);
    auto ready = co_await repo->prepare();
    if (!ready) {
        co_return ready.error();
    }
    auto* raw = repo.get();
    parts_->repos[name] = std::move(repo);
    co_return static_cast<domain::BackupRepository*>(raw);
}

Task<app::RecoveryReport> RunServices::recover() {
    std::vector<std::string> names;
    for (const auto& [name, repo] : base_.config.repositories)
        names.push_back(name);
    auto report = co_await app::recover(
        *parts_->audit,
        *parts_->janitor,
        *parts_->instances,
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
        co_await parts_->alerting->crashed(run);
    co_return report;
}

Task<std::vector<app::Check>> health_checks(boost::asio::any_io_executor ex,
                                            domain::OperatorConfig config,
                                            bool quick) {
    adapters::process::SystemHostProbe host;
    adapters::gpg::GpgKeyInspector keys(ex);
    app::CheckPorts ports;
    ports.host = &host;
    ports.keys = &keys;
    ports.built_at = build_time();
    if (auto zone = time_zone(config.timezone))
        ports.zone = *zone;
    std::unique_ptr<Services> services;
    if (auto connected = Services::connect(ex, config); connected) {
        services = std::move(*connected);
        ports.engine = &services->engine();
        ports.registry = &services->registry;
    } else {
        ports.engine_problem = connected.error().message;
    }
    // What opening the audit says (a replay) is the log's; the checks say what is wrong.
    const auto log = make_logger(config, 0);
    auto audit = open_fallback_audit(config.state_dir, *log);
    ports.audit = audit.get();
    ports.audit_state = {audit->store_error(), audit->pending(), audit->path()};
    adapters::notify::FileAlertStore outbox(config.state_dir + "/notify-outbox.json");
    ports.outbox = &outbox;
    ports.outbox_path = outbox.path();
    {
        AlertEndpoints endpoints(ex, config);
        ports.alerting_problems = endpoints.problems();
    }
    // The repositories are opened as a run opens them (not in --quick: restic reads each).
    // The alerting's problems are checks above, not log lines.
    domain::NullLogger quiet;
    std::unique_ptr<RunServices> run;
    if (!quick && services) {
        run = std::make_unique<RunServices>(ex, *services);
        run->log_to(quiet);
        (void)run->open();
        ports.repository = [r = run.get()](std::string name) {
            return r->repository(std::move(name));
        };
    }
    app::Checks checks(config, std::move(ports));
    auto result = co_await checks.health(quick);
    co_return result;
}

}  // namespace bk::bootstrap
