#include "application/snapshot_listing.hpp"

#include <algorithm>
#include <map>

#include "application/daemon.hpp"
#include "domain/restore_plan.hpp"
#include "domain/snapshot_tags.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {
namespace {

// restic reports short ids after a backup and full ids in listings: one is a prefix of the other.
bool same_snapshot(const std::string& a, const std::string& b) {
    if (a == b)
        return !a.empty();
    if (a.size() < 8 || b.size() < 8)
        return false;
    const auto n = std::min(a.size(), b.size());
    return a.compare(0, n, b, 0, n) == 0;
}

std::vector<std::string> split_ids(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',') {
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

// Enough runs to cover any retention; the newest first.
std::vector<domain::RunRecord> runs_of(domain::AuditLog* audit,
                                       const std::string& target,
                                       const std::string& kind) {
    if (audit == nullptr)
        return {};
    domain::RunQuery q;
    q.target = target;
    q.kind = kind;
    q.limit = 5000;
    auto rs = audit->runs(q);
    return rs ? std::move(*rs) : std::vector<domain::RunRecord>{};
}

bool holds(const domain::RunRecord& r, const domain::SnapshotInfo& s) {
    for (const auto& id : split_ids(r.snapshots)) {
        if (same_snapshot(id, s.full_id.empty() ? s.id : s.full_id))
            return true;
    }
    return false;
}

}  // namespace

std::string human_utc(const std::string& iso) {
    if (iso.size() == 20 && iso[10] == 'T' && iso[19] == 'Z')
        return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
    return iso;
}

std::vector<SnapshotEntry> describe_snapshots(const std::vector<domain::SnapshotInfo>& snapshots,
                                              domain::AuditLog* audit,
                                              const std::string& target) {
    const auto backups = runs_of(audit, target, "backup");
    const auto drills = runs_of(audit, target, "verify");
    const domain::UtcOffset utc = [](std::int64_t) { return std::int64_t{0}; };
    std::vector<std::pair<std::int64_t, SnapshotEntry>> out;
    for (const auto& s : snapshots) {
        SnapshotEntry e;
        const auto& sid = s.full_id.empty() ? s.id : s.full_id;
        e.id = s.id;
        e.full_id = s.full_id;
        const auto when = domain::parse_time(s.time, utc);
        e.time = when ? domain::format_utc(*when) : s.time;
        const auto kind = domain::snapshot_tag_value(s.tags, "kind");
        e.kind = kind == "db" ? "database" : kind == "files" ? "files" : "unknown";
        e.item = kind == "db" ? domain::snapshot_tag_value(s.tags, "db")
                              : domain::snapshot_tag_value(s.tags, "path");
        if (e.item.empty() && !s.paths.empty())
            e.item = s.paths.front();
        e.tags = s.tags;
        std::vector<std::string> why;  // of a suspect
        const bool safety =
            std::find(s.tags.begin(), s.tags.end(), domain::kSafetyTag) != s.tags.end();
        const auto run = std::find_if(
            backups.begin(), backups.end(), [&s](const auto& r) { return holds(r, s); });
        if (run != backups.end()) {
            e.run_id = run->id;
            if (auto steps = audit->steps(run->id)) {
                for (const auto& st : *steps) {
                    const std::string prefix = "snapshot ";
                    if (st.outcome == domain::StepOutcome::ok && st.detail.rfind(prefix, 0) == 0 &&
                        same_snapshot(st.detail.substr(prefix.size()), sid)) {
                        e.bytes = st.bytes;
                    }
                }
            }
            if (!e.bytes) {
                // A snapshot re-tagged since (suspect, accepted) has its size in its contents.
                if (auto c = audit->contents(s.full_id); c && *c && (*c)->bytes > 0)
                    e.bytes = (*c)->bytes;
            }
            if (run->status == domain::RunStatus::suspect) {
                why.push_back("its run " + run->id +
                              " differs sharply from the target's history (" + run->error +
                              "); `backupctl accept " + run->id + "` if that was expected");
            }
            if (run->status == domain::RunStatus::failed ||
                run->status == domain::RunStatus::crashed) {
                why.push_back("its run " + run->id + " ended " + domain::to_string(run->status) +
                              (run->error.empty() ? "" : ": " + run->error));
            }
        }
        // The newest drill that restored it (runs come newest first).
        const auto drill =
            std::find_if(drills.begin(), drills.end(), [&s](const auto& r) { return holds(r, s); });
        if (drill != drills.end() && drill->status == domain::RunStatus::failed) {
            why.push_back("its drill " + drill->id + " failed" +
                          (drill->error.empty() ? "" : ": " + drill->error));
        }
        if (safety) {
            e.marks.emplace_back("safety");
            e.why = "a restore's safety backup of the target, taken before it wrote";
        }
        if (!why.empty())
            e.marks.emplace_back("suspect");
        for (const auto& w : why)
            e.why += (e.why.empty() ? "" : "; ") + w;
        out.emplace_back(when.value_or(0), std::move(e));
    }
    std::stable_sort(
        out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<SnapshotEntry> entries;
    entries.reserve(out.size());
    for (auto& [t, e] : out)
        entries.push_back(std::move(e));
    return entries;
}

}  // namespace bk::app
