#include "application/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "application/daemon.hpp"
#include "domain/repository_check.hpp"
#include "domain/run_status.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

std::string prometheus_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

namespace {

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

struct Family {
    std::string name;
    std::string type;
    std::string help;
    std::vector<std::string> lines;
};

class Exposition {
public:
    Family& family(const std::string& name, const std::string& type, const std::string& help) {
        for (auto& f : families_) {
            if (f.name == name)
                return f;
        }
        families_.push_back({name, type, help, {}});
        return families_.back();
    }
    void add(const std::string& name,
             const std::string& type,
             const std::string& help,
             const std::string& labels,
             double value) {
        family(name, type, help)
            .lines.push_back(name + (labels.empty() ? "" : "{" + labels + "}") + " " + num(value));
    }
    [[nodiscard]] std::string text() const {
        std::string out;
        for (const auto& f : families_) {
            out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
            for (const auto& l : f.lines)
                out += l + "\n";
        }
        return out;
    }

private:
    std::vector<Family> families_;  // a vector: families come out in the order first added
};

std::string target_label(const std::string& t) {
    return "target=\"" + prometheus_label(t) + "\"";
}

}  // namespace

std::string render_metrics(domain::AuditLog& audit, const MetricsInput& in) {
    Exposition e;
    e.add("backupctl_info",
          "gauge",
          "backupctl is running; the version is a label.",
          "version=\"0.1.0\"",
          1);
    std::set<std::string> targets(in.targets.begin(), in.targets.end());
    auto counts = audit.run_counts();
    if (counts) {
        for (const auto& c : *counts)
            targets.insert(c.target);
    }
    for (const auto& [t, m] : in.memory) {
        // "copy:<source>><destination>" remembers a copy's overdue episode, not a target.
        if (!t.empty() && !t.starts_with("copy:"))
            targets.insert(t);
    }
    const std::string runs_help = "Finished backup runs by status.";
    e.family("backupctl_runs_total", "counter", runs_help);
    if (counts) {
        for (const auto& c : *counts) {
            if (c.kind != "backup")
                continue;
            e.add("backupctl_runs_total",
                  "counter",
                  runs_help,
                  target_label(c.target) + ",status=\"" +
                      prometheus_label(domain::to_string(c.status)) + "\"",
                  static_cast<double>(c.count));
        }
    }
    for (const auto& t : targets) {
        const auto label = target_label(t);
        if (auto s = audit.last_success(t); s && !s->empty()) {
            e.add("backupctl_last_success_timestamp_seconds",
                  "gauge",
                  "When the target's last successful backup ended (Unix time).",
                  label,
                  domain::utc_timestamp(*s));
        }
        if (auto r = audit.last_run(t, "backup"); r && *r) {
            const auto& run = **r;
            e.add("backupctl_last_run_timestamp_seconds",
                  "gauge",
                  "When the target's last backup run ended (Unix time).",
                  label,
                  domain::utc_timestamp(run.finished_at));
            e.add("backupctl_last_run_duration_seconds",
                  "gauge",
                  "How long the target's last backup run took.",
                  label,
                  domain::seconds_between(run.started_at, run.finished_at));
            e.add("backupctl_last_run_bytes",
                  "gauge",
                  "Bytes the target's last backup run streamed into the repository.",
                  label,
                  static_cast<double>(run.bytes));
            e.add("backupctl_last_run_success",
                  "gauge",
                  "1 when the target's last backup run succeeded, else 0.",
                  label,
                  run.status == domain::RunStatus::success ? 1 : 0);
            e.add("backupctl_last_run_suspect",
                  "gauge",
                  "1 when the target's last backup run was stored but is suspect against its "
                  "history (docs/anomalies.md), else 0.",
                  label,
                  run.status == domain::RunStatus::suspect ? 1 : 0);
        }
        const auto mem = in.memory.find(t);
        if (mem != in.memory.end() && mem->second.snapshots >= 0) {
            e.add("backupctl_snapshots",
                  "gauge",
                  "Snapshots of the target in its repository after the last retention.",
                  label,
                  static_cast<double>(mem->second.snapshots));
        }
        const bool overdue = (mem != in.memory.end() && mem->second.overdue) ||
                             std::find(in.overdue.begin(), in.overdue.end(), t) != in.overdue.end();
        e.add("backupctl_overdue",
              "gauge",
              "1 when the target had no success within twice its schedule's interval.",
              label,
              overdue ? 1 : 0);
        if (auto d = audit.last_run(t, "verify"); d && *d) {
            const auto& run = **d;
            e.add("backupctl_last_drill_success",
                  "gauge",
                  "1 when the target's last restore drill passed, else 0.",
                  label,
                  run.status == domain::RunStatus::success ? 1 : 0);
            e.add("backupctl_last_drill_empty",
                  "gauge",
                  "1 when the target's last restore drill restored a database with no table or "
                  "no row (passed-empty: it proves nothing), else 0.",
                  label,
                  run.status == domain::RunStatus::passed_empty ? 1 : 0);
            e.add("backupctl_last_drill_timestamp_seconds",
                  "gauge",
                  "When the target's last restore drill ended (Unix time).",
                  label,
                  domain::utc_timestamp(run.finished_at));
            e.add("backupctl_last_drill_rto_seconds",
                  "gauge",
                  "How long the last drill's restore itself took (the recovery time measured).",
                  label,
                  drill_restore_seconds(audit, run.id));
        }
    }
    for (const auto& [name, subsets] : in.repositories) {
        // Up to N + 1 checks: enough to find the start of the current rotation.
        auto checks = audit.checks(name, subsets + 1);
        if (!checks || checks->empty())
            continue;
        const auto& last = checks->front();
        const std::string label = "repository=\"" + prometheus_label(name) + "\"";
        e.add("backupctl_repository_check_timestamp_seconds",
              "gauge",
              "When the repository's last check (restic check --read-data-subset) ended (Unix "
              "time).",
              label,
              domain::utc_timestamp(last.finished_at));
        e.add("backupctl_repository_check_ok",
              "gauge",
              "1 when the repository's last check passed, else 0 (prune and forget refuse it).",
              label,
              last.ok ? 1 : 0);
        e.add("backupctl_repository_check_read_fraction",
              "gauge",
              "The fraction of the repository's packs the current rotation of checks has read "
              "(1: all of it).",
              label,
              domain::rotation_read_fraction(*checks, subsets));
    }
    for (const auto& c : in.copies) {
        const auto copy_label = "repository=\"" + prometheus_label(c.source) + "\",copy_to=\"" +
                                prometheus_label(c.destination) + "\"";
        e.add("backupctl_copy_lag_seconds",
              "gauge",
              "Age of the oldest snapshot not yet copied to the repository's copy_to (0: none).",
              copy_label,
              static_cast<double>(c.lag_seconds));
        e.add("backupctl_copy_pending",
              "gauge",
              "Snapshots not yet copied to the repository's copy_to.",
              copy_label,
              c.pending);
        e.add("backupctl_copy_overdue",
              "gauge",
              "1 when the oldest snapshot not yet copied is older than copy_overdue.",
              copy_label,
              c.overdue() ? 1 : 0);
    }
    e.add("backupctl_audit_store_up",
          "gauge",
          "1 when the audit store answers, else 0.",
          "",
          in.audit_ok && counts ? 1 : 0);
    e.add("backupctl_audit_fallback_records",
          "gauge",
          "Audit records waiting in the fallback file for the store.",
          "",
          in.audit_fallback_records);
    e.add("backupctl_notification_queue_length",
          "gauge",
          "Alerts waiting in the outbox for a notifier that failed.",
          "",
          in.notification_queue);
    if (in.events_connected >= 0) {
        e.add("backupctl_events_stream_connected",
              "gauge",
              "1 while the daemon follows the engine's events stream.",
              "",
              in.events_connected);
    }
    return e.text();
}

}  // namespace bk::app
