#include "domain/repository_check.hpp"

#include <algorithm>
#include <regex>

namespace bk::domain {

CheckCounts parse_check_counts(const std::string& out) {
    // restic 0.14: "read group #k of P data packs (out of total T packs in N groups)".
    static const std::regex group(
        R"(read group #\d+ of (\d+) data packs \(out of total (\d+) packs in \d+ groups\))");
    CheckCounts c;
    std::smatch m;
    if (std::regex_search(out, m, group)) {
        c.packs_read = std::stoll(m[1].str());
        c.total_packs = std::stoll(m[2].str());
    }
    return c;
}

int next_subset(const std::optional<CheckRecord>& last, int subsets) {
    if (subsets < 1)
        return 1;
    if (!last || last->subsets != subsets || last->subset < 1 || last->subset > subsets)
        return 1;
    if (!last->ok)
        return last->subset;
    return last->subset % subsets + 1;
}

double rotation_read_fraction(const std::vector<CheckRecord>& newest_first, int subsets) {
    std::int64_t read = 0;
    std::int64_t total = -1;
    int expect = 0;  // the subset the next older passed check of this rotation must have
    for (const auto& c : newest_first) {
        if (!c.ok)
            continue;  // a failure is read again by the next check: it adds nothing
        if (c.subsets != subsets)
            break;
        if (expect == 0) {
            expect = c.subset;
            total = c.total_packs;
        }
        if (c.subset != expect)
            break;
        read += std::max<std::int64_t>(0, c.packs_read);
        if (--expect < 1)
            break;
    }
    if (total <= 0)
        return 0;
    return std::min(1.0, static_cast<double>(read) / static_cast<double>(total));
}

std::optional<std::string> maintenance_refusal(const std::string& repository,
                                               const std::optional<CheckRecord>& last) {
    if (!last || last->ok)
        return std::nullopt;
    std::string why = last->error;
    if (auto nl = why.find('\n'); nl != std::string::npos)
        why = why.substr(0, nl);  // restic names the damage first, "Fatal: ..." comes last
    return "repository " + repository + ": its last check (" + last->finished_at + ", subset " +
           std::to_string(last->subset) + "/" + std::to_string(last->subsets) + ") failed" +
           (why.empty() ? std::string{} : " (" + why + ")") +
           "; forget and prune wait until a check passes: repair the repository, then run "
           "`backupctl check --now " +
           repository + "`";
}

bool check_overdue(std::int64_t last_finished, std::int64_t interval_seconds, std::int64_t now) {
    if (interval_seconds <= 0)
        return false;
    if (last_finished < 0)
        return false;  // never checked: a warning of its own
    return now - last_finished > 2 * interval_seconds;
}

}  // namespace bk::domain
