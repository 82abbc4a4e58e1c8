#include "drivers/cli/daemon_command.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "adapters/docker/docker_change_feed.hpp"
#include "adapters/process/child_process.hpp"
#include "adapters/process/gpg_keys.hpp"
#include "adapters/time/system_zone.hpp"
#include "application/daemon.hpp"
#include "application/target_health.hpp"
#include "bootstrap/logging.hpp"
#include "bootstrap/wiring.hpp"
#include "domain/human.hpp"
#include "domain/repository_location.hpp"
#include "domain/snapshot_tags.hpp"
#include "drivers/cli/common.hpp"
#include "drivers/cli/terminal_text.hpp"
#include "drivers/http/api.hpp"
#include "drivers/http/server.hpp"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace bk::drivers::cli {
namespace {

namespace asio = boost::asio;

template <class F>
int run_on_context(F make_task) {
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, make_task(ioc.get_executor()), asio::use_future);
    ioc.run();
    return done.get();
}

// The API's view of the daemon and its services.
class DaemonBackend final : public drivers::http::ApiBackend {
public:
    DaemonBackend(app::Daemon& daemon, bootstrap::RunServices& run) : daemon_(daemon), run_(run) {}
    std::vector<app::TargetView> targets() override { return daemon_.views(); }
    Result<std::string> request(const std::string& name, bool drill) override {
        return daemon_.request(name, drill);
    }
    domain::AuditLog& audit() override { return *run_.audit(); }
    std::string metrics() override {
        return run_.metrics(
            daemon_.target_names(), daemon_.overdue_targets(), daemon_.events_connected() ? 1 : 0);
    }
    std::vector<app::RunEvent> live() override { return daemon_.live(); }
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
        co_return app::describe_snapshots(*list, run_.audit(), name);
    }

private:
    app::Daemon& daemon_;
    bootstrap::RunServices& run_;
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

Task<int> daemon_task(asio::any_io_executor ex, std::string config_path, int verbosity) {
    // Signals are ours from the first moment: one that comes during recovery stops the daemon as
    // soon as it exists, instead of killing the process half way.
    asio::signal_set signals(ex, SIGTERM, SIGINT);
    // The image has no init: as PID 1 the daemon inherits every orphan (the gpg-agent of each
    // decrypt, whatever a hook left behind) and reaps them, or they stay zombies.
    adapters::process::OrphanReaper reaper(ex, std::chrono::seconds(2));
    app::Daemon* daemon_ptr = nullptr;
    std::string early_signal;
    signals.async_wait([&daemon_ptr, &early_signal](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
        if (daemon_ptr != nullptr) {
            daemon_ptr->stop(name);
        } else {
            early_signal = name;
        }
    });
    auto config = bootstrap::load_config(config_path);
    if (config.has_fatal_problems()) {
        for (const auto& p : config.problems)
            std::cerr << p.describe() << "\n";
        co_return 3;
    }
    auto zone = adapters::time::system_zone(config.timezone);
    if (!zone) {
        std::cerr << "backupctl: " << zone.error().message << "\n";
        co_return 3;
    }
    auto options = bootstrap::client_options(config);
    if (!options) {
        std::cerr << "backupctl: " << options.error().message << "\n";
        co_return 3;
    }
    bootstrap::Services services(ex, std::move(config), *options, verbosity);
    auto& log = *services.log;
    for (const auto& w : services.config.warnings)
        log.warn(w.describe());
    bootstrap::RunServices run(ex, services);
    if (auto opened = run.open(); !opened) {
        log.warn("audit store: " + opened.error().message + " (records go to " +
                 run.audit()->path() + " until it works again)");
    }
    co_await run.recover();
    adapters::docker::DockerChangeFeed feed(ex, services.client);
    app::Daemon daemon(ex,
                       services.config,
                       services.registry,
                       run.runner(),
                       *run.audit(),
                       feed,
                       run.janitor(),
                       run.instance_id(),
                       *zone,
                       log);
    daemon_ptr = &daemon;
    daemon.drills(run.restore());
    daemon.alerts(run.alerting());
    DaemonBackend backend(daemon, run);
    drivers::http::Api api(backend, read_token(services.config.http.token_file, log));
    std::unique_ptr<drivers::http::HttpServer> listener;
    if (!services.config.http.listen.empty()) {
        drivers::http::HttpServer::Options o;
        o.listen = services.config.http.listen;
        o.max_connections = static_cast<std::size_t>(services.config.http.max_connections);
        o.max_event_streams = static_cast<std::size_t>(services.config.http.max_event_streams);
        o.metrics = [&backend] { return backend.metrics(); };
        o.health = [&daemon] {
            std::string out;
            for (const auto& p : daemon.liveness_problems())
                out += (out.empty() ? "" : "; ") + p;
            return out;
        };
        o.ready = [&daemon] {
            return daemon.ready() ? std::string{} : std::string("discovering targets");
        };
        o.api = &api;
        auto started = drivers::http::HttpServer::start(ex, std::move(o));
        if (started) {
            listener = std::move(*started);
            daemon.on_event(
                [server = listener.get()](const app::RunEvent& e) { server->publish(e); });
            log.info("http on " + services.config.http.listen + ": /metrics, /healthz, /readyz, " +
                     (api.enabled() ? "the API and the dashboard at /"
                                    : "no API (http.token_file is not set)"));
        } else {
            // Backups matter more than their dashboard: the daemon goes on without it.
            log.error(started.error().message + "; the daemon runs without HTTP");
        }
    }
    if (!early_signal.empty())
        daemon.stop(early_signal);  // it came during the start
    auto* audit = run.audit();
    daemon.every_minute([audit, &log] {
        if (audit->pending() == 0)
            return;
        auto r = audit->replay();
        if (r.replayed + r.bad > 0) {
            log.info("audit fallback: " + std::to_string(r.replayed) + " replayed, " +
                     std::to_string(r.bad) + " unreadable, " + std::to_string(r.kept) +
                     " still waiting");
        }
    });
    co_await daemon.run();
    daemon.on_event({});
    if (listener)
        listener->stop();
    daemon_ptr = nullptr;
    signals.cancel();
    co_return 0;
}

}  // namespace

int daemon_command(const std::string& config_path, int verbosity) {
    return run_on_context(
        [&config_path, verbosity](auto ex) { return daemon_task(ex, config_path, verbosity); });
}

int unlock_command(const std::string& config_path, const std::string& target, bool json) {
    auto config = bootstrap::load_config(config_path);
    const std::string path = config.state_dir + "/locks/" + target + ".lock";
    auto say = [json, &target](bool ok, const std::string& message) {
        if (json) {
            std::cout << nlohmann::json{{"target", target}, {"unlocked", ok}, {"message", message}}
                             .dump(2, ' ', false, kReplace)
                      << "\n";
        } else {
            std::cout << message << "\n";
        }
    };
    if (target.empty() || target.find('/') != std::string::npos) {
        say(false, "not a target name: \"" + target + "\"");
        return 1;
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        say(true, target + " is not locked");
        return 0;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[512] = {};
        const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        std::string holder =
            n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "a live process";
        while (!holder.empty() && holder.back() == '\n')
            holder.pop_back();
        ::close(fd);
        say(false,
            "refusing: " + target + " is locked by a live process (" + holder +
                "); stop that run instead");
        return 2;
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
    ::close(fd);
    say(true, target + ": no live process held the lock; lock file removed");
    return 0;
}

namespace {

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

struct Check {
    std::string name;
    std::string problem;  ///< empty: ok
    std::string detail;
    bool warning{false};  ///< a problem that does not make the operator unhealthy (exit 0)
};

}  // namespace

int health_command(const std::string& config_path, bool json, bool quick) {
    return run_on_context([&config_path, json, quick](auto ex) -> Task<int> {
        auto config = bootstrap::load_config(config_path);
        std::vector<Check> checks;
        for (const auto& p : config.problems) {
            if (p.project.empty())
                checks.push_back({"config", p.describe(), ""});
        }
        if (checks.empty())
            checks.push_back({"config", "", config.file});
        auto options = bootstrap::client_options(config);
        std::unique_ptr<bootstrap::Services> services;
        if (!options) {
            checks.push_back({"engine", options.error().message, ""});
        } else {
            services = std::make_unique<bootstrap::Services>(ex, config, *options);
            auto ping = co_await services->client.ping();
            checks.push_back(
                {"engine " + services->client_address, ping ? "" : ping.error().describe(), ""});
        }
        // What opening the audit says (a replay) is the log's; the checks say what is wrong.
        const auto log = bootstrap::make_logger(config, 0);
        auto audit = bootstrap::open_audit(config.state_dir, *log);
        std::string writable = audit->store_error();
        if (writable.empty() && ::access(config.state_dir.c_str(), W_OK) != 0) {
            writable = config.state_dir + " is not writable";
        }
        checks.push_back({"audit store", writable, config.state_dir + "/audit.db"});
        const int pending = audit->pending();
        checks.push_back({"audit fallback",
                          pending == 0 ? ""
                                       : std::to_string(pending) +
                                             " record(s) not replayed into the audit store",
                          audit->path()});
        adapters::notify::FileAlertStore outbox(config.state_dir + "/notify-outbox.json");
        if (auto q = outbox.queued(); !q) {
            checks.push_back({"notification outbox", q.error().message, outbox.path()});
        } else {
            std::string problem;
            if (!q->empty()) {
                const auto& first = q->front();
                problem = std::to_string(q->size()) + " alert(s) not delivered yet; oldest for " +
                          first.notifier + " since " + app::format_utc(first.queued_at) + " (" +
                          first.last_error + ")";
            }
            checks.push_back({"notification outbox", problem, outbox.path()});
        }
        {
            auto adapters = adapters::notify::make_alert_adapters(ex, config);
            for (const auto& p : adapters.problems)
                checks.push_back({"alerting", p, ""});
        }
        // Disk: restic's cache and temporary files live in the state directory.
        struct statvfs vfs {};
        if (::statvfs(config.state_dir.c_str(), &vfs) == 0) {
            const auto free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
            const std::uint64_t need = 1ULL << 30;
            checks.push_back({"disk space " + config.state_dir,
                              free_bytes < need ? "only " + domain::human_bytes(free_bytes) +
                                                      " free (restic's cache needs at least 1 GiB)"
                                                : "",
                              domain::human_bytes(free_bytes) + " free"});
        } else {
            checks.push_back({"disk space " + config.state_dir, "cannot stat it", ""});
        }
        // Clock: not before this build, not behind the newest audit record.
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        std::string clock_problem;
        if (now < build_time()) {
            clock_problem =
                "the clock says " + app::format_utc(now) + ", before this program was built";
        } else if (auto recent = audit->history("", false, 1); recent && !recent->empty()) {
            const auto last = app::parse_utc(recent->front().started_at);
            if (last > now + 300) {
                clock_problem = "the clock says " + app::format_utc(now) +
                                " but a run started at " + recent->front().started_at +
                                " (the clock went back)";
            }
        }
        checks.push_back({"clock", clock_problem, app::format_utc(now)});
        if (!quick) {
            for (const auto& [name, key] : config.keys) {
                auto k = co_await adapters::process::inspect_public_key(ex, key.public_key_file);
                std::string problem;
                std::string detail;
                if (!k) {
                    problem = k.error().message;
                } else {
                    detail = k->fingerprint;
                    if (k->revoked)
                        problem = "revoked";
                    else if (k->expired)
                        problem = "expired " + app::format_utc(k->expires);
                    else if (!k->can_encrypt)
                        problem = "has no usable encryption subkey";
                    else if (k->expires > 0 && k->expires - now < 30 * 86400) {
                        detail +=
                            ", expires " + app::format_utc(k->expires) + " (in less than 30 days)";
                    }
                }
                checks.push_back({"gpg key " + name, problem, detail});
            }
            // The targets: failing, stopped, overdue (reads the containers: not in --quick).
            if (services && !config.has_fatal_problems()) {
                auto zone = adapters::time::system_zone(config.timezone);
                auto inventory = co_await services->registry.refresh();
                if (!inventory) {
                    checks.push_back({"targets", inventory.error().message, ""});
                } else if (zone) {
                    const auto findings =
                        app::target_findings(inventory->targets, *audit, now, *zone);
                    for (const auto& f : findings) {
                        checks.push_back(
                            {f.check, f.message, "", f.level == app::HealthFinding::Level::warn});
                    }
                    checks.push_back({"targets",
                                      "",
                                      std::to_string(inventory->targets.size()) + " watched, " +
                                          std::to_string(findings.size()) +
                                          " with something to report"});
                }
            }
            if (auto f = app::notifier_finding(config))
                checks.push_back({f->check, f->message, "", true});
            if (services) {
                // The alerting's problems are checks above, not log lines.
                domain::NullLogger quiet;
                bootstrap::RunServices run(ex, *services);
                run.log_to(quiet);
                (void)run.open();
                for (const auto& [name, repo] : config.repositories) {
                    auto r = co_await run.repository(name);
                    checks.push_back({"repository " + name,
                                      r ? "" : r.error().message,
                                      domain::mask_url(repo.url)});
                }
            }
        }
        bool bad = false;
        int warnings = 0;
        nlohmann::json j = nlohmann::json::array();
        for (const auto& c : checks) {
            const bool fails = !c.problem.empty() && !c.warning;
            bad = bad || fails;
            warnings += !c.problem.empty() && c.warning ? 1 : 0;
            const char* level = c.problem.empty() ? "ok" : (c.warning ? "warn" : "fail");
            j.push_back({{"check", c.name},
                         {"ok", c.problem.empty()},
                         {"level", level},
                         {"problem", c.problem},
                         {"detail", c.detail}});
            if (!json) {
                std::cout << (c.problem.empty() ? "  ok    "
                                                : (c.warning ? "  WARN  " : "  FAIL  "))
                          << shown(c.name)
                          << (c.problem.empty()
                                  ? (c.detail.empty() ? "" : " (" + shown(c.detail) + ")")
                                  : ": " + shown(c.problem))
                          << "\n";
            }
        }
        // Warnings (a stopped target, no notifier) are told but leave the exit code 0.
        if (json)
            std::cout << nlohmann::json{{"healthy", !bad}, {"warnings", warnings}, {"checks", j}}
                             .dump(2, ' ', false, kReplace)
                      << "\n";
        co_return bad ? 1 : 0;
    });
}

int notify_test_command(const std::string& config_path, const std::string& name) {
    return run_on_context([&config_path, &name](auto ex) -> Task<int> {
        auto config = bootstrap::load_config(config_path);
        if (config.has_fatal_problems()) {
            for (const auto& p : config.problems)
                std::cerr << p.describe() << "\n";
            co_return 3;
        }
        auto adapters = adapters::notify::make_alert_adapters(ex, config);
        const auto t0 = std::chrono::steady_clock::now();
        Result<void> sent = Failure{errc::not_found, ""};
        std::string what;
        if (auto* n = adapters.notifier(name)) {
            domain::Alert a;
            a.kind = "test";
            a.id = "test:" + name + ":" + app::utc_now();
            a.status = "test";
            a.at = app::utc_now();
            a.details = "A test from `backupctl notify test " + name + "`: this notifier works.\n";
            what = "test alert to notifier " + name;
            sent = co_await n->send(a);
        } else if (auto* m = adapters.monitor(name)) {
            what = "test ping to monitor " + name;
            sent = co_await m->alive("backupctl notify test: this monitor works");
        } else {
            for (const auto& p : adapters.problems)
                std::cerr << "backupctl: " << p << "\n";
            std::cerr << "backupctl: no usable notifier or monitor named \"" << name << "\"\n";
            co_return 1;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
        if (!sent) {
            std::cout << what << ": FAILED after " << ms << " ms: " << sent.error().message << "\n";
            co_return 1;
        }
        std::cout << what << ": delivered in " << ms << " ms\n";
        co_return 0;
    });
}

int metrics_command(const std::string& config_path) {
    return run_on_context([&config_path](auto ex) -> Task<int> {
        auto config = bootstrap::load_config(config_path);
        if (config.has_fatal_problems()) {
            for (const auto& p : config.problems)
                std::cerr << p.describe() << "\n";
            co_return 3;
        }
        auto options = bootstrap::client_options(config);
        if (!options) {
            std::cerr << "backupctl: " << options.error().message << "\n";
            co_return 3;
        }
        bootstrap::Services services(ex, std::move(config), *options);
        bootstrap::RunServices run(ex, services);
        (void)run.open();
        std::cout << run.metrics({}, {}, -1);
        co_return 0;
    });
}

}  // namespace bk::drivers::cli
