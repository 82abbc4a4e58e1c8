#pragma once
// What backupctl tells a human: one alert per run outcome, overdue target, recovery, failed
// restore drill or daily summary. Plain values; the notifiers render them (Slack text, webhook
// JSON, e-mail), the outbox keeps the ones a notifier could not take yet.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bk::domain {

/// The events a notifier can be subscribed to.
inline constexpr std::string_view kAlertKinds[] = {"failure",
                                                   "success",
                                                   "overdue",
                                                   "recovered",
                                                   "drill_failed",
                                                   "drill_empty",
                                                   "summary",
                                                   "anomaly",
                                                   "check_failed",
                                                   "check_recovered",
                                                   "copy_overdue"};

struct Alert {
    std::string id;      ///< stable per event: a re-send carries the same id (receivers dedupe)
    std::string kind;    ///< one of kAlertKinds
    std::string target;  ///< empty for the summary
    std::string status;  ///< the run's: success | failed | partial | crashed; overdue | passed ...
    std::string run_id;
    std::string trigger;
    std::string at;  ///< ISO 8601 UTC, when it happened
    double seconds{0};
    std::uint64_t bytes{0};
    std::vector<std::string> snapshots;
    std::string error_stage;   ///< "dump shop", "pre-hook", "retention", ...
    std::string error;         ///< the error's last lines
    std::string last_success;  ///< overdue/recovered: ISO 8601 UTC or empty
    std::string details;       ///< the summary's lines (one per target)
};

/// Whether a notifier subscribed to `events` takes `kind`: empty means the default (failure,
/// overdue, drill_failed, drill_empty, anomaly, recovered, check_failed and check_recovered: a
/// problem and its end), "all" takes every kind, otherwise each kind is named.
bool wants(const std::vector<std::string>& events, std::string_view kind);

/// One line: "backupctl: shop-db backup FAILED at dump shop (12.3 s)".
std::string alert_title(const Alert& a);
/// Several lines for a human: the title's facts one per line, then the error tail.
std::string alert_text(const Alert& a);

/// The last `lines` lines of `text`, at most `max_bytes` bytes (cut at a line start).
std::string tail_lines(std::string_view text, int lines, std::size_t max_bytes);

}  // namespace bk::domain
