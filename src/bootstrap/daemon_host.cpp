#include "bootstrap/daemon_host.hpp"

#include <chrono>
#include <fstream>
#include <optional>

#include "adapters/docker/docker_change_feed.hpp"
#include "adapters/process/child_process.hpp"
#include "application/snapshot_listing.hpp"
#include "bootstrap/parts.hpp"
#include "domain/snapshot_tags.hpp"
#include "drivers/http/api.hpp"
#include "drivers/http/server.hpp"

namespace bk::bootstrap {
namespace {

// The API's view of the daemon and its services.
class DaemonBackend final : public drivers::http::ApiBackend {
public:
    DaemonBackend(app::Daemon& daemon, RunServices& run) : daemon_(daemon), run_(run) {}
    std::vector<app::TargetView> targets() override { return daemon_.views(); }
    Result<std::string> request(const std::string& name, bool drill) override {
        return daemon_.request(name, drill);
    }
    domain::AuditLog& audit() override { return run_.audit(); }
    std::string metrics() override {
        return run_.metrics(
            daemon_.target_names(), daemon_.overdue_targets(), daemon_.events_connected() ? 1 : 0);
    }
    std::vector<app::RunEvent> live() override { return daemon_.live(); }
    std::vector<app::RepositoryCheckState> repository_checks() override {
        auto states = run_.repository_checks().states({});
        return states ? std::move(*states) : std::vector<app::RepositoryCheckState>{};
    }
    Task<Result<std::vector<app::SnapshotEntry>>> snapshots(std::string name) override {
        std::string repository;
        for (const auto& v : daemon_.views()) {
            if (v.target.name == name)
                repository = v.target.repository;
        }
        if (repository.empty())
            co_return Failure{errc::not_found, "no target named " + name};
        auto repo = co_await run_.repository(repository);
        if (!repo)
            co_return repo.error();
        const std::vector<std::string> tags{domain::snapshot_tag("target", name)};
        auto list = co_await (*repo)->snapshots(tags);
        if (!list)
            co_return list.error();
        co_return app::describe_snapshots(*list, &run_.audit(), name);
    }

private:
    app::Daemon& daemon_;
    RunServices& run_;
};

// The API token: the file's first line; empty (API off) when unset or unreadable.
std::string read_token(const std::string& file, domain::Logger& log) {
    if (file.empty())
        return {};
    std::ifstream in(file);
    std::string token;
    if (!in || !std::getline(in, token)) {
        log.error("http.token_file " + file + " cannot be read: the API is off");
        return {};
    }
    while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
        token.pop_back();
    if (token.size() < 16) {
        log.error("http.token_file " + file + " holds fewer than 16 characters: the API is off");
        return {};
    }
    return token;
}

}  // namespace

struct DaemonHost::Parts {
    boost::asio::any_io_executor ex;
    // The image has no init: as PID 1 the daemon inherits every orphan (the gpg-agent of each
    // decrypt, whatever a hook left behind) and reaps them, or they stay zombies.
    adapters::process::OrphanReaper reaper;
    domain::UtcOffset zone;
    std::unique_ptr<Services> services;
    domain::Logger* log = nullptr;  ///< the services' (Services::log)
    std::unique_ptr<RunServices> run;
    std::unique_ptr<adapters::docker::DockerChangeFeed> feed;
    std::unique_ptr<app::Daemon> daemon;
    std::unique_ptr<DaemonBackend> backend;
    std::unique_ptr<drivers::http::Api> api;
    std::unique_ptr<drivers::http::HttpServer> listener;

    explicit Parts(boost::asio::any_io_executor e) : ex(e), reaper(e, std::chrono::seconds(2)) {}
};

DaemonHost::DaemonHost(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

DaemonHost::~DaemonHost() {
    if (parts_->daemon)
        parts_->daemon->on_event({});
}

Result<std::unique_ptr<DaemonHost>> DaemonHost::make(boost::asio::any_io_executor ex,
                                                     domain::OperatorConfig config,
                                                     int verbosity) {
    auto parts = std::make_unique<Parts>(ex);
    auto zone = time_zone(config.timezone);
    if (!zone)
        return zone.error();
    parts->zone = *zone;
    auto services = Services::connect(ex, std::move(config), verbosity);
    if (!services)
        return services.error();
    parts->services = std::move(*services);
    // The logger is built from the config: its warnings are its first lines.
    parts->log = parts->services->log.get();
    for (const auto& w : parts->services->config.warnings)
        parts->log->warn(w.describe());
    return std::unique_ptr<DaemonHost>(new DaemonHost(std::move(parts)));
}

Task<void> DaemonHost::start() {
    auto& p = *parts_;
    auto& services = *p.services;
    p.run = std::make_unique<RunServices>(p.ex, services);
    auto& log = *p.log;
    p.run->log_to(log);
    if (auto opened = p.run->open(); !opened) {
        log.warn("audit store: " + opened.error().message + " (records go to " +
                 p.run->audit_path() + " until it works again)");
    }
    co_await p.run->recover();
    auto& parts = *p.run->parts_;
    p.feed = std::make_unique<adapters::docker::DockerChangeFeed>(p.ex, services.engine_->client);
    p.daemon = std::make_unique<app::Daemon>(p.ex,
                                             services.config,
                                             services.registry,
                                             p.run->runner(),
                                             p.run->audit(),
                                             *p.feed,
                                             *parts.janitor,
                                             p.run->instance_id(),
                                             p.zone,
                                             log);
    auto& daemon = *p.daemon;
    daemon.drills(p.run->restore());
    daemon.alerts(p.run->alerting());
    daemon.repository_checks(p.run->repository_checks());
    daemon.copies(p.run->copier());
    p.backend = std::make_unique<DaemonBackend>(daemon, *p.run);
    p.api = std::make_unique<drivers::http::Api>(*p.backend,
                                                 read_token(services.config.http.token_file, log));
    const auto& http = services.config.http;
    if (!http.listen.empty()) {
        drivers::http::HttpServer::Options o;
        o.listen = http.listen;
        o.max_connections = static_cast<std::size_t>(http.max_connections);
        o.max_event_streams = static_cast<std::size_t>(http.max_event_streams);
        o.metrics = [backend = p.backend.get()] { return backend->metrics(); };
        o.health = [&daemon] {
            std::string out;
            for (const auto& problem : daemon.liveness_problems())
                out += (out.empty() ? "" : "; ") + problem;
            return out;
        };
        o.ready = [&daemon] {
            return daemon.ready() ? std::string{} : std::string("discovering targets");
        };
        o.api = p.api.get();
        auto started = drivers::http::HttpServer::start(p.ex, std::move(o));
        if (started) {
            p.listener = std::move(*started);
            daemon.on_event(
                [server = p.listener.get()](const app::RunEvent& e) { server->publish(e); });
            log.info("http on " + http.listen + ": /metrics, /healthz, /readyz, " +
                     (p.api->enabled() ? "the API and the dashboard at /"
                                       : "no API (http.token_file is not set)"));
        } else {
            // Backups matter more than their dashboard: the daemon goes on without it.
            log.error(started.error().message + "; the daemon runs without HTTP");
        }
    }
    auto* audit = parts.audit.get();
    daemon.every_minute([audit, log = p.log] {
        if (audit->pending() == 0)
            return;
        auto r = audit->replay();
        if (r.replayed + r.bad > 0) {
            log->info("audit fallback: " + std::to_string(r.replayed) + " replayed, " +
                      std::to_string(r.bad) + " unreadable, " + std::to_string(r.kept) +
                      " still waiting");
        }
    });
}

app::Daemon& DaemonHost::daemon() {
    return *parts_->daemon;
}

Task<void> DaemonHost::run() {
    co_await parts_->daemon->run();
    parts_->daemon->on_event({});
    if (parts_->listener) {
        parts_->listener->stop();
        // Its sessions are cancelled; a request that ignores it does not hold the exit.
        const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        const bool ended = co_await parts_->listener->wait_until(bound);
        if (!ended)
            parts_->log->warn("http: sessions still open at exit");
    }
}

}  // namespace bk::bootstrap
