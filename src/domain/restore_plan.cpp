#include "domain/restore_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "domain/snapshot_tags.hpp"

namespace bk::domain {
namespace {

std::string tag_value(const SnapshotInfo& s, std::string_view key) {
    return snapshot_tag_value(s.tags, key);
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = m > 2 ? m - 3 : m + 9;
    const unsigned doy = (153 * mp + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_time(std::string_view text, const UtcOffset& offset) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
    const std::string t(text);
    if (std::sscanf(t.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10) {
        return std::nullopt;
    }
    std::size_t i = 10;
    if (i < t.size() && (t[i] == 'T' || t[i] == ' ')) {
        int n = 0;
        if (std::sscanf(t.c_str() + i + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5) {
            return std::nullopt;
        }
        i += 1 + 5;
        if (i < t.size() && t[i] == ':') {
            if (std::sscanf(t.c_str() + i + 1, "%2d%n", &s, &n) != 1 || n != 2)
                return std::nullopt;
            i += 3;
        }
        if (i < t.size() && t[i] == '.') {
            ++i;
            while (i < t.size() && t[i] >= '0' && t[i] <= '9')
                ++i;
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    const std::int64_t wall =
        days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
        std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + s;
    if (i == t.size()) {
        // Local time of the configured zone: the offset of the instant it names.
        const auto guess = wall - offset(wall);
        return wall - offset(guess);
    }
    if (t[i] == 'Z' && i + 1 == t.size())
        return wall;
    int oh = 0, om = 0, n = 0;
    if ((t[i] == '+' || t[i] == '-') &&
        std::sscanf(t.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &n) == 2 &&
        i + 1 + static_cast<std::size_t>(n) == t.size()) {
        const std::int64_t off =
            (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (t[i] == '-' ? -1 : 1);
        return wall - off;
    }
    return std::nullopt;
}

ChosenPoints choose_points(const std::vector<SnapshotInfo>& snapshots,
                           const std::string& target,
                           const SnapshotChoice& choice) {
    ChosenPoints out;
    const UtcOffset utc = [](std::int64_t) { return std::int64_t{0}; };
    auto point_of = [](const SnapshotInfo& s) {
        RestorePoint p;
        p.kind = tag_value(s, "kind");
        p.name = p.kind == "files" ? tag_value(s, "path") : tag_value(s, "db");
        p.key = tag_value(s, "gpg");
        p.snapshot = s;
        return p;
    };
    auto wanted = [&choice](const RestorePoint& p) {
        if (p.kind != "db" && p.kind != "files")
            return false;
        if (!choice.only.empty() && p.kind != choice.only)
            return false;
        if (!choice.database.empty() && (p.kind != "db" || p.name != choice.database))
            return false;
        return true;
    };
    std::vector<const SnapshotInfo*> own;
    for (const auto& s : snapshots) {
        if (tag_value(s, "target") == target)
            own.push_back(&s);  // never another target's
    }
    if (!choice.snapshot.empty() && choice.snapshot != "latest") {
        for (const auto* s : own) {
            if (s->id.rfind(choice.snapshot, 0) == 0 || s->full_id.rfind(choice.snapshot, 0) == 0) {
                out.points.push_back(point_of(*s));
                return out;
            }
        }
        out.error = "snapshot " + choice.snapshot + " is not a snapshot of " + target +
                    " (see `backupctl snapshots " + target + "`)";
        return out;
    }
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, RestorePoint>> newest;
    for (const auto* s : own) {
        auto p = point_of(*s);
        if (!wanted(p))
            continue;
        // A restore's safety backup is restored only by its id.
        if (std::find(s->tags.begin(), s->tags.end(), "pre-restore") != s->tags.end())
            continue;
        const auto when = parse_time(s->time, utc);
        if (!when)
            continue;
        if (choice.at && *when > *choice.at)
            continue;
        auto key = std::make_pair(p.kind, p.name);
        auto it = newest.find(key);
        if (it == newest.end() || it->second.first <= *when) {
            newest[key] = {*when, std::move(p)};
        }
    }
    for (auto& [k, v] : newest)
        out.points.push_back(std::move(v.second));
    // Databases first, then files.
    std::stable_sort(out.points.begin(), out.points.end(), [](const auto& a, const auto& b) {
        return a.kind == "db" && b.kind != "db";
    });
    if (out.points.empty()) {
        out.error = "no snapshot of " + target;
        if (!choice.only.empty())
            out.error += " of kind " + choice.only;
        if (!choice.database.empty())
            out.error += " of database " + choice.database;
        if (choice.at)
            out.error += " at or before the given time";
    }
    return out;
}

}  // namespace bk::domain
