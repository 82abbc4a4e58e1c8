#include "application/restore_cleanup.hpp"

#include "application/restore.hpp"

namespace bk::app {
namespace {

// Empty when the audit trail says a finished restore of `target` made `copy`; else why not.
std::string unproven(domain::AuditLog& audit,
                     const domain::RestoredCopy& copy,
                     const std::string& target) {
    if (copy.run_id.empty()) {
        return "it names no restore run (made by an older backupctl, or not by a restore)";
    }
    auto run = audit.run(copy.run_id);
    if (!run) {
        return "the audit trail cannot be read: " + run.error().message;
    }
    if (!*run || (*run)->kind != "restore" || (*run)->target != target) {
        return "no restore of " + target + " recorded here has run id " + copy.run_id;
    }
    if ((*run)->status == domain::RunStatus::running) {
        return "its restore (run " + copy.run_id + ") is still running";
    }
    auto steps = audit.steps(copy.run_id);
    if (!steps) {
        return "the audit trail cannot be read: " + steps.error().message;
    }
    const auto made = new_container_detail(copy.name, copy.container_id);
    for (const auto& s : *steps) {
        if (s.name == "new container" && s.detail.starts_with(made))
            return {};
    }
    return "restore run " + copy.run_id + " made another container, not this one";
}

}  // namespace

Task<Result<std::vector<CleanupCandidate>>> plan_cleanup(domain::RestoredCopies& copies,
                                                         domain::AuditLog& audit,
                                                         std::string target) {
    auto found = co_await copies.list(target);
    if (!found) {
        co_return found.error();
    }
    std::vector<CleanupCandidate> plan;
    for (auto& copy : *found) {
        CleanupCandidate c;
        c.reason = unproven(audit, copy, target);
        c.removable = c.reason.empty();
        c.copy = std::move(copy);
        plan.push_back(std::move(c));
    }
    co_return plan;
}

std::string to_string(CopyFate f) {
    switch (f) {
        case CopyFate::removed:
            return "removed";
        case CopyFate::kept:
            return "kept";
        case CopyFate::failed:
            break;
    }
    return "failed";
}

Task<std::vector<CleanupOutcome>> clean_up(domain::RestoredCopies& copies,
                                           std::vector<CleanupCandidate> plan) {
    std::vector<CleanupOutcome> out;
    for (auto& c : plan) {
        CleanupOutcome o{c.copy, CopyFate::kept, c.reason};
        if (c.removable) {
            auto removed = co_await copies.remove(c.copy);
            o.outcome = removed ? CopyFate::removed : CopyFate::failed;
            o.detail = removed ? std::string{} : removed.error().message;
        }
        out.push_back(std::move(o));
    }
    co_return out;
}

}  // namespace bk::app
