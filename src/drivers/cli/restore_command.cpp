#include "drivers/cli/restore_command.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>

#include "application/daemon.hpp"
#include "application/restore_cleanup.hpp"
#include "domain/human.hpp"
#include "domain/run_status.hpp"
#include "domain/schedule.hpp"
#include "domain/utc_time.hpp"
#include "drivers/cli/restore_output.hpp"
#include "drivers/cli/terminal_text.hpp"
#include <unistd.h>

namespace bk::drivers::cli {
namespace {

constexpr int kExitPartial = 5;

std::string secs(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

// The target by name, from discovery and the config's projects.
Task<Result<domain::Target>> find_target(bootstrap::Services& services, const std::string& name) {
    auto inventory = co_await services.registry.refresh();
    if (!inventory) {
        co_return inventory.error();
    }
    const auto* t = inventory->find(name);
    if (t == nullptr) {
        co_return Failure{errc::not_found,
                          "no target named \"" + name +
                              "\" (see `backupctl discover`); a target whose "
                              "container is gone must be started again first"};
    }
    co_return *t;
}

// Opens the run's services (a broken audit store is only a warning) and cleans what dead
// instances left.
Task<void> open_and_recover(bootstrap::RunServices& run) {
    open_run(run);
    co_await run.recover();
}

// Asks before a restore writes into a live server: type the target's name.
bool confirmed(const std::string& target,
               const std::vector<domain::RestorePoint>& points,
               const app::RestoreRequest& request) {
    // Each value escaped, line breaks too: a tag's escape sequence or line break must not
    // disguise what is restored.
    std::cerr << "This replaces data of " << shown(target) << " with:\n";
    for (const auto& p : points) {
        std::cerr << "  " << shown(p.kind) << " " << shown(p.name) << " from snapshot "
                  << shown(p.snapshot.id) << " (" << shown(p.snapshot.time.substr(0, 19)) << ")\n";
    }
    std::cerr << (request.safety_backup && request.into_container.empty()
                      ? "A pre-restore backup of the current state is taken first.\n"
                      : "No safety backup is taken (--no-safety-backup or --into-container).\n");
    if (::isatty(STDIN_FILENO) != 1) {
        std::cerr << "backupctl: not a terminal: add --yes to restore into a live target\n";
        return false;
    }
    std::cerr << "Type the target's name to go on: " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == target;
}

// Whether the copies of a cleanup may go: type the target's name (or --yes).
bool cleanup_confirmed(const std::string& target, const std::vector<app::CleanupCandidate>& plan) {
    std::cerr << cleanup_plan_text(shown(target), plan);
    if (::isatty(STDIN_FILENO) != 1) {
        std::cerr << "backupctl: not a terminal: add --yes to remove them\n";
        return false;
    }
    std::cerr << "Type the target's name to remove them: " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == target;
}

Task<int> cleanup_task(boost::asio::any_io_executor ex, Globals g, RestoreArgs args) {
    if (!args.snapshot.empty() || !args.at.empty() || !args.only.empty() || !args.db.empty() ||
        !args.into_container.empty() || args.new_container || !args.files_to.empty() ||
        !args.path.empty() || args.no_safety_backup) {
        std::cerr << "backupctl restore: --cleanup takes only a target, --yes and --json\n";
        co_return kExitUsage;
    }
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected) {
        co_return code;
    }
    bootstrap::RunServices run(ex, *connected);
    co_await open_and_recover(run);
    // The target need not exist any more: its copies are found by their label, and each is
    // checked against the restore the audit trail recorded.
    auto plan = co_await app::plan_cleanup(run.restored_copies(), run.audit(), args.target);
    if (!plan) {
        std::cerr << "backupctl: " << plan.error().message << "\n";
        co_return kExitFailed;
    }
    bool removable = false;
    for (const auto& c : *plan)
        removable = removable || c.removable;
    if (removable && !args.yes && !cleanup_confirmed(args.target, *plan)) {
        std::cerr << "backupctl: nothing was removed\n";
        co_return kExitFailed;
    }
    auto done = co_await app::clean_up(run.restored_copies(), std::move(*plan));
    if (g.json) {
        std::cout << cleanup_json(args.target, done).dump(2, ' ', false, kReplace) << "\n";
    } else {
        std::cout << cleanup_text(args.target, done);
    }
    for (const auto& o : done) {
        if (o.outcome == app::CopyFate::failed)
            co_return kExitFailed;
    }
    co_return kExitOk;
}

Task<int> restore_task(boost::asio::any_io_executor ex, Globals g, RestoreArgs args) {
    if (args.cleanup) {
        co_return co_await cleanup_task(ex, g, args);
    }
    if (args.new_container && !args.into_container.empty()) {
        std::cerr << "backupctl restore: --new-container and --into-container exclude each other\n";
        co_return kExitUsage;
    }
    if (!args.only.empty() && args.only != "db" && args.only != "files") {
        std::cerr << "backupctl restore: --only takes db or files\n";
        co_return kExitUsage;
    }
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected) {
        co_return code;
    }
    auto& services = *connected;
    app::RestoreRequest request;
    request.choice.snapshot = args.snapshot;
    request.choice.only = args.only;
    request.choice.database = args.db;
    if (!args.at.empty()) {
        auto zone = bootstrap::time_zone(services.config.timezone);
        if (!zone) {
            std::cerr << "backupctl: " << zone.error().message << "\n";
            co_return kExitInvalidConfig;
        }
        request.choice.at = domain::parse_time(args.at, *zone);
        if (!request.choice.at) {
            std::cerr << "backupctl restore: --at \"" << args.at
                      << "\" is not a time (2026-11-26T03:00:00Z, or 2026-11-26 03:00 in "
                      << services.config.timezone << ")\n";
            co_return kExitUsage;
        }
    }
    request.into_container = args.into_container;
    request.new_container = args.new_container;
    request.files_to = args.files_to;
    request.path = args.path;
    if (!request.path.empty() && request.choice.only.empty())
        request.choice.only = "files";
    request.safety_backup = !args.no_safety_backup;
    // Opened first: a name two containers claim goes to the one its recorded provenance names.
    bootstrap::RunServices run(ex, services);
    co_await open_and_recover(run);
    auto target = co_await find_target(services, args.target);
    if (!target) {
        std::cerr << "backupctl: " << target.error().message << "\n";
        co_return kExitFailed;
    }
    auto points = co_await run.restore().plan(*target, request.choice);
    if (!points) {
        std::cerr << "backupctl: " << points.error().message << "\n";
        co_return kExitFailed;
    }
    if (app::restores_into_live(request, *points) && !args.yes &&
        !confirmed(target->name, *points, request)) {
        std::cerr << "backupctl: nothing was restored\n";
        co_return kExitFailed;
    }
    if (!g.json)
        std::cout << "restoring " << target->name << " ...\n" << std::flush;
    auto report = co_await run.restore().restore(*target, request, "manual");
    if (g.json) {
        std::cout << restore_json(report, g.config_path).dump(2, ' ', false, kReplace) << "\n";
    } else {
        std::cout << restore_text(report, g.config_path);
    }
    co_return report.status == domain::RunStatus::success ? kExitOk
    : report.status == domain::RunStatus::partial         ? kExitPartial
                                                          : kExitFailed;
}

Task<int> verify_task(boost::asio::any_io_executor ex,
                      Globals g,
                      std::string name,
                      std::string snapshot,
                      std::string from) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected) {
        co_return code;
    }
    auto& services = *connected;
    bootstrap::RunServices run(ex, services);
    co_await open_and_recover(run);
    auto target = co_await find_target(services, name);
    if (!target) {
        std::cerr << "backupctl: " << target.error().message << "\n";
        co_return kExitFailed;
    }
    if (!from.empty()) {
        // A drill from another repository (a second copy): the target's newest snapshots there.
        if (!services.config.repositories.contains(from)) {
            std::cerr << "backupctl verify: --from: no repository named \"" << from << "\"\n";
            co_return kExitFailed;
        }
        target->repository = from;
    }
    domain::SnapshotChoice choice;
    choice.snapshot = snapshot;
    if (!g.json) {
        std::cout << "restore drill of " << name
                  << (from.empty() ? std::string{} : " from repository " + from) << " ...\n"
                  << std::flush;
    }
    auto report = co_await run.restore().verify(*target, choice, "manual");
    co_await run.alerting().drill_finished(*target, report);
    if (g.json) {
        nlohmann::json checks = nlohmann::json::array();
        for (const auto& c : report.checks) {
            checks.push_back({{"name", c.name},
                              {"outcome", domain::to_string(c.outcome)},
                              {"detail", c.detail}});
        }
        nlohmann::json items = nlohmann::json::array();
        for (const auto& i : report.items) {
            items.push_back({{"database", i.name},
                             {"snapshot", i.snapshot},
                             {"outcome", domain::to_string(i.outcome)},
                             {"bytes", i.bytes},
                             {"seconds", i.seconds},
                             {"error", i.error}});
        }
        std::cout << nlohmann::json{{"run_id", report.run_id},
                                    {"target", report.target},
                                    {"status", domain::to_string(report.status)},
                                    {"error", report.error},
                                    {"rto_seconds", report.rto_seconds},
                                    {"seconds", report.seconds},
                                    {"items", items},
                                    {"checks", checks}}
                         .dump(2, ' ', false, kReplace)
                  << "\n";
    } else {
        for (const auto& c : report.checks) {
            std::cout << "  "
                      << (c.outcome == domain::StepOutcome::ok        ? "ok  "
                          : c.outcome == domain::StepOutcome::skipped ? "skip"
                                                                      : "FAIL")
                      << " " << c.name << (c.detail.empty() ? "" : ": " + c.detail) << "\n";
        }
        std::cout << name << ": drill " << report.status;
        if (!report.error.empty())
            std::cout << " (" << report.error << ")";
        std::cout << ", restore took " << secs(report.rto_seconds) << ", " << secs(report.seconds)
                  << " in all, run " << report.run_id << "\n";
    }
    // passed-empty is a warning (said above), not a failure: defaults.drill_empty: fail makes it
    // one.
    co_return report.status != domain::DrillResult::failed ? kExitOk : kExitFailed;
}

// The restore time of a drill: its restore steps.

}  // namespace

int restore_command(const Globals& g, const RestoreArgs& args) {
    return run_task([&g, &args](auto ex) { return restore_task(ex, g, args); });
}

int verify_command(const Globals& g,
                   const std::string& target,
                   const std::string& snapshot,
                   const std::string& from) {
    return run_task([&](auto ex) { return verify_task(ex, g, target, snapshot, from); });
}

static Task<int> status_task(boost::asio::any_io_executor ex, Globals g) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::any, code);
    if (!connected) {
        co_return code;
    }
    auto inventory = co_await discover_targets(*connected);
    if (!inventory) {
        co_return kExitFailed;
    }
    auto audit = bootstrap::open_audit(connected->config.state_dir, *connected->log);
    auto alerts = bootstrap::open_alert_store(connected->config.state_dir);
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = alerts->memory())
        memory = std::move(*m);
    auto zone = bootstrap::time_zone(connected->config.timezone);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    nlohmann::json out = nlohmann::json::array();
    if (!g.json) {
        std::printf("%-24s %-8s %-25s %-8s %-25s %-12s %s\n",
                    "TARGET",
                    "BACKUP",
                    "AT",
                    "DRILL",
                    "AT",
                    "RESTORE TIME",
                    "STATE");
    }
    for (const auto& t : inventory->targets) {
        auto backup = audit->last_run(t.name, "backup");
        auto drill = audit->last_run(t.name, "verify");
        const domain::RunRecord none;
        const auto& b = backup && *backup ? **backup : none;
        const auto& d = drill && *drill ? **drill : none;
        const double rto = d.id.empty() ? 0 : app::drill_restore_seconds(*audit, d.id);
        // No run yet: "" in JSON, "-" on a terminal. A drill that passed is a success run.
        const std::string backup_status = b.id.empty() ? "" : domain::to_string(b.status);
        const std::string drill_status = d.id.empty() ? ""
                                         : d.status == domain::RunStatus::success
                                             ? "passed"
                                             : domain::to_string(d.status);
        if (g.json) {
            // What the dashboard shows too: next run, overdue, last success, size trend.
            std::string next_run;
            if (auto cron = domain::parse_cron(t.cron); cron && zone) {
                const auto due = domain::next_due(*cron, now, *zone);
                if (due >= 0)
                    next_run = domain::format_utc(due);
            }
            const auto sizes = app::backup_sizes(*audit, t.name);
            auto success = audit->last_success(t.name);
            out.push_back(
                {{"target", t.name},
                 {"backup",
                  {{"status", backup_status}, {"finished_at", b.finished_at}, {"run", b.id}}},
                 {"drill",
                  {{"status", d.id.empty() ? "" : domain::to_string(d.status)},
                   {"finished_at", d.finished_at},
                   {"run", d.id},
                   {"restore_seconds", rto},
                   {"error", d.error}}},
                 {"last_success", success ? *success : std::string{}},
                 {"next_run", next_run},
                 {"overdue", memory.contains(t.name) && memory[t.name].overdue},
                 {"state", app::state_of(t)},
                 {"stopped_since",
                  t.stopped() && !t.stopped_since.empty() ? nlohmann::json(t.stopped_since)
                                                          : nlohmann::json(nullptr)},
                 {"sizes", sizes}});
        } else {
            // A stopped target is not failing: it waits for its container (health warns).
            const std::string state =
                t.stopped() ? "stopped since " +
                                  (t.stopped_since.empty() ? std::string("?") : t.stopped_since)
                            : app::state_of(t);
            std::printf("%-24s %-8s %-25s %-8s %-25s %-12s %s\n",
                        t.name.c_str(),
                        backup_status.empty() ? "-" : backup_status.c_str(),
                        b.finished_at.empty() ? "-" : b.finished_at.c_str(),
                        drill_status.empty() ? "-" : drill_status.c_str(),
                        d.finished_at.empty() ? "-" : d.finished_at.c_str(),
                        d.id.empty() ? "-" : secs(rto).c_str(),
                        state.c_str());
        }
    }
    if (g.json)
        std::cout << out.dump(2, ' ', false, kReplace) << "\n";
    co_return kExitOk;
}

int status_command(const Globals& g) {
    return run_task([&](auto ex) { return status_task(ex, g); });
}

}  // namespace bk::drivers::cli
