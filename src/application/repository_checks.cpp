#include "application/repository_checks.hpp"

#include "core/random.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

const char* to_string(CheckOutcome::Kind k) {
    switch (k) {
        case CheckOutcome::Kind::passed:
            return "passed";
        case CheckOutcome::Kind::failed:
            return "failed";
        case CheckOutcome::Kind::busy:
            return "busy";
        case CheckOutcome::Kind::error:
            return "error";
    }
    return "error";
}

std::optional<std::string> maintenance_refused(domain::AuditLog& audit,
                                               const std::string& repository) {
    auto last = audit.checks(repository, 1);
    if (!last || last->empty())
        return std::nullopt;
    return domain::maintenance_refusal(repository, last->front());
}

RepositoryChecks::RepositoryChecks(const domain::OperatorConfig& config,
                                   RepositoryLookup repositories,
                                   domain::AuditLog& audit,
                                   domain::Logger& log,
                                   domain::UtcOffset zone,
                                   Now now)
    : config_(config),
      repositories_(std::move(repositories)),
      audit_(audit),
      log_(log),
      zone_(std::move(zone)),
      now_(std::move(now)) {
    if (!now_)
        now_ = domain::unix_now;
    if (!zone_)
        zone_ = [](std::int64_t) { return std::int64_t{0}; };
}

RepositoryCheckState RepositoryChecks::state_of(const std::string& name,
                                                const domain::RepositoryConfig& repo) const {
    RepositoryCheckState s;
    s.repository = name;
    s.cron = repo.check_cron;
    s.subsets = repo.check_subsets;
    const auto now = now_();
    auto history = audit_.checks(name, kCheckHistory);
    if (!history) {
        s.error = history.error().message;
    } else {
        if (!history->empty())
            s.last = history->front();
        s.next_subset = domain::next_subset(s.last, s.subsets);
        s.read_fraction = domain::rotation_read_fraction(*history, s.subsets);
    }
    if (s.cron != "off") {
        if (auto cron = domain::parse_cron(s.cron)) {
            s.next_due = domain::next_due(*cron, now, zone_);
            if (s.last) {
                const auto finished = domain::parse_utc(s.last->finished_at);
                s.overdue = domain::check_overdue(
                    finished, domain::interval_after(*cron, finished, zone_), now);
            }
        }
    }
    return s;
}

Result<std::vector<RepositoryCheckState>> RepositoryChecks::states(
    const std::vector<std::string>& names) const {
    std::vector<RepositoryCheckState> out;
    if (names.empty()) {
        for (const auto& [name, repo] : config_.repositories)
            out.push_back(state_of(name, repo));
        return out;
    }
    for (const auto& name : names) {
        auto it = config_.repositories.find(name);
        if (it == config_.repositories.end())
            return Failure{errc::not_found, "no repository named " + name + " in the config"};
        out.push_back(state_of(name, it->second));
    }
    return out;
}

Task<CheckOutcome> RepositoryChecks::run(std::string name) {
    CheckOutcome out;
    out.repository = name;
    auto cfg = config_.repositories.find(name);
    if (cfg == config_.repositories.end()) {
        out.message = "no repository named " + name + " in the config";
        co_return out;
    }
    if (!running_.insert(name).second) {
        out.kind = CheckOutcome::Kind::busy;
        out.message = "a check of repository " + name + " is running already";
        co_return out;
    }
    struct Done {
        std::set<std::string>& set;
        std::string name;
        ~Done() { set.erase(name); }
    } done{running_, name};

    // The rotation comes from the store: without it the next subset is unknown, and a check
    // that cannot be recorded would not move it on nor block prune after a failure.
    auto history = audit_.checks(name, 1);
    if (!history) {
        out.message = "the audit store cannot be read (" + history.error().message +
                      "): no check of repository " + name + " now";
        co_return out;
    }
    const std::optional<domain::CheckRecord> last =
        history->empty() ? std::nullopt : std::optional(history->front());
    const int n = cfg->second.check_subsets;
    const int k = domain::next_subset(last, n);

    auto repo = co_await repositories_(name);
    if (!repo) {
        out.message = repo.error().message;
        co_return out;
    }
    domain::CheckRecord rec;
    rec.repository = name;
    rec.started_at = domain::utc_now();
    rec.subset = k;
    rec.subsets = n;
    auto id = random_hex(4);
    rec.id = "check-" + rec.started_at + "-" + (id ? *id : std::to_string(++sequence_));
    log_.info("checking repository " + name + ": subset " + std::to_string(k) + "/" +
              std::to_string(n));
    auto checked = co_await (*repo)->check(k, n);
    if (!checked) {
        out.kind = checked.error().code == errc::repo_locked ? CheckOutcome::Kind::busy
                                                             : CheckOutcome::Kind::error;
        out.message = checked.error().message;
        log_.warn("check of repository " + name + " did not run: " + out.message);
        co_return out;
    }
    rec.finished_at = domain::utc_now();
    rec.ok = checked->ok;
    rec.packs_read = checked->packs_read;
    rec.total_packs = checked->total_packs;
    rec.error = checked->error;
    out.record = rec;
    out.kind = rec.ok ? CheckOutcome::Kind::passed : CheckOutcome::Kind::failed;
    if (auto r = audit_.record_check(rec); !r) {
        log_.warn("check of repository " + name + ": not recorded (" + r.error().message + ")");
    }
    const std::string what = "check of repository " + name + ", subset " + std::to_string(k) + "/" +
                             std::to_string(n) + " (" + std::to_string(rec.packs_read) + " of " +
                             std::to_string(rec.total_packs) + " packs read)";
    if (rec.ok)
        log_.info(what + ": passed");
    else
        log_.error(what + ": FAILED: " + rec.error);
    if (alerting_ != nullptr)
        co_await alerting_->check_finished(rec, last && !last->ok);
    co_return out;
}

}  // namespace bk::app
