#include "application/recovery.hpp"

#include <set>

#include "domain/utc_time.hpp"

namespace bk::app {

namespace {

/// Undoes one open effect: starts a stopped target again, leaves a joined network. Empty when
/// done; else what went wrong.
Task<std::string> settle(domain::Janitor& janitor,
                         const domain::EffectRecord& e,
                         RecoveryReport& report) {
    if (e.kind == "container_stopped") {
        auto started = co_await janitor.start_if_stopped(e.ref);
        if (!started)
            co_return "starting " + e.detail + " again: " + started.error().message;
        if (*started)
            ++report.restarted_targets;
    } else if (e.kind == "network_joined") {
        // The operator's container joined an app network for a project's hooks.
        auto gone = co_await janitor.leave_network(e.ref, e.detail);
        if (!gone)
            co_return "leaving network " + e.ref + ": " + gone.error().message;
        ++report.networks_left;
    }
    co_return std::string{};
}

}  // namespace

Task<RecoveryReport> recover(domain::AuditLog& audit,
                             domain::Janitor& janitor,
                             domain::InstanceRegistry& instances,
                             RepositoryLookup repositories,
                             std::vector<std::string> repository_names) {
    RecoveryReport report;
    std::set<std::string> dead_seen;

    // 1. Runs of dead instances.
    if (auto running = audit.running(); running) {
        for (auto run : *running) {
            if (instances.alive(run.instance))
                continue;
            dead_seen.insert(run.instance);
            run.status = domain::RunStatus::crashed;
            run.finished_at = domain::utc_now();
            run.error = "the operator (pid " + std::to_string(run.pid) + ", instance " +
                        run.instance + ") died during this run; found by instance " +
                        instances.self();
            if (auto r = audit.finish_run(run); !r)
                report.problems.push_back(r.error().message);
            ++report.crashed_runs;
            report.crashed.push_back(run);
        }
    } else {
        report.problems.push_back("audit: " + running.error().message);
    }

    // 2. Our containers whose instance is dead (whatever the audit says: the engine's labels are
    //    the truth, also when the run's record never landed).
    auto left = co_await janitor.leftovers();
    if (left) {
        for (const auto& c : *left) {
            if (instances.alive(c.instance))
                continue;
            dead_seen.insert(c.instance);
            auto removed = co_await janitor.remove(c);
            if (removed) {
                ++report.removed_containers;
            } else {
                report.problems.push_back("removing " + c.name + ": " + removed.error().message);
            }
        }
    } else {
        report.problems.push_back("listing our containers: " + left.error().message);
    }

    // 3. Targets a dead instance stopped and did not start again.
    if (auto effects = audit.open_effects(); effects) {
        for (auto e : *effects) {
            if (instances.alive(e.instance))
                continue;
            dead_seen.insert(e.instance);
            auto problem = co_await settle(janitor, e, report);
            if (!problem.empty()) {
                report.problems.push_back(std::move(problem));
                continue;
            }
            e.at = domain::utc_now();
            (void)audit.settle_effect(e);
        }
    }

    // 4. restic locks of the dead processes (only when a dead instance had work in flight).
    if (report.crashed_runs + report.removed_containers + report.restarted_targets +
            report.networks_left >
        0) {
        for (const auto& name : repository_names) {
            auto repo = co_await repositories(name);
            if (!repo)
                continue;  // not reachable now: its locks go stale on their own
            auto unlocked = co_await (*repo)->unlock_stale();
            if (unlocked) {
                ++report.unlocked_repositories;
            } else {
                report.problems.push_back(unlocked.error().message);
            }
        }
    }

    for (const auto& id : instances.dead())
        instances.forget(id);
    co_return report;
}

Task<std::vector<std::string>> clean_up_run(domain::AuditLog& audit,
                                            domain::Janitor& janitor,
                                            std::string run_id) {
    std::vector<std::string> out;
    if (run_id.empty())
        co_return out;
    auto left = co_await janitor.leftovers();  // containers first, then networks
    if (left) {
        for (const auto& c : *left) {
            if (c.run_id != run_id)
                continue;
            auto removed = co_await janitor.remove(c);
            out.push_back(removed ? "removed " +
                                        std::string(c.network ? "network " : "container ") + c.name
                                  : "removing " + c.name + ": " + removed.error().message);
        }
    } else {
        out.push_back("listing our containers: " + left.error().message);
    }
    if (auto effects = audit.open_effects(); effects) {
        for (auto e : *effects) {
            if (e.run_id != run_id)
                continue;
            RecoveryReport unused;
            auto problem = co_await settle(janitor, e, unused);
            if (!problem.empty()) {
                out.push_back(std::move(problem));
                continue;
            }
            out.push_back(e.kind == "container_stopped" ? "started " + e.detail + " again"
                                                        : "left network " + e.ref);
            e.at = domain::utc_now();
            (void)audit.settle_effect(e);
        }
    }
    co_return out;
}

}  // namespace bk::app
