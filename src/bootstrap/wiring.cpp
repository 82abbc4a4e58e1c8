#include "bootstrap/wiring.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/config/yaml_config_loader.hpp"
#include "adapters/lock/file_locks.hpp"
#include "adapters/restic/restic_repository.hpp"

namespace bk::bootstrap {

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
    return adapters::config::load_config_file(path, adapters::config::process_env());
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

Services::Services(boost::asio::any_io_executor ex, domain::OperatorConfig cfg,
                   dockerapi::ClientOptions options)
    : config(std::move(cfg)),
      client_address(options.address.describe()),
      client(std::move(ex), std::move(options)),
      source(client),
      registry(config, source) {}

namespace {
std::string random_instance_id() {
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
    return buf;
}

// Keeps a run going when the audit store cannot be opened: the runs are still made.
class NullAuditLog final : public domain::AuditLog {
public:
    Result<void> begin_run(const domain::RunRecord&) override { return {}; }
    Result<void> add_step(const domain::StepRecord&) override { return {}; }
    Result<void> finish_run(const domain::RunRecord&) override { return {}; }
    Result<std::vector<domain::RunRecord>> history(std::string, bool, int) override {
        return std::vector<domain::RunRecord>{};
    }
    Result<std::vector<domain::StepRecord>> steps(std::string) override {
        return std::vector<domain::StepRecord>{};
    }
};
}  // namespace

RunServices::RunServices(boost::asio::any_io_executor ex, Services& base)
    : ex_(std::move(ex)), base_(base), instance_id_(random_instance_id()) {}

RunServices::~RunServices() = default;

Result<void> RunServices::open() {
    const std::string state = base_.config.state_dir;
    std::error_code ec;
    std::filesystem::create_directories(state, ec);
    auto audit = adapters::audit::SqliteAuditLog::open(state + "/audit.db");
    Result<void> result;
    if (audit) {
        audit_ = std::move(*audit);
    } else {
        audit_ = std::make_unique<NullAuditLog>();
        result = audit.error();
    }
    locks_ = std::make_unique<adapters::lock::FileLocks>(state + "/locks", instance_id_);
    dumper_ = std::make_unique<adapters::docker::DockerDumper>(base_.client, instance_id_);
    files_ = std::make_unique<adapters::docker::DockerFileArchiver>(base_.client);
    hooks_ = std::make_unique<adapters::docker::DockerHookRunner>(base_.client);
    runner_ = std::make_unique<app::BackupRunner>(
        base_.config, *dumper_, *files_, *hooks_, [this](std::string name) { return repository(std::move(name)); },
        *audit_, *locks_, instance_id_);
    return result;
}

Task<Result<domain::BackupRepository*>> RunServices::repository(std::string name) {
    if (auto it = repos_.find(name); it != repos_.end()) {
        co_return static_cast<domain::BackupRepository*>(it->second.get());
    }
    auto cfg = base_.config.repositories.find(name);
    if (cfg == base_.config.repositories.end()) {
        co_return Failure{errc::invalid_config, "no repository named " + name};
    }
    auto repo = std::make_unique<adapters::restic::ResticRepository>(ex_, name, cfg->second,
                                                                     base_.config.state_dir);
    auto ready = co_await repo->prepare();
    if (!ready) {
        co_return ready.error();
    }
    auto* raw = repo.get();
    repos_[name] = std::move(repo);
    co_return static_cast<domain::BackupRepository*>(raw);
}

}  // namespace bk::bootstrap
