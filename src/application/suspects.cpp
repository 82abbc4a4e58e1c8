#include "application/suspects.hpp"

#include "application/repository_checks.hpp"
#include "domain/snapshot_tags.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {
namespace {

/// Ids match when one is a prefix of the other (short ids after a backup, full ones listed).
bool same_id(const std::string& a, const std::string& b) {
    if (a.size() < 8 || b.size() < 8)
        return false;
    return a.size() <= b.size() ? b.starts_with(a) : a.starts_with(b);
}

std::vector<std::string> split_ids(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        auto id =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!id.empty())
            out.push_back(std::move(id));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

}  // namespace

Task<Judgement> judge_dumps(domain::AuditLog& audit,
                            domain::BackupRepository& repo,
                            const domain::Target& target,
                            const std::string& run_id,
                            std::vector<StoredDump> stored) {
    Judgement j;
    if (stored.empty())
        co_return j;
    domain::StepRecord step{run_id, "anomalies", domain::utc_now()};
    std::vector<std::string> notes;
    if (target.anomaly.off()) {
        notes.push_back("not judged: the target's anomaly policy is off");
    }
    for (auto& s : stored) {
        if (target.anomaly.off())
            break;
        auto& item = *s.item;
        auto history = audit.normal_dumps(target.name, item.database, kAnomalyHistory);
        if (!history) {
            notes.push_back(item.database + ": not judged, the history is unreadable (" +
                            history.error().message + ")");
            continue;
        }
        if (history->empty()) {
            notes.push_back(item.database + ": no earlier normal dump, this one is the baseline");
            continue;
        }
        auto found = domain::find_anomalies(s.figures, *history, target.anomaly);
        if (found.empty()) {
            notes.push_back(item.database + ": as expected against run " + history->front().run_id);
            continue;
        }
        for (const auto& f : found)
            j.anomalies.push_back(item.database + ": " + f);
        // Its own retention group from now on: it never counts toward keep.
        std::vector<std::string> add{std::string(domain::kSuspectTag)};
        auto tagged = co_await repo.retag(item.snapshot_id, std::move(add), {});
        if (!tagged) {
            const auto why = "snapshot " + item.snapshot_id + " of " + item.database +
                             " could not be tagged suspect: " + tagged.error().message;
            j.untagged += (j.untagged.empty() ? "" : "; ") + why;
            notes.push_back(why);
            continue;
        }
        const auto old_id = item.snapshot_id;
        item.snapshot_id = tagged->substr(0, std::min<std::size_t>(8, tagged->size()));
        (void)audit.rename_snapshot(old_id, *tagged);
        notes.push_back(item.database + ": suspect, snapshot " + old_id + " tagged " +
                        domain::kSuspectTag + " (now " + item.snapshot_id + ")");
    }
    step.finished_at = domain::utc_now();
    step.outcome = j.anomalies.empty() ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    for (const auto& a : j.anomalies)
        step.detail += (step.detail.empty() ? "" : "; ") + a;
    for (const auto& n : notes)
        step.detail += (step.detail.empty() ? "" : "; ") + n;
    audit.add_step(step);
    co_return j;
}

Task<Result<AcceptReport>> accept_run(domain::AuditLog& audit,
                                      const RepositoryLookup& repositories,
                                      const domain::OperatorConfig& config,
                                      const domain::Target& target,
                                      std::string run_id,
                                      std::string who) {
    auto found = audit.run(run_id);
    if (!found)
        co_return found.error();
    if (!*found)
        co_return Failure{errc::not_found, "no run " + run_id + " (see `backupctl history`)"};
    auto run = **found;
    if (run.kind != "backup" || run.status != domain::RunStatus::suspect) {
        co_return Failure{errc::conflict,
                          "run " + run_id + " is a " + run.kind + " run that ended " +
                              domain::to_string(run.status) +
                              ": only a suspect backup is accepted"};
    }
    if (run.target != target.name) {
        co_return Failure{errc::conflict,
                          "run " + run_id + " is of target " + run.target + ", not " + target.name};
    }
    auto repo = co_await repositories(target.repository);
    if (!repo)
        co_return repo.error();
    std::vector<std::string> tags{domain::snapshot_tag("target", target.name),
                                  std::string(domain::kSuspectTag)};
    auto suspects = co_await (*repo)->snapshots(std::move(tags));
    if (!suspects)
        co_return suspects.error();
    AcceptReport report;
    auto ids = split_ids(run.snapshots);
    for (const auto& s : *suspects) {
        auto it = std::find_if(
            ids.begin(), ids.end(), [&](const std::string& id) { return same_id(id, s.full_id); });
        if (it == ids.end())
            continue;
        std::vector<std::string> remove{std::string(domain::kSuspectTag)};
        auto untagged = co_await (*repo)->retag(s.full_id, {}, std::move(remove));
        if (!untagged)
            co_return untagged.error();
        (void)audit.rename_snapshot(s.full_id, *untagged);
        report.lines.push_back("snapshot " + s.id + " untagged (now " + untagged->substr(0, 8) +
                               ")");
        *it = untagged->substr(0, 8);
    }
    std::string joined;
    for (const auto& id : ids)
        joined += (joined.empty() ? "" : ",") + id;
    run.snapshots = joined;
    run.status = domain::RunStatus::success;
    run.error.clear();
    if (auto r = audit.finish_run(run); !r)
        co_return r.error();
    domain::StepRecord step{run_id, "accepted", domain::utc_now()};
    step.finished_at = step.started_at;
    step.detail = "accepted by " + who + ": a normal run now, the baseline of the next comparison";
    audit.add_step(step);
    report.lines.push_back("run " + run_id + " is success now: the baseline of the next run");

    // Retention, which the suspect snapshot's own group kept out of the target's, proceeds.
    domain::StepRecord ret{run_id, "retention", domain::utc_now()};
    const auto rc = config.repositories.find(target.repository);
    if (rc != config.repositories.end() && rc->second.append_only && !rc->second.has_maintenance) {
        ret.outcome = domain::StepOutcome::skipped;
        ret.detail = "delegated: repository " + target.repository + " is append-only";
        report.retention = domain::RetentionOutcome::delegated;
    } else if (auto refused = maintenance_refused(audit, target.repository)) {
        ret.outcome = domain::StepOutcome::skipped;
        ret.detail = "refused: " + *refused;
        report.retention = domain::RetentionOutcome::skipped;
    } else {
        std::vector<std::string> group{domain::snapshot_tag("target", target.name)};
        auto forgot = co_await forget_in(
            repositories, config, target.repository, **repo, std::move(group), target.retention);
        ret.outcome = forgot ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        ret.detail = forgot
                         ? target.retention.to_string() +
                               (*forgot >= 0 ? ", " + std::to_string(*forgot) + " snapshot(s) kept"
                                             : std::string{})
                         : forgot.error().message;
        report.retention = forgot ? domain::RetentionOutcome::ok : domain::RetentionOutcome::failed;
    }
    ret.finished_at = domain::utc_now();
    audit.add_step(ret);
    report.lines.push_back("retention: " + ret.detail);
    co_return report;
}

}  // namespace bk::app
