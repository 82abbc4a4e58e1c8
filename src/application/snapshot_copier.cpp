#include "application/snapshot_copier.hpp"

#include <map>
#include <set>

#include "domain/snapshot_tags.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

SnapshotCopier::SnapshotCopier(const domain::OperatorConfig& config,
                               RepositoryLookup repositories,
                               domain::CopyLedger& ledger,
                               domain::AuditLog& audit,
                               domain::Logger& log,
                               Now now)
    : config_(config),
      repositories_(std::move(repositories)),
      ledger_(ledger),
      audit_(audit),
      log_(log),
      now_(now ? std::move(now) : Now([] { return domain::unix_now(); })) {}

Task<std::optional<CopyAttempt>> SnapshotCopier::after_run(domain::Target target,
                                                           std::string run_id,
                                                           std::vector<std::string> snapshot_ids) {
    const auto repo = config_.repositories.find(target.repository);
    if (repo == config_.repositories.end() || repo->second.copy_to.empty())
        co_return std::nullopt;
    const auto& destination = repo->second.copy_to;
    const auto made_at = domain::utc_now();
    for (const auto& id : snapshot_ids) {
        if (id.empty())
            continue;
        domain::PendingCopy p{id, target.repository, destination, run_id, target.name, made_at};
        if (auto r = ledger_.add_pending(p); !r)
            log_.warn("copy ledger: " + r.error().message);
    }
    domain::StepRecord step{run_id, "copy to " + destination, domain::utc_now()};
    const auto retention = target.retention;
    const auto name = target.name;
    // (g++ 12: no temporary of a non-trivial type in a co_await's arguments: named first)
    RetentionLookup keep = [name,
                            retention](const std::string& t) -> std::optional<domain::Retention> {
        if (t == name)
            return retention;
        return std::nullopt;
    };
    std::string source = target.repository;
    std::string to = destination;
    auto attempt = co_await copy_pair(std::move(source), std::move(to), std::move(keep));
    step.finished_at = domain::utc_now();
    step.outcome = attempt.ok ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    step.detail = attempt.detail;
    audit_.add_step(step);
    co_return attempt;
}

Task<std::vector<CopyAttempt>> SnapshotCopier::catch_up(std::string source,
                                                        RetentionLookup retention) {
    std::vector<CopyAttempt> out;
    for (const auto& [name, r] : config_.repositories) {
        if (r.copy_to.empty() || (!source.empty() && name != source))
            continue;
        out.push_back(co_await copy_pair(name, r.copy_to, retention));
    }
    co_return out;
}

Result<std::vector<domain::CopyLag>> SnapshotCopier::lags(const std::string& source) {
    auto rows = ledger_.pending({}, {});
    if (!rows)
        return rows.error();
    std::vector<domain::CopyLag> out;
    const auto now = now_();
    for (const auto& [name, r] : config_.repositories) {
        if (r.copy_to.empty() || (!source.empty() && name != source))
            continue;
        out.push_back(domain::copy_lag(name, r.copy_to, *rows, now, r.copy_overdue));
    }
    return out;
}

Task<void> SnapshotCopier::check_lags() {
    auto all = lags();
    if (!all) {
        log_.warn("copy ledger: " + all.error().message);
        co_return;
    }
    if (!observer_)
        co_return;
    for (auto& lag : *all)
        co_await observer_(std::move(lag));
}

Task<CopyAttempt> SnapshotCopier::copy_pair(std::string source,
                                            std::string destination,
                                            RetentionLookup retention) {
    CopyAttempt a;
    a.source = source;
    a.destination = destination;
    auto pending = ledger_.pending(source, destination);
    if (!pending) {
        a.detail = "copy ledger: " + pending.error().message;
    } else if (pending->empty()) {
        a.ok = true;
        a.detail = "nothing pending";
    } else {
        std::set<std::string> targets;
        for (const auto& p : *pending)
            targets.insert(p.target);
        auto from = co_await repositories_(source);
        // (g++ 12: no co_await inside a conditional expression)
        Result<domain::BackupRepository*> to = Failure{errc::internal, "not looked up"};
        if (from)
            to = co_await repositories_(destination);
        else
            to = from.error();
        if (!from || !to) {
            a.detail = (!from ? from.error() : to.error()).message;
        } else {
            a.ok = true;
            std::vector<std::string> lines;
            const auto dest_cfg = config_.repositories.find(destination);
            const bool append_only = dest_cfg != config_.repositories.end() &&
                                     dest_cfg->second.append_only &&
                                     !dest_cfg->second.has_maintenance;
            for (const auto& t : targets) {
                const std::vector<std::string> group{domain::snapshot_tag("target", t)};
                const auto started = domain::utc_now();
                auto copied = co_await (*to)->copy_from(**from, group);
                if (!copied) {
                    a.ok = false;
                    lines.push_back(t + ": " + copied.error().message);
                    continue;
                }
                a.copied += copied->copied;
                a.skipped += copied->skipped;
                if (auto r =
                        ledger_.mark_copied(source, destination, t, started, domain::utc_now());
                    !r) {
                    log_.warn("copy ledger: " + r.error().message);
                }
                std::string line = t + ": " + std::to_string(copied->copied) + " copied";
                // The copy keeps what the source keeps: the same policy on the same group.
                const auto keep = retention ? retention(t) : std::nullopt;
                if (append_only) {
                    line += ", retention delegated (" + destination + " is append-only)";
                } else if (!keep) {
                    line += ", retention there with the target's next run";
                } else {
                    auto forgot =
                        co_await forget_in(repositories_, config_, destination, **to, group, *keep);
                    line += forgot ? ", retention " + keep->to_string() +
                                         (*forgot >= 0 ? " (" + std::to_string(*forgot) + " kept)"
                                                       : std::string{})
                                   : ", retention failed: " + forgot.error().message;
                }
                lines.push_back(std::move(line));
            }
            for (const auto& l : lines)
                a.detail += (a.detail.empty() ? "" : "; ") + l;
        }
    }
    if (!a.ok) {
        log_.warn("copy " + source + " -> " + destination + " failed: " + a.detail);
        if (auto r = ledger_.mark_failed(source, destination, a.detail); !r)
            log_.warn("copy ledger: " + r.error().message);
    }
    if (observer_) {
        if (auto all = lags(source); all) {
            for (auto& lag : *all)
                co_await observer_(std::move(lag));
        }
    }
    co_return a;
}

}  // namespace bk::app
