#include "domain/alert.hpp"

#include <algorithm>
#include <cstdio>

#include "domain/human.hpp"
#include "domain/run_status.hpp"

namespace bk::domain {

bool wants(const std::vector<std::string>& events, std::string_view kind) {
    // The default: whatever needs a human (a failure, a silence, a failed drill) and its end.
    if (events.empty()) {
        return kind == "failure" || kind == "overdue" || kind == "drill_failed" ||
               kind == "drill_empty" || kind == "anomaly" || kind == "recovered" ||
               kind == "check_failed" || kind == "check_recovered" || kind == "copy_overdue";
    }
    return std::any_of(events.begin(), events.end(), [kind](const std::string& e) {
        return e == kind || e == "all";
    });
}

namespace {
std::string secs(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}
std::string upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return s;
}
}  // namespace

std::string alert_title(const Alert& a) {
    if (a.kind == "summary")
        return "backupctl: daily summary";
    if (a.kind == "test")
        return "backupctl: test notification";
    if (a.kind == "overdue") {
        return "backupctl: " + a.target + " is OVERDUE" +
               (a.last_success.empty() ? std::string(" (never backed up)")
                                       : " (last success " + a.last_success + ")");
    }
    if (a.kind == "anomaly") {
        return "backupctl: " + a.target +
               " backup SUSPECT: stored, but it differs sharply from its history (" +
               secs(a.seconds) + ")";
    }
    // A copy's alerts name the pair "source -> destination" as their target.
    if (a.kind == "copy_overdue") {
        return "backupctl: copy " + a.target + " is OVERDUE" +
               (a.last_success.empty() ? std::string{}
                                       : " (oldest pending " + a.last_success + ")");
    }
    if (a.kind == "recovered" && a.status == "caught_up")
        return "backupctl: copy " + a.target + " CAUGHT UP";
    if (a.kind == "recovered")
        return "backupctl: " + a.target + " RECOVERED, backup succeeded";
    // A repository's check: the alert's target is the repository.
    if (a.kind == "check_failed")
        return "backupctl: repository " + a.target + " check FAILED (" + a.status + ")";
    if (a.kind == "check_recovered")
        return "backupctl: repository " + a.target + " check PASSED again (" + a.status + ")";
    if (a.kind == "drill_empty") {
        return "backupctl: " + a.target +
               " restore drill PROVES NOTHING: the database had no tables or rows";
    }
    if (a.kind == "drill_failed") {
        return "backupctl: " + a.target + " restore drill FAILED" +
               (a.error_stage.empty() ? std::string{} : " at " + a.error_stage);
    }
    std::string t = "backupctl: " + a.target + " backup " + upper(a.status);
    // The alert carries the run's status as its word (it is sent as is).
    if (!a.error_stage.empty() && parse_run_status(a.status) != RunStatus::success)
        t += " at " + a.error_stage;
    return t + " (" + secs(a.seconds) + ")";
}

std::string alert_text(const Alert& a) {
    std::string out = alert_title(a) + "\n";
    auto line = [&out](const char* name, const std::string& v) {
        if (!v.empty())
            out += std::string(name) + ": " + v + "\n";
    };
    if (a.kind == "summary") {
        out += a.details;
        return out;
    }
    line("target", a.target);
    line("status", a.status);
    line("run", a.run_id);
    line("trigger", a.trigger);
    line("at", a.at);
    if (a.seconds > 0)
        line("duration", secs(a.seconds));
    if (a.bytes > 0)
        line("size", human_bytes(a.bytes));
    std::string snaps;
    for (const auto& s : a.snapshots)
        snaps += (snaps.empty() ? "" : ", ") + s;
    line("snapshots", snaps);
    line("last success", a.last_success);
    line("failed at", a.error_stage);
    if (!a.error.empty())
        out += "error:\n" + a.error + (a.error.back() == '\n' ? "" : "\n");
    if (!a.details.empty())
        out += a.details;
    return out;
}

std::string tail_lines(std::string_view text, int lines, std::size_t max_bytes) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.remove_suffix(1);
    std::size_t start = text.size();
    for (int n = 0; n < lines && start > 0; ++n) {
        const auto nl = text.rfind('\n', start - 1);
        start = nl == std::string_view::npos ? 0 : nl;
    }
    if (start > 0)
        ++start;  // after the newline
    auto out = text.substr(start);
    if (out.size() > max_bytes) {
        const bool at_line_start = text[text.size() - max_bytes - 1] == '\n';
        out = out.substr(out.size() - max_bytes);
        if (const auto nl = out.find('\n'); !at_line_start && nl != std::string_view::npos) {
            out = out.substr(nl + 1);  // no half line
        }
    }
    return std::string(out);
}

}  // namespace bk::domain
