#pragma once
// Prometheus text exposition (version 0.0.4) of what the audit trail and the alert memory know:
// per target the last success, the last run's duration, bytes and result, snapshots kept, run
// totals by status, the overdue flag, the last restore drill and its RTO; per process the audit
// fallback and notification queue lengths and (in the daemon) whether the events stream is
// connected.

#include <map>
#include <string>
#include <vector>

#include "domain/copy_plan.hpp"
#include "domain/ports/alerting.hpp"
#include "domain/ports/bookkeeping.hpp"

namespace bk::app {

struct MetricsInput {
    std::vector<std::string> targets;  ///< known targets (besides those with runs)
    std::map<std::string, domain::AlertMemory> memory;
    std::vector<std::string> overdue;  ///< targets overdue now (the daemon's view)
    int audit_fallback_records{0};
    int notification_queue{0};
    int events_connected{-1};  ///< 1/0 in the daemon; -1: not exported (the CLI)
    bool audit_ok{true};
    /// The config's repositories with their check_subsets (N), for the check series.
    std::map<std::string, int> repositories;
    std::vector<domain::CopyLag> copies;  ///< every repository with copy_to
};

/// The whole exposition; audit reads that fail leave their series out.
std::string render_metrics(domain::AuditLog& audit, const MetricsInput& in);

/// A Prometheus label value: backslash, double quote and newline escaped.
std::string prometheus_label(const std::string& value);

}  // namespace bk::app
