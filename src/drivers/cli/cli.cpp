#include "drivers/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "backupctl/labels/schema.hpp"
#include "bootstrap/database_kinds.hpp"
#include "bootstrap/logging.hpp"
#include "bootstrap/wiring.hpp"
#include "core/task_group.hpp"
#include "domain/human.hpp"
#include "domain/repository_location.hpp"
#include "domain/run_status.hpp"
#include "domain/snapshot_tags.hpp"
#include "drivers/cli/accept_command.hpp"
#include "drivers/cli/adopt_command.hpp"
#include "drivers/cli/check_command.hpp"
#include "drivers/cli/common.hpp"
#include "drivers/cli/copy_command.hpp"
#include "drivers/cli/daemon_command.hpp"
#include "drivers/cli/restore_command.hpp"
#include "drivers/cli/terminal_text.hpp"
#include "drivers/cli/views.hpp"
#include "drivers/http/api.hpp"
#include <unistd.h>

namespace bk::drivers::cli {
namespace {

using domain::human_bytes;

Task<int> engine_command(boost::asio::any_io_executor ex, Globals g) {
    int code = kExitOk;
    auto services = connect(ex, g, ConfigNeed::any, code);
    if (!services) {
        co_return code;
    }
    auto& engine = services->engine();
    auto info = co_await engine.info();
    if (!info) {
        std::cerr << "backupctl: " << info.error().message << "\n";
        co_return kExitFailed;
    }
    if (g.json) {
        nlohmann::json j{{"engine", engine.address()},
                         {"version", info->version},
                         {"api_version", info->api_version},
                         {"daemon_api_version", info->daemon_api_version},
                         {"min_api_version", info->min_api_version}};
        std::cout << j.dump(2, ' ', false, kReplace) << "\n";
        co_return kExitOk;
    }
    std::cout << "engine:      " << engine.address() << "\n"
              << "server:      Docker " << info->version << " (" << info->os << "/" << info->arch
              << ")\n"
              << "api version: " << info->api_version << " (daemon up to "
              << info->daemon_api_version << ", from " << info->min_api_version << ")\n";
    co_return kExitOk;
}

// discover and validate share the work: config, engine, registry.
Task<int> discover_command(boost::asio::any_io_executor ex, Globals g, bool validate) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::any, code);
    if (!connected) {
        co_return code;
    }
    auto& services = *connected;
    // The recorded provenance (when there is an audit store) decides conflicts and shows held
    // targets as the daemon sees them; nothing is written.
    auto inventory = co_await services.refresh_as_recorded();
    if (!inventory) {
        for (const auto& p : services.config.problems) {
            std::cerr << p.describe() << "\n";
        }
        std::cerr << "backupctl: " << inventory.error().message << "\n";
        co_return kExitFailed;
    }
    if (g.json) {
        std::cout << to_json(*inventory, services.config).dump(2, ' ', false, kReplace) << "\n";
    } else {
        std::cout << render_discovery(*inventory, services.config, g.verbosity > 0);
    }
    if (validate) {
        const bool bad = inventory->has_problems() || !services.config.problems.empty();
        if (!g.json) {
            std::cout << (bad ? "\ninvalid: fix the problems above\n" : "\nvalid\n");
        }
        co_return bad ? kExitInvalidConfig : kExitOk;
    }
    co_return kExitOk;
}

Task<int> config_show_command(boost::asio::any_io_executor ex, Globals g, std::string target) {
    auto config = bootstrap::load_config(g.config_path);
    if (target.empty()) {
        const auto j = config_to_json(config);
        std::cout << (g.json ? j.dump(2, ' ', false, kReplace) + "\n"
                             : render_yaml(with_origins(j)));
        co_return config.problems.empty() ? kExitOk : kExitInvalidConfig;
    }
    int code = kExitOk;
    auto connected = connect(ex, std::move(config), code, g.verbosity);
    if (!connected) {
        co_return code;
    }
    auto inventory = co_await discover_targets(*connected);
    if (!inventory) {
        co_return kExitFailed;
    }
    const auto* t = inventory->find(target);
    if (t == nullptr) {
        std::cerr << "backupctl: no target named \"" << target << "\"";
        if (!inventory->targets.empty()) {
            std::cerr << " (targets:";
            for (const auto& x : inventory->targets)
                std::cerr << " " << x.name;
            std::cerr << ")";
        }
        std::cerr << "\n";
        co_return kExitFailed;
    }
    const auto j = to_json(*t);
    std::cout << (g.json ? j.dump(2, ' ', false, kReplace) + "\n" : render_yaml(j));
    co_return kExitOk;
}

// The directories this config writes on this machine, one per line: the state directory and every
// local repository (each once). The image's entrypoint gives them to the service user.
int config_local_paths_command(const Globals& g) {
    const auto config = bootstrap::load_config(g.config_path);
    std::vector<std::string> paths;
    auto add = [&paths](std::string p) {
        if (!p.empty() && std::find(paths.begin(), paths.end(), p) == paths.end())
            paths.push_back(std::move(p));
    };
    add(config.state_dir);
    for (const auto& [name, repo] : config.repositories)
        add(domain::local_repository_path(repo.url));
    for (const auto& p : paths)
        std::cout << p << "\n";
    return config.problems.empty() ? kExitOk : kExitInvalidConfig;
}

constexpr int kExitLocked = 2;
constexpr int kExitDryRunFailed = 4;
constexpr int kExitPartial = 5;
constexpr int kExitSuspect = 6;

std::vector<std::string> run_status_words() {
    std::vector<std::string> words;
    for (const auto s : domain::kRunStatuses)
        words.push_back(domain::to_string(s));
    return words;
}

int exit_code_of(domain::RunStatus status) {
    switch (status) {
        case domain::RunStatus::success:
            return kExitOk;
        case domain::RunStatus::skipped:
            return kExitLocked;
        case domain::RunStatus::partial:
            return kExitPartial;
        case domain::RunStatus::suspect:
            return kExitSuspect;
        default:
            return kExitFailed;
    }
}

struct RunArgs {
    std::string target;
    bool all{false};
    bool dry_run{false};
};

Task<int> dry_run(bootstrap::RunServices& run, const domain::Target& t, bool json_out) {
    auto checks = co_await run.checks().dry_run(t);
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : checks) {
        auto entry = check_json(c);
        entry["error"] = c.problem;  // the dry run's name for it since the first release
        j.push_back(std::move(entry));
        if (!json_out)
            std::cout << check_line(c) << "\n";
    }
    if (json_out) {
        std::cout << nlohmann::json{{"target", t.name}, {"checks", j}}.dump(2, ' ', false, kReplace)
                  << "\n";
    }
    co_return any_failed(checks) ? kExitDryRunFailed : kExitOk;
}

// A progress line on a terminal: what is streaming, how much, how fast; once a second.
Task<void> progress_ticker(app::BackupRunner& runner, std::shared_ptr<bool> ticking) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
    std::string item;
    auto since = std::chrono::steady_clock::now();
    while (*ticking) {
        t.expires_after(std::chrono::seconds(1));
        boost::system::error_code ec;
        co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (!*ticking)
            break;
        const auto p = runner.progress();
        if (p.item != item) {
            item = p.item;
            since = std::chrono::steady_clock::now();
        }
        if (item.empty())
            continue;
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
        terminal_control("\r\033[K");
        std::cerr << "  " << app::format_progress(p, secs) << std::flush;
    }
}

Task<int> run_command(boost::asio::any_io_executor ex, Globals g, RunArgs args) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected) {
        co_return code;
    }
    // Opened first: a name two containers claim goes to the one its recorded provenance names.
    bootstrap::RunServices run(ex, *connected);
    open_run(run);
    auto inventory = co_await discover_targets(*connected);
    if (!inventory) {
        co_return kExitFailed;
    }
    std::vector<domain::Target> targets;
    if (args.all) {
        for (const auto& t : inventory->targets) {
            if (t.enabled)
                targets.push_back(t);
        }
        if (targets.empty()) {
            std::cerr << "backupctl: no targets (see `backupctl discover`)\n";
            co_return kExitFailed;
        }
    } else {
        const auto* t = inventory->find(args.target);
        if (t == nullptr) {
            std::cerr << "backupctl: no target named \"" << args.target
                      << "\" (see `backupctl discover`)\n";
            co_return kExitFailed;
        }
        targets.push_back(*t);
    }
    if (!args.dry_run) {
        co_await run.recover();  // what a dead operator left; live ones are left alone
    }
    int worst = kExitOk;
    nlohmann::json reports = nlohmann::json::array();
    for (const auto& t : targets) {
        if (args.dry_run) {
            if (!g.json)
                std::cout << "dry run of " << t.name << ":\n";
            const int checked = co_await dry_run(run, t, g.json);
            worst = std::max(worst, checked);
            continue;
        }
        if (!g.json)
            std::cout << "backing up " << t.name << " ...\n" << std::flush;
        auto ticking = std::make_shared<bool>(!g.json && ::isatty(STDERR_FILENO) == 1);
        TaskGroup ticker(ex);  // owned and awaited: it uses the runner
        if (*ticking)
            ticker.spawn(progress_ticker(run.runner(), ticking));
        auto report = co_await run.runner().run(t, "manual");
        if (*ticking) {
            *ticking = false;
            ticker.cancel_all();  // at once, not at its next tick
            co_await ticker.wait();
            terminal_control("\r\033[K");
        }
        const int run_code = exit_code_of(report.status);
        worst = (worst == kExitOk || run_code == kExitFailed) ? std::max(worst, run_code) : worst;
        nlohmann::json items = nlohmann::json::array();
        for (const auto& i : report.items) {
            items.push_back({{"database", i.database},
                             {"outcome", domain::to_string(i.outcome)},
                             {"snapshot", i.snapshot_id},
                             {"bytes", i.bytes},
                             {"error", i.error}});
            if (!g.json) {
                std::cout << "  " << i.database << ": " << i.outcome;
                if (i.outcome == domain::StepOutcome::ok)
                    std::cout << ", snapshot " << i.snapshot_id << ", " << human_bytes(i.bytes);
                else
                    std::cout << ": " << i.error;
                std::cout << "\n";
            }
        }
        reports.push_back({{"run_id", report.run_id},
                           {"target", report.target},
                           {"status", domain::to_string(report.status)},
                           {"seconds", report.seconds},
                           {"error", report.error},
                           {"stage", report.stage},
                           {"items", items},
                           {"retention", domain::to_string(report.retention)},
                           {"retention_detail", report.retention_detail}});
        if (!g.json) {
            if (report.retention == domain::RetentionOutcome::delegated ||
                report.retention == domain::RetentionOutcome::skipped) {
                std::cout << "  retention: " << report.retention << " (" << report.retention_detail
                          << ")\n";
            }
            std::cout << t.name << ": " << report.status;
            if (!report.error.empty())
                std::cout << " (" << report.error << ")";
            if (report.status != domain::RunStatus::success && !report.stage.empty()) {
                std::cout << " at " << report.stage;
            }
            char secs[32];
            std::snprintf(secs, sizeof secs, "%.1f s", report.seconds);
            std::cout << " in " << secs << ", run " << report.run_id << "\n";
        }
    }
    if (g.json)
        std::cout << reports.dump(2, ' ', false, kReplace) << "\n";
    if (!args.dry_run) {
        // Without a daemon, alerts a notifier could not take earlier get their re-send here.
        co_await run.alerting().retry_due();
    }
    co_return worst;
}

Task<int> snapshots_command(boost::asio::any_io_executor ex, Globals g, std::string target) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::any, code);
    if (!connected) {
        co_return code;
    }
    auto& services = *connected;
    // The repository of a target that is gone is still readable from the config's default.
    std::string repository = services.config.defaults.repository;
    if (auto inv = co_await services.registry.refresh(); inv) {
        if (const auto* t = inv->find(target))
            repository = t->repository;
    }
    bootstrap::RunServices run(ex, services);
    (void)run.open();
    auto repo = co_await run.repository(repository);
    if (!repo) {
        std::cerr << "backupctl: " << repo.error().message << "\n";
        co_return kExitFailed;
    }
    std::vector<std::string> tags{domain::snapshot_tag("target", target)};
    auto list = co_await (*repo)->snapshots(tags);
    if (!list) {
        std::cerr << "backupctl: " << list.error().message << "\n";
        co_return kExitFailed;
    }
    // Sizes and marks come from the audit trail; without it the listing still stands.
    const auto entries = app::describe_snapshots(*list, &run.audit(), target);
    if (g.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& s : entries)
            j.push_back(http::snapshot_json(s));
        std::cout << j.dump(2, ' ', false, kReplace) << "\n";
    } else {
        std::cout << render_snapshots(entries);
        std::cout << entries.size() << " snapshot(s) of " << target << " in " << repository
                  << ", newest first\n";
    }
    co_return kExitOk;
}

Task<int> prune_command(boost::asio::any_io_executor ex, Globals g, std::string only) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected) {
        co_return code;
    }
    auto& services = *connected;
    std::vector<std::string> names;
    for (const auto& [name, repo] : services.config.repositories) {
        if (only.empty() || only == name)
            names.push_back(name);
    }
    if (names.empty()) {
        std::cerr << "backupctl prune: no repository named \"" << only << "\"\n";
        co_return kExitFailed;
    }
    bootstrap::RunServices run(ex, services);
    (void)run.open();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& name : names) {
        if (!g.json)
            std::cout << "pruning " << name << " ...\n" << std::flush;
        std::string error;
        domain::PruneSummary summary;
        const auto& cfg = services.config.repositories.at(name);
        if (cfg.append_only && cfg.has_maintenance) {
            // Through the credentials that may delete: the policy of the maintenance block on
            // every snapshot group first (when given), then the prune.
            std::string m_name = name + "@maintenance";
            auto repo = co_await run.repository(std::move(m_name));
            if (!repo) {
                error = repo.error().message;
            } else {
                if (cfg.maintenance_retention) {
                    std::vector<std::string> every_group;  // (g++ 12: no braced list here)
                    auto forgot = co_await (*repo)->forget(std::move(every_group),
                                                           *cfg.maintenance_retention);
                    if (!forgot)
                        error = forgot.error().message;
                    else
                        summary.summary =
                            "forget " + cfg.maintenance_retention->to_string() + " on every group";
                }
                if (error.empty()) {
                    auto pruned = co_await (*repo)->prune();
                    if (pruned) {
                        const auto forgot_text = summary.summary;
                        summary = *pruned;
                        if (!forgot_text.empty())
                            summary.summary = forgot_text + "; " + summary.summary;
                    } else {
                        error = pruned.error().message;
                    }
                }
            }
            if (!error.empty())
                code = kExitFailed;
            out.push_back({{"repository", name},
                           {"ok", error.empty()},
                           {"maintenance", true},
                           {"error", error},
                           {"summary", summary.summary},
                           {"seconds", summary.seconds}});
            if (!g.json) {
                std::cout << "  " << name << ": "
                          << (error.empty() ? "ok (maintenance credentials)" : "FAILED: " + error);
                if (!summary.summary.empty())
                    std::cout << " (" << summary.summary << ")";
                std::cout << "\n";
            }
            continue;
        }
        if (cfg.append_only) {
            // The server refuses deletes: prune runs there, by the server's owner.
            summary.summary = "skipped: append-only repository, prune is delegated to the server";
            out.push_back({{"repository", name},
                           {"ok", true},
                           {"skipped", true},
                           {"error", ""},
                           {"summary", summary.summary},
                           {"seconds", 0}});
            if (!g.json)
                std::cout << "  " << name << ": skipped (" << summary.summary << ")\n";
            continue;
        }
        if (auto refused = app::maintenance_refused(run.audit(), name)) {
            // Its last check failed: deleting now could cost what a repair would keep.
            code = kExitFailed;
            out.push_back({{"repository", name},
                           {"ok", false},
                           {"refused", true},
                           {"error", *refused},
                           {"summary", ""},
                           {"seconds", 0}});
            if (!g.json)
                std::cout << "  " << name << ": REFUSED: " << *refused << "\n";
            continue;
        }
        auto repo = co_await run.repository(name);
        if (!repo) {
            error = repo.error().message;
        } else {
            auto pruned = co_await (*repo)->prune();
            if (pruned)
                summary = *pruned;
            else
                error = pruned.error().message;
        }
        if (!error.empty())
            code = kExitFailed;
        out.push_back({{"repository", name},
                       {"ok", error.empty()},
                       {"error", error},
                       {"summary", summary.summary},
                       {"seconds", summary.seconds}});
        if (!g.json) {
            std::cout << "  " << name << ": " << (error.empty() ? "ok" : "FAILED: " + error);
            if (!summary.summary.empty())
                std::cout << " (" << summary.summary << ")";
            std::cout << "\n";
        }
    }
    if (g.json)
        std::cout << out.dump(2, ' ', false, kReplace) << "\n";
    co_return code;
}

struct HistoryArgs {
    std::string target;
    bool failed{false};
    int last{20};
    std::string status;
    std::string kind;
    std::string before;
    std::string run;
};

int history_command(const Globals& g, const HistoryArgs& a) {
    auto config = bootstrap::load_config(g.config_path);
    const auto log = bootstrap::make_logger(config, g.verbosity);
    auto audit = bootstrap::open_audit(config.state_dir, *log);
    Result<std::vector<domain::RunRecord>> runs = std::vector<domain::RunRecord>{};
    if (!a.run.empty()) {
        auto one = audit->run(a.run);
        if (!one) {
            runs = one.error();
        } else if (!*one) {
            std::cerr << "backupctl: no run " << a.run << "\n";
            return kExitFailed;
        } else {
            runs = std::vector<domain::RunRecord>{**one};
        }
    } else {
        domain::RunQuery q;
        q.target = a.target;
        if (a.failed) {
            q.status = domain::RunStatus::failed;
        } else if (!a.status.empty()) {
            q.status = domain::parse_run_status(a.status);  // CLI11 checked it is one
        }
        q.kind = a.kind;
        q.before = a.before;
        q.limit = a.last;
        runs = audit->runs(q);
    }
    if (!runs) {
        std::cerr << "backupctl: " << runs.error().message << "\n";
        return kExitFailed;
    }
    if (g.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : *runs) {
            nlohmann::json steps = nlohmann::json::array();
            if (auto st = audit->steps(r.id)) {
                for (const auto& s : *st) {
                    steps.push_back({{"name", s.name},
                                     {"outcome", domain::to_string(s.outcome)},
                                     {"bytes", s.bytes},
                                     {"started_at", s.started_at},
                                     {"finished_at", s.finished_at},
                                     {"detail", s.detail}});
                }
            }
            j.push_back({{"id", r.id},
                         {"target", r.target},
                         {"trigger", r.trigger},
                         {"status", domain::to_string(r.status)},
                         {"started_at", r.started_at},
                         {"finished_at", r.finished_at},
                         {"bytes", r.bytes},
                         {"snapshots", r.snapshots},
                         {"error", r.error},
                         {"kind", r.kind},
                         {"steps", steps}});
        }
        std::cout << j.dump(2, ' ', false, kReplace) << "\n";
        return kExitOk;
    }
    std::cout << "RUN                      TARGET                   STATUS          STARTED        "
                 "           BYTES       ERROR\n";
    for (const auto& r : *runs) {
        char line[512];
        std::snprintf(line,
                      sizeof line,
                      "%-24s %-24s %-15s %-25s %-11s %s\n",
                      r.id.c_str(),
                      r.target.c_str(),
                      (r.kind == "backup" ? domain::to_string(r.status)
                                          : r.kind + ":" + domain::to_string(r.status))
                          .c_str(),
                      r.started_at.c_str(),
                      human_bytes(r.bytes).c_str(),
                      r.error.substr(0, 80).c_str());
        std::cout << line;
    }
    if (!a.run.empty() && !runs->empty()) {
        // One run: its whole error, its snapshots and its steps, as --json has them.
        const auto& r = runs->front();
        std::cout << "trigger: " << r.trigger
                  << ", finished: " << (r.finished_at.empty() ? "-" : r.finished_at) << "\n";
        if (!r.snapshots.empty())
            std::cout << "snapshots: " << r.snapshots << "\n";
        if (!r.error.empty())
            std::cout << "error: " << r.error << "\n";
        auto steps = audit->steps(r.id);
        if (!steps) {
            std::cerr << "backupctl: " << steps.error().message << "\n";
            return kExitFailed;
        }
        std::cout << "steps:\n" << render_steps(*steps);
    }
    return kExitOk;
}

}  // namespace

int run(int argc, char** argv) {
    const EscapedStandardStreams escaped;  // nothing printed obeys a label's escape sequence
    CLI::App app{"backupctl: Docker-aware backups of databases and volumes, driven by labels"};
    // Global options anywhere: `backupctl run shop --config f.yml` as well as before the command
    // (a subcommand hands what it does not know to its parent; every subcommand inherits this).
    app.fallthrough();
    app.require_subcommand(1);
    app.set_version_flag("--version", "backupctl 0.1.0");
    Globals g;
    app.add_option("--config",
                   g.config_path,
                   "Config file (default: $BACKUPCTL_CONFIG, else /etc/backupctl/config.yml if "
                   "present, else the built-in default)");
    app.add_flag("-v,--verbose",
                 g.verbosity,
                 "More output: discover and validate also list the containers they skip; the "
                 "log's level goes to debug (-vv: trace)");

    auto* engine = app.add_subcommand(
        "engine", "Check that the Docker engine answers and show the negotiated API version");
    engine->add_flag("--json", g.json, "JSON output");

    auto* discover = app.add_subcommand(
        "discover",
        "List every labelled container: its target with resolved defaults, or its "
        "errors");
    discover->add_flag("--json", g.json, "JSON output");

    auto* validate = app.add_subcommand(
        "validate", "Check the config and every container's labels; exit 3 on any problem");
    validate->add_flag("--json", g.json, "JSON output");

    auto* config = app.add_subcommand("config", "Show the configuration");
    config->require_subcommand(1);
    auto* show = config->add_subcommand(
        "show", "The resolved config (every secret masked), or one target's resolved settings");
    std::string show_target;
    show->add_option("target", show_target, "A target name");
    show->add_flag("--json", g.json, "JSON output");

    auto* local_paths = config->add_subcommand(
        "local-paths",
        "The directories written on this machine, one per line: the state directory and every "
        "local repository");

    auto* docs = app.add_subcommand("docs", "Print generated documentation");
    docs->require_subcommand(1);
    auto* docs_labels = docs->add_subcommand("labels", "The label reference (docs/labels.md)");

    auto* runcmd = app.add_subcommand(
        "run",
        "Back up a target now (exit 0 ok, 1 failed, 2 locked, 4 dry-run check failed, "
        "5 partial, 6 suspect)");
    RunArgs run_args;
    runcmd->add_option("target", run_args.target, "Target name");
    runcmd->add_flag("--all", run_args.all, "Every enabled target");
    runcmd->add_flag("--dry-run",
                     run_args.dry_run,
                     "Check engine, container, dump image, the database from a dump container, "
                     "repository, key and disk space (as health checks them); back up nothing");
    runcmd->add_flag("--json", g.json, "JSON output");

    auto* snaps = app.add_subcommand("snapshots", "A target's snapshots in its repository");
    std::string snap_target;
    snaps->add_option("target", snap_target, "Target name")->required();
    snaps->add_flag("--json", g.json, "JSON output");

    auto* history = app.add_subcommand("history", "Past runs from the audit trail");
    HistoryArgs hist;
    history->add_option("target", hist.target, "Only this target");
    history->add_flag("--failed", hist.failed, "Only failed, partial and crashed runs");
    history->add_option("--last", hist.last, "How many runs (default 20)")
        ->check(CLI::Range(1, 100000));
    history->add_option("--status", hist.status, "Only runs with this status")
        ->check(CLI::IsMember(run_status_words()));
    history->add_option("--kind", hist.kind, "Only backup, restore or verify runs")
        ->check(CLI::IsMember({"backup", "restore", "verify"}));
    history->add_option("--before", hist.before, "Only runs started before this time (paging)");
    history->add_option("--run", hist.run, "Just this run, with its steps");
    history->add_flag("--json", g.json, "JSON output, with each run's steps");

    auto* prune = app.add_subcommand(
        "prune",
        "Remove data no snapshot references from the repositories (restic prune); waits "
        "for snapshots being written");
    std::string prune_repo;
    prune->add_option("repository", prune_repo, "Only this repository (default: all)");
    prune->add_flag("--json", g.json, "JSON output");

    auto* check = app.add_subcommand(
        "check",
        "Each repository's rotating check (restic check --read-data-subset=k/N): last check, "
        "result, the data read in this rotation, next due; --now checks the next subset");
    std::vector<std::string> check_repos;
    bool check_now = false;
    check->add_option("repository", check_repos, "Only these repositories (default: all)");
    check->add_flag("--now",
                    check_now,
                    "Check each repository's next subset now (exit 1 when one "
                    "failed or could not run)");
    check->add_flag("--json", g.json, "JSON output");

    auto* daemon =
        app.add_subcommand("daemon",
                           "Run the scheduler and follow the engine's events until SIGTERM/SIGINT "
                           "(cleans up after a dead operator first)");
    auto* unlock = app.add_subcommand(
        "unlock", "Remove a target's lock when no live process holds it (exit 2 while one does)");
    std::string unlock_target;
    unlock->add_option("target", unlock_target, "Target name")->required();
    unlock->add_flag("--json", g.json, "JSON output");
    auto* notify = app.add_subcommand("notify", "Notifiers and monitors");
    notify->require_subcommand(1);
    auto* notify_test = notify->add_subcommand("test",
                                               "Send a test alert to a notifier, or a test ping to "
                                               "a monitor, now (exit 0 delivered, 1 not)");
    std::string notify_name;
    notify_test->add_option("name", notify_name, "A notifier or monitor of the config")->required();
    RestoreArgs rargs;
    auto* restore = app.add_subcommand(
        "restore",
        "Restore a target's databases and files from its snapshots (see docs/restore.md)");
    restore->add_option("target", rargs.target, "Target name")->required();
    restore->add_option(
        "--snapshot", rargs.snapshot, "A snapshot id of this target, or latest (default)");
    restore->add_option(
        "--at",
        rargs.at,
        "The newest snapshots at or before this time (RFC 3339, or local 'YYYY-MM-DD HH:MM')");
    restore->add_option("--only", rargs.only, "db or files");
    restore->add_option("--db", rargs.db, "Only this database");
    restore->add_option(
        "--into-container", rargs.into_container, "Load the databases into this container instead");
    restore->add_flag("--new-container",
                      rargs.new_container,
                      "Load the databases into a new container of the target's image on its "
                      "network (left running)");
    restore->add_option("--files-to",
                        rargs.files_to,
                        "Extract the files into this directory instead of the target");
    restore->add_option("--path",
                        rargs.path,
                        "Config projects: restore only this file or directory of assets.paths "
                        "(implies --only files)");
    restore->add_flag("--cleanup",
                      rargs.cleanup,
                      "Remove the containers earlier --new-container restores of the target left "
                      "(with their volumes; asks unless --yes)");
    restore->add_flag("--yes",
                      rargs.yes,
                      "Do not ask before writing into a live target (or before --cleanup removes)");
    restore->add_flag(
        "--no-safety-backup", rargs.no_safety_backup, "Do not back the target up first");
    restore->add_flag("--json", g.json, "JSON output");
    std::string verify_target;
    std::string verify_snapshot;
    auto* verify = app.add_subcommand("verify",
                                      "Restore drill: restore into a scratch server on its own "
                                      "network, check it, remove it (exit 0 pass, 1 fail)");
    verify->add_option("target", verify_target, "Target name")->required();
    verify->add_option(
        "--snapshot", verify_snapshot, "A snapshot id (default: the newest of each database)");
    std::string verify_from;
    verify->add_option("--from",
                       verify_from,
                       "Drill from this repository (a second copy, copy_to) instead of the "
                       "target's own");
    verify->add_flag("--json", g.json, "JSON output");
    std::string accept_run;
    auto* accept = app.add_subcommand(
        "accept",
        "A suspect backup run (it differs sharply from its history) is as expected: make it "
        "normal, the baseline of the next comparison, and let retention proceed");
    accept->add_option("run", accept_run, "Run id (see `backupctl history --status suspect`)")
        ->required();
    accept->add_flag("--json", g.json, "JSON output");
    std::string copy_repo;
    bool copy_now = false;
    auto* copy = app.add_subcommand(
        "copy",
        "Second copies (copy_to): pending snapshots and lag per repository (exit 1 when one is "
        "overdue); --now copies them");
    copy->add_option("repository", copy_repo, "Only this repository (default: all with copy_to)");
    copy->add_flag("--now", copy_now, "Copy what is pending now");
    copy->add_flag("--json", g.json, "JSON output");
    std::string adopt_target;
    bool adopt_yes = false;
    auto* adopt = app.add_subcommand(
        "adopt",
        "Confirm that a target held for a change of provenance (compose project or "
        "service, image, labels vs config) is still yours");
    adopt->add_option("target", adopt_target, "Target name")->required();
    adopt->add_flag("--yes", adopt_yes, "Do not ask");
    adopt->add_flag("--json", g.json, "JSON output");
    auto* status = app.add_subcommand(
        "status", "Per target: the last backup and the last restore drill with its restore time");
    status->add_flag("--json", g.json, "JSON output");
    auto* health = app.add_subcommand(
        "health",
        "Config valid, engine reachable, audit store writable, nothing waiting in the "
        "audit fallback or the notification outbox, repositories reachable, disk space, "
        "gpg keys valid, clock sane (exit 1 otherwise)");
    health->add_flag("--json", g.json, "JSON output");
    bool health_quick = false;
    health->add_flag("--quick",
                     health_quick,
                     "Skip the repository and key checks (what the image's HEALTHCHECK runs)");
    auto* metrics = app.add_subcommand(
        "metrics", "Print the Prometheus metrics (what the daemon serves on /metrics)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error 2, with its message.
        const auto left = app.remaining();
        if (app.get_subcommands().empty() && !left.empty() && !left.front().starts_with('-')) {
            std::cerr << "backupctl: \"" << left.front()
                      << "\" is not a command (see backupctl --help)\n";
            return kExitUsage;
        }
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    if (engine->parsed()) {
        return run_task([&g](auto ex) { return engine_command(ex, g); });
    }
    if (discover->parsed()) {
        return run_task([&g](auto ex) { return discover_command(ex, g, false); });
    }
    if (validate->parsed()) {
        return run_task([&g](auto ex) { return discover_command(ex, g, true); });
    }
    if (show->parsed()) {
        return run_task(
            [&g, &show_target](auto ex) { return config_show_command(ex, g, show_target); });
    }
    if (local_paths->parsed()) {
        return config_local_paths_command(g);
    }
    if (docs_labels->parsed()) {
        std::cout << labels::render_label_reference(*bootstrap::database_kinds());
        return kExitOk;
    }
    if (runcmd->parsed()) {
        if (run_args.target.empty() == !run_args.all) {
            std::cerr << "backupctl run: name a target, or --all\n";
            return kExitUsage;
        }
        return run_task([&g, &run_args](auto ex) { return run_command(ex, g, run_args); });
    }
    if (snaps->parsed()) {
        return run_task(
            [&g, &snap_target](auto ex) { return snapshots_command(ex, g, snap_target); });
    }
    if (daemon->parsed()) {
        return daemon_command(g.config_path, g.verbosity);
    }
    if (unlock->parsed()) {
        return unlock_command(g.config_path, unlock_target, g.json);
    }
    if (health->parsed()) {
        return health_command(g.config_path, g.json, health_quick);
    }
    if (notify_test->parsed()) {
        return notify_test_command(g.config_path, notify_name);
    }
    if (metrics->parsed()) {
        return metrics_command(g.config_path);
    }
    if (check->parsed()) {
        return check_command(g, check_repos, check_now);
    }
    if (prune->parsed()) {
        return run_task([&g, &prune_repo](auto ex) { return prune_command(ex, g, prune_repo); });
    }
    if (restore->parsed()) {
        return restore_command(g, rargs);
    }
    if (verify->parsed()) {
        return verify_command(g, verify_target, verify_snapshot, verify_from);
    }
    if (copy->parsed()) {
        return copy_command(g, copy_repo, copy_now);
    }
    if (status->parsed()) {
        return status_command(g);
    }
    if (accept->parsed()) {
        return accept_command(g, accept_run);
    }
    if (adopt->parsed()) {
        return adopt_command(g, adopt_target, adopt_yes);
    }
    if (history->parsed()) {
        return history_command(g, hist);
    }
    return kExitFailed;
}

}  // namespace bk::drivers::cli
