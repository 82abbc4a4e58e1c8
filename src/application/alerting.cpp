#include "application/alerting.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "domain/utc_time.hpp"

namespace bk::app {

std::int64_t alert_backoff(int attempts) {
    std::int64_t s = 30;
    for (int i = 1; i < attempts && s < 3600; ++i)
        s *= 2;
    return std::min<std::int64_t>(s, 3600);
}

namespace {
std::string describe(const Failure& f) {
    return f.message;
}
}  // namespace

domain::Alert run_alert(const RunReport& report,
                        const std::string& kind,
                        const std::string& trigger,
                        const std::string& at) {
    domain::Alert a;
    a.id = kind + ":" + report.target + ":" + report.run_id;
    a.kind = kind;
    a.target = report.target;
    a.status = domain::to_string(report.status);
    a.run_id = report.run_id;
    a.trigger = trigger;
    a.at = at;
    a.seconds = report.seconds;
    for (const auto& i : report.items) {
        a.bytes += i.bytes;
        if (!i.snapshot_id.empty())
            a.snapshots.push_back(i.snapshot_id);
    }
    if (report.status != domain::RunStatus::success) {
        a.error_stage = report.stage;
        std::string err = report.error;
        // Each failed item's own error (the dump's stderr tail) says more than the run's summary.
        for (const auto& i : report.items) {
            if (i.outcome != domain::StepOutcome::ok && !i.error.empty() &&
                err.find(i.error) == std::string::npos) {
                err += "\n" + i.database + ": " + i.error;
            }
        }
        a.error = domain::tail_lines(err, 20, 2000);
    }
    return a;
}

Alerting::Alerting(const domain::OperatorConfig& config,
                   NotifierLookup notifiers,
                   MonitorLookup monitors,
                   domain::AlertStore& store,
                   domain::AuditLog& audit,
                   domain::Logger& log,
                   Now now)
    : config_(config),
      notifiers_(std::move(notifiers)),
      monitors_(std::move(monitors)),
      store_(store),
      audit_(audit),
      log_(log),
      now_(std::move(now)) {
    if (!now_)
        now_ = domain::unix_now;
}

std::vector<std::string> Alerting::all_notifiers() const {
    std::vector<std::string> names;
    for (const auto& [name, n] : config_.notifiers)
        names.push_back(name);
    return names;
}

Task<std::vector<std::string>> Alerting::deliver(const std::vector<std::string>& names,
                                                 const domain::Alert& alert) {
    std::vector<std::string> lines;
    for (const auto& name : names) {
        const auto cfg = config_.notifiers.find(name);
        if (cfg == config_.notifiers.end()) {
            lines.push_back(name + ": not in the config");
            log_.warn("notifier " + name + " is not in the config; " + alert.kind + " alert of " +
                      alert.target + " not sent");
            continue;
        }
        if (!domain::wants(cfg->second.events, alert.kind))
            continue;
        auto* n = notifiers_(name);
        Result<void> sent = Failure{errc::invalid_config, "notifier " + name + " is not usable"};
        if (n != nullptr)
            sent = co_await n->send(alert);
        if (sent) {
            lines.push_back(name + ": sent " + alert.kind);
            continue;
        }
        domain::QueuedAlert q;
        q.notifier = name;
        q.alert = alert;
        q.attempts = 1;
        q.queued_at = now_();
        q.next_at = q.queued_at + alert_backoff(1);
        q.last_error = describe(sent.error());
        auto queued = store_.enqueue(q);
        const std::string where =
            queued ? "queued for a re-send in " + std::to_string(alert_backoff(1)) + " s"
                   : "NOT queued (" + queued.error().message + ")";
        lines.push_back(name + ": " + alert.kind + " " + where + " (" + q.last_error + ")");
        log_.warn("notifier " + name + " failed for the " + alert.kind + " alert of " +
                  (alert.target.empty() ? std::string("backupctl") : alert.target) + ": " +
                  q.last_error + "; " + where);
    }
    co_return lines;
}

Task<void> Alerting::started(const domain::Target& target, const std::string& run_id) {
    // Who is told if this run dies with its operator (see crashed()).
    if (auto m = store_.memory()) {
        auto mem = (*m)[target.name];
        if (mem.notify != target.notify) {
            mem.notify = target.notify;
            (void)store_.remember(target.name, mem);
        }
    }
    if (target.monitor.empty())
        co_return;
    auto* m = monitors_(target.monitor);
    if (m == nullptr)
        co_return;
    auto r = co_await m->started();
    if (!r) {
        log_.warn("monitor " + target.monitor + " (start of " + target.name + ", run " + run_id +
                      "): " + r.error().message,
                  {target.name, run_id});
    }
}

Task<void> Alerting::finished(const domain::Target& target,
                              const RunReport& report,
                              const std::string& trigger) {
    if (report.status == domain::RunStatus::skipped)
        co_return;
    // A restore's safety backup is not the target's backup: its success ends no failure or
    // silence and pings no monitor (which would report the scheduled backups healthy); its
    // failure is told, and the restore it guarded does not happen.
    const bool safety = trigger == domain::kSafetyTrigger;
    const auto at = report.finished_at;
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = store_.memory())
        memory = std::move(*m);
    auto mem = memory[target.name];
    std::vector<std::string> lines;
    auto add = [&lines](std::vector<std::string> more) {
        lines.insert(lines.end(), more.begin(), more.end());
    };
    if (safety) {
        if (report.status != domain::RunStatus::success)
            add(co_await deliver(target.notify, run_alert(report, "failure", trigger, at)));
    } else if (report.status == domain::RunStatus::suspect) {
        // Stored but not trusted: a human looks (and accepts it, or restores).
        add(co_await deliver(target.notify, run_alert(report, "anomaly", trigger, at)));
        mem.overdue = false;
        mem.overdue_since.clear();
    } else if (report.status == domain::RunStatus::success) {
        const bool was_bad =
            mem.overdue || (mem.last_status && (domain::is_failed_run(*mem.last_status) ||
                                                *mem.last_status == domain::RunStatus::suspect));
        add(co_await deliver(target.notify, run_alert(report, "success", trigger, at)));
        if (was_bad) {
            auto a = run_alert(report, "recovered", trigger, at);
            a.status = domain::to_string(domain::RunStatus::success);
            a.details = mem.overdue ? "was overdue since " + mem.overdue_since + "\n"
                                    : "the last run before this one ended " +
                                          domain::to_string(*mem.last_status) + "\n";
            add(co_await deliver(target.notify, a));
        }
        mem.overdue = false;
        mem.overdue_since.clear();
    } else {
        add(co_await deliver(target.notify, run_alert(report, "failure", trigger, at)));
    }
    if (!safety) {
        mem.last_status = report.status;
        if (report.snapshots_kept >= 0)
            mem.snapshots = report.snapshots_kept;
        if (auto r = store_.remember(target.name, mem); !r) {
            log_.warn("alert memory: " + r.error().message);
        }
    }
    if (!safety && !target.monitor.empty()) {
        if (auto* m = monitors_(target.monitor)) {
            auto a = run_alert(report,
                               report.status == domain::RunStatus::success ? "success" : "failure",
                               trigger,
                               at);
            auto pinged = co_await m->finished(report.status == domain::RunStatus::success,
                                               domain::alert_title(a),
                                               static_cast<std::int64_t>(report.seconds * 1000));
            lines.push_back(
                "monitor " + target.monitor + ": " +
                (pinged ? std::string("pinged") : "failed (" + pinged.error().message + ")"));
            if (!pinged) {
                log_.warn("monitor " + target.monitor + " (" + target.name +
                          "): " + pinged.error().message);
            }
        } else {
            lines.push_back("monitor " + target.monitor + ": not in the config");
        }
    }
    if (!lines.empty()) {
        domain::StepRecord step{report.run_id, "notify", at};
        step.finished_at = at;
        bool all_ok = true;
        for (const auto& l : lines) {
            step.detail += (step.detail.empty() ? "" : "; ") + l;
            all_ok = all_ok && (l.find(": sent") != std::string::npos ||
                                l.find(": pinged") != std::string::npos);
        }
        step.outcome = all_ok ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        audit_.add_step(step);
    }
}

Task<void> Alerting::crashed(const domain::RunRecord& run) {
    if (run.kind != "backup")
        co_return;
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = store_.memory())
        memory = std::move(*m);
    const bool known = memory.contains(run.target);
    auto mem = memory[run.target];
    const auto notify = known ? mem.notify : config_.defaults.notify;
    domain::Alert a;
    a.id = "failure:" + run.target + ":" + run.id;
    a.kind = "failure";
    a.target = run.target;
    a.status = domain::to_string(domain::RunStatus::crashed);
    a.run_id = run.id;
    a.trigger = run.trigger;
    a.at = run.finished_at;
    a.error_stage = "operator died";
    a.error = run.error;
    co_await deliver(notify, a);
    mem.last_status = domain::RunStatus::crashed;
    (void)store_.remember(run.target, mem);
}

Task<void> Alerting::drill_finished(const domain::Target& target, const VerifyReport& report) {
    if (report.status == domain::DrillResult::passed)
        co_return;
    // An empty drill restored fine but proved nothing: a warning of its own kind.
    const bool empty = report.status == domain::DrillResult::passed_empty;
    domain::Alert a;
    a.kind = empty ? "drill_empty" : "drill_failed";
    a.id = a.kind + ":" + target.name + ":" + report.run_id;
    a.target = target.name;
    a.status = domain::to_string(report.status);
    a.run_id = report.run_id;
    a.trigger = "verify";
    a.seconds = report.seconds;
    for (const auto& c : report.checks) {
        if (c.outcome == domain::StepOutcome::failed) {
            if (a.error_stage.empty())
                a.error_stage = c.name;
            a.details += c.name + ": " + c.detail + "\n";
        }
    }
    a.error = domain::tail_lines(report.error, 20, 2000);
    co_await deliver(target.notify, a);
}

Task<void> Alerting::check_finished(const domain::CheckRecord& check, bool previous_failed) {
    if (check.ok && !previous_failed)
        co_return;
    domain::Alert a;
    a.kind = check.ok ? "check_recovered" : "check_failed";
    a.id = a.kind + ":" + check.repository + ":" + check.id;
    a.target = check.repository;
    a.status = "subset " + std::to_string(check.subset) + "/" + std::to_string(check.subsets) +
               (check.ok ? " passed" : " failed");
    a.run_id = check.id;
    a.trigger = "check";
    a.at = check.finished_at;
    a.seconds = domain::seconds_between(check.started_at, check.finished_at);
    if (!check.ok) {
        a.error_stage = "restic check";
        a.error = domain::tail_lines(check.error, 20, 2000);
        a.details =
            "forget and prune refuse this repository until a check passes: repair it, "
            "then run `backupctl check --now " +
            check.repository + "`\n";
    } else {
        a.details = "forget and prune run again on this repository\n";
    }
    co_await deliver(all_notifiers(), a);
}

Task<void> Alerting::overdue(const domain::Target& target,
                             const std::string& last_success,
                             std::int64_t interval_seconds) {
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = store_.memory())
        memory = std::move(*m);
    auto mem = memory[target.name];
    if (mem.overdue)
        co_return;  // told once; `recovered` ends it
    domain::Alert a;
    a.kind = "overdue";
    a.target = target.name;
    a.status = "overdue";
    a.last_success = last_success;
    a.id = "overdue:" + target.name + ":" + last_success;
    char buf[160];
    std::snprintf(buf,
                  sizeof buf,
                  "no success within twice its interval (%lld min): cron %s\n",
                  static_cast<long long>(interval_seconds / 60),
                  target.cron.c_str());
    a.details = buf;
    co_await deliver(target.notify, a);
    mem.overdue = true;
    mem.overdue_since = last_success;
    if (auto r = store_.remember(target.name, mem); !r) {
        log_.warn("alert memory: " + r.error().message);
    }
}

Task<void> Alerting::copy_lag(domain::CopyLag lag) {
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = store_.memory())
        memory = std::move(*m);
    const std::string pair = lag.source + " -> " + lag.destination;
    const std::string key = "copy:" + lag.source + ">" + lag.destination;
    auto mem = memory[key];
    domain::Alert a;
    a.target = pair;
    a.at = domain::utc_now();
    if (lag.overdue() && !mem.overdue) {
        a.kind = "copy_overdue";
        a.status = "overdue";
        a.last_success = lag.oldest_made_at;
        a.id = "copy_overdue:" + pair + ":" + lag.oldest_made_at;
        a.error = lag.last_error;
        a.details = std::to_string(lag.pending) + " snapshot(s) not copied, the oldest for " +
                    std::to_string(lag.lag_seconds) + " s (copy_overdue " +
                    std::to_string(lag.overdue_after.count()) + " s)\n";
        log_.warn("copy " + pair + " is overdue: " + a.details);
        co_await deliver(all_notifiers(), a);
        mem.overdue = true;
        mem.overdue_since = lag.oldest_made_at;
    } else if (lag.pending == 0 && mem.overdue) {
        a.kind = "recovered";
        a.status = "caught_up";
        a.id = "copy_caught_up:" + pair + ":" + mem.overdue_since;
        a.details = "every snapshot is copied again\n";
        log_.info("copy " + pair + " caught up");
        co_await deliver(all_notifiers(), a);
        mem.overdue = false;
        mem.overdue_since.clear();
    } else {
        co_return;
    }
    if (auto r = store_.remember(key, mem); !r) {
        log_.warn("alert memory: " + r.error().message);
    }
}

Task<void> Alerting::summary(const std::vector<domain::Target>& targets, const std::string& date) {
    std::map<std::string, domain::AlertMemory> memory;
    if (auto m = store_.memory())
        memory = std::move(*m);
    auto global = memory[""];
    if (global.last_summary == date)
        co_return;
    domain::Alert a;
    a.kind = "summary";
    a.id = "summary:" + date;
    a.status = "summary";
    int ok = 0;
    int bad = 0;
    for (const auto& t : targets) {
        if (!t.enabled)
            continue;
        auto last = audit_.last_run(t.name, "backup");
        auto success = audit_.last_success(t.name);
        const auto& mem = memory[t.name];
        std::string line = t.name + ": ";
        if (last && *last) {
            line += domain::to_string((*last)->status) + " at " + (*last)->finished_at;
            if ((*last)->status == domain::RunStatus::success)
                ++ok;
            else
                ++bad;
        } else {
            line += "no run yet";
            ++bad;
        }
        if (success && !success->empty() &&
            !(last && *last && (*last)->status == domain::RunStatus::success)) {
            line += ", last success " + *success;
        }
        if (mem.overdue)
            line += ", OVERDUE";
        a.details += line + "\n";
    }
    a.status = std::to_string(ok) + " ok, " + std::to_string(bad) + " not ok";
    a.details = date + ": " + a.status + "\n" + a.details;
    co_await deliver(all_notifiers(), a);
    global.last_summary = date;
    (void)store_.remember("", global);
}

Task<Result<void>> Alerting::heartbeat(const std::string& monitor,
                                       std::string message,
                                       bool healthy) {
    auto* m = monitors_(monitor);
    if (m == nullptr)
        co_return Failure{errc::invalid_config, "no monitor named " + monitor};
    if (!healthy)
        co_return co_await m->finished(false, std::move(message), 0);
    co_return co_await m->alive(std::move(message));
}

Task<int> Alerting::retry_due() {
    auto queued = store_.queued();
    if (!queued) {
        log_.warn("notification outbox: " + queued.error().message);
        co_return 0;
    }
    int delivered = 0;
    for (auto q : *queued) {
        const auto now = now_();
        if (q.next_at > now)
            continue;
        if (!config_.notifiers.contains(q.notifier))
            continue;  // kept: the config may come back
        auto* n = notifiers_(q.notifier);
        if (n == nullptr)
            continue;
        // Claim it: another process retrying at the same moment sees it not due.
        auto claimed = q;
        claimed.next_at = now + 300;
        auto c = store_.claim(claimed, now);
        if (!c || !*c)
            continue;
        auto sent = co_await n->send(q.alert);
        if (sent) {
            (void)store_.settle(q, true);
            ++delivered;
            log_.info("notifier " + q.notifier + ": delivered the queued " + q.alert.kind +
                      " alert " + q.alert.id + " after " + std::to_string(q.attempts + 1) +
                      " attempts");
            continue;
        }
        ++q.attempts;
        q.last_error = describe(sent.error());
        q.next_at = now_() + alert_backoff(q.attempts);
        (void)store_.settle(q, false);
        log_.warn("notifier " + q.notifier + ": re-send of " + q.alert.id + " failed (" +
                  q.last_error + "), attempt " + std::to_string(q.attempts) + ", next in " +
                  std::to_string(alert_backoff(q.attempts)) + " s");
    }
    co_return delivered;
}

}  // namespace bk::app
