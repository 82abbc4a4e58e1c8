#include "application/target_health.hpp"

#include <cstdio>

#include "application/daemon.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

std::optional<std::int64_t> overdue_interval(const domain::Target& t,
                                             const std::string& last_success,
                                             std::int64_t now,
                                             const domain::UtcOffset& zone) {
    if (t.cron.empty() || last_success.empty())
        return std::nullopt;
    auto cron = domain::parse_cron(t.cron);
    if (!cron)
        return std::nullopt;
    const auto interval = domain::interval_after(*cron, now, zone);
    const auto since = domain::parse_utc(last_success);
    if (interval > 0 && since > 0 && now - since > 2 * interval)
        return interval;
    return std::nullopt;
}

std::string hours_minutes(std::int64_t seconds) {
    char buf[64];
    std::snprintf(buf,
                  sizeof buf,
                  "%lldh%02lldm",
                  static_cast<long long>(seconds / 3600),
                  static_cast<long long>((seconds / 60) % 60));
    return buf;
}

namespace {

// The newest finished run of `kind` that says something: a run skipped because another process
// held the lock hides nothing.
std::optional<domain::RunRecord> last_telling_run(domain::AuditLog& audit,
                                                  const std::string& target,
                                                  const std::string& kind) {
    domain::RunQuery q;
    q.target = target;
    q.kind = kind;
    q.limit = 20;
    auto runs = audit.runs(q);
    if (!runs)
        return std::nullopt;
    for (auto& r : *runs) {
        if (r.status != domain::RunStatus::running && r.status != domain::RunStatus::skipped)
            return std::move(r);
    }
    return std::nullopt;
}

std::string run_failure(const domain::RunRecord& r, const char* what) {
    return std::string(what) + " " + domain::to_string(r.status) + " at " +
           (r.finished_at.empty() ? r.started_at : r.finished_at) + " (run " + r.id +
           (r.error.empty() ? ")" : "): " + r.error);
}

}  // namespace

std::vector<HealthFinding> target_findings(const std::vector<domain::Target>& targets,
                                           domain::AuditLog& audit,
                                           std::int64_t now,
                                           const domain::UtcOffset& zone) {
    std::vector<HealthFinding> out;
    for (const auto& t : targets) {
        if (!t.enabled)
            continue;
        const std::string check = "target " + t.name;
        const auto backup = last_telling_run(audit, t.name, "backup");
        if (t.stopped()) {
            std::string msg =
                "stopped since " +
                (t.stopped_since.empty() ? std::string("an unknown time") : t.stopped_since) +
                " (container " + t.container_name + " is " + t.container_state +
                "); no scheduled backup until it runs again";
            if (backup && domain::is_failed_run(backup->status))
                msg += "; its " + run_failure(*backup, "last backup");
            out.push_back({HealthFinding::Level::warn, check, msg});
            continue;
        }
        if (backup && domain::is_failed_run(backup->status)) {
            out.push_back({HealthFinding::Level::fail, check, run_failure(*backup, "last backup")});
        } else if (backup && backup->status == domain::RunStatus::suspect) {
            // Stored, not trusted: a human looks (docs/anomalies.md); not overdue.
            out.push_back({HealthFinding::Level::warn,
                           check,
                           "last backup " + backup->id + " is suspect (" + backup->error +
                               "); `backupctl accept " + backup->id + "` if that was expected"});
        } else if (auto last = audit.last_success(t.name); last) {
            if (auto interval = overdue_interval(t, *last, now, zone)) {
                out.push_back({HealthFinding::Level::fail,
                               check,
                               "overdue: last success " + *last + " (" +
                                   hours_minutes(now - domain::parse_utc(*last)) +
                                   " ago), due every " + hours_minutes(*interval)});
            }
        }
        if (t.database) {
            const auto drill = last_telling_run(audit, t.name, "verify");
            if (drill && domain::is_failed_run(drill->status)) {
                out.push_back(
                    {HealthFinding::Level::fail, check, run_failure(*drill, "last restore drill")});
            } else if (drill && drill->status == domain::RunStatus::passed_empty) {
                out.push_back({HealthFinding::Level::warn,
                               check,
                               "last restore drill " + drill->id +
                                   " restored an empty database: it proves nothing" +
                                   (drill->error.empty() ? "" : " (" + drill->error + ")")});
            }
        }
    }
    return out;
}

std::optional<HealthFinding> notifier_finding(const domain::OperatorConfig& config) {
    if (!config.notifiers.empty())
        return std::nullopt;
    return HealthFinding{HealthFinding::Level::warn,
                         "notifiers",
                         "none configured: a failed backup or drill is told to nobody (add one "
                         "under `notifiers:`, see docs/notifications.md)"};
}

}  // namespace bk::app
