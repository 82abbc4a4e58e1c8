#include "domain/copy_plan.hpp"

#include <algorithm>
#include <set>

#include "domain/utc_time.hpp"

namespace bk::domain {

CopyLag copy_lag(const std::string& source,
                 const std::string& destination,
                 const std::vector<PendingCopy>& rows,
                 std::int64_t now,
                 std::chrono::seconds overdue_after) {
    CopyLag lag;
    lag.source = source;
    lag.destination = destination;
    lag.overdue_after = overdue_after;
    std::int64_t oldest = -1;
    for (const auto& r : rows) {
        if (r.source != source || r.destination != destination || !r.copied_at.empty())
            continue;
        ++lag.pending;
        const auto made = parse_utc(r.made_at);
        // An unreadable time counts as now: never a lag made up from a bad row.
        const auto at = made < 0 ? now : made;
        if (oldest < 0 || at < oldest) {
            oldest = at;
            lag.oldest_made_at = r.made_at;
        }
        if (!r.last_error.empty())
            lag.last_error = r.last_error;
    }
    if (oldest >= 0)
        lag.lag_seconds = std::max<std::int64_t>(0, now - oldest);
    return lag;
}

std::vector<CopyProblem> copy_problems(const std::map<std::string, RepositoryConfig>& repos) {
    std::vector<CopyProblem> out;
    for (const auto& [name, r] : repos) {
        if (r.copy_to.empty())
            continue;
        if (r.copy_to == name) {
            out.push_back({name, "copy_to names the repository itself"});
            continue;
        }
        const auto dest = repos.find(r.copy_to);
        if (dest == repos.end()) {
            std::string known;
            for (const auto& [n, unused] : repos)
                known += (known.empty() ? "" : ", ") + n;
            out.push_back(
                {name, "copy_to: \"" + r.copy_to + "\" is not a repository (" + known + ")"});
            continue;
        }
        // A cycle: following copy_to from here comes back here.
        std::set<std::string> seen{name};
        for (auto at = dest; at != repos.end() && !at->second.copy_to.empty();
             at = repos.find(at->second.copy_to)) {
            if (!seen.insert(at->first).second || at->second.copy_to == name) {
                out.push_back({name,
                               "copy_to makes a cycle (" + name + " -> " + r.copy_to +
                                   " -> ... -> " + name + ")"});
                break;
            }
        }
        const auto& d = dest->second;
        if (r.url.starts_with("sftp:") && d.url.starts_with("sftp:")) {
            out.push_back({name,
                           "copy_to: both " + name + " and " + r.copy_to +
                               " are sftp: repositories; restic 0.14 runs a copy with one "
                               "`-o sftp.command` for both, so one of them must be another "
                               "backend (rest:, s3:, a path)"});
        }
        for (const auto& [k, v] : r.env) {
            auto other = d.env.find(k);
            if (other != d.env.end() && other->second.reveal() != v.reveal()) {
                out.push_back({name,
                               "copy_to: " + name + " and " + r.copy_to +
                                   " set different values of " + k +
                                   "; restic runs a copy with one environment for both, so they "
                                   "must share it (or put the credentials in the url)"});
            }
        }
    }
    return out;
}

}  // namespace bk::domain
