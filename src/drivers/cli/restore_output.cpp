#include "drivers/cli/restore_output.hpp"

#include <cstdio>

#include "domain/human.hpp"
#include "domain/run_status.hpp"

namespace bk::drivers::cli {
namespace {

std::string secs(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

// A word for a shell line: as it is when it is plain, else in single quotes.
std::string shell_word(const std::string& w) {
    bool plain = !w.empty();
    for (char c : w) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' || c == '-' ||
                        c == ':' || c == '=';
        plain = plain && ok;
    }
    if (plain)
        return w;
    std::string out = "'";
    for (char c : w) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        out += (out.empty() ? "" : ", ") + w;
    return out.empty() ? "-" : out;
}

std::string copy_line(const domain::RestoredCopy& c) {
    std::string line = c.name + " (" + (c.state.empty() ? "?" : c.state);
    if (!c.restored_at.empty())
        line += ", restored " + c.restored_at;
    if (!c.run_id.empty())
        line += ", run " + c.run_id;
    line += "), network " + joined(c.networks);
    if (!c.volumes.empty())
        line += ", volumes " + joined(c.volumes);
    return line;
}

}  // namespace

std::vector<std::string> removal_commands(const std::string& target,
                                          const std::string& container,
                                          const std::string& config_path) {
    std::string own = "backupctl";
    if (!config_path.empty())
        own += " --config " + shell_word(config_path);
    own += " restore --cleanup " + shell_word(target);
    return {own, "docker rm -f -v " + shell_word(container)};
}

std::string restore_text(const app::RestoreReport& report, const std::string& config_path) {
    std::string out;
    if (!report.safety_snapshot_run.empty())
        out += "  safety backup: run " + report.safety_snapshot_run + "\n";
    for (const auto& i : report.items) {
        out += "  " + i.kind + " " + i.name + " from " + i.snapshot + ": " +
               domain::to_string(i.outcome);
        if (i.outcome == domain::StepOutcome::ok) {
            out += ", " + domain::human_bytes(i.bytes) + " in " + secs(i.seconds);
        } else {
            out += ": " + i.error;
        }
        out += "\n";
    }
    if (!report.new_container.empty()) {
        const auto net =
            report.new_container_network.empty() ? std::string("-") : report.new_container_network;
        out += "  new container: " + report.new_container + " on network " + net +
               (report.status == domain::RunStatus::success ? " (left running)\n"
                                                            : " (left for inspection)\n");
        const auto remove = removal_commands(report.target, report.new_container, config_path);
        out += "  it stays until removed";
        if (!report.new_container_network.empty() && report.new_container_network != "bridge" &&
            report.new_container_network != "host") {
            out += ", and keeps network " + report.new_container_network +
                   " in use (`docker-compose down` of the app fails on it meanwhile)";
        }
        out += "; remove it with:\n    " + remove[0] + "\n  or: " + remove[1] + "\n";
    }
    out += report.target + ": restore " + domain::to_string(report.status);
    if (!report.error.empty())
        out += " (" + report.error + ")";
    out += " in " + secs(report.seconds) + ", run " + report.run_id + "\n";
    return out;
}

nlohmann::json restore_json(const app::RestoreReport& report, const std::string& config_path) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& i : report.items) {
        items.push_back({{"kind", i.kind},
                         {"name", i.name},
                         {"snapshot", i.snapshot},
                         {"outcome", domain::to_string(i.outcome)},
                         {"bytes", i.bytes},
                         {"seconds", i.seconds},
                         {"error", i.error}});
    }
    nlohmann::json out{{"run_id", report.run_id},
                       {"target", report.target},
                       {"status", domain::to_string(report.status)},
                       {"error", report.error},
                       {"seconds", report.seconds},
                       {"safety_backup_run", report.safety_snapshot_run},
                       {"new_container", report.new_container},
                       {"new_container_network", report.new_container_network},
                       {"remove_with", nlohmann::json::array()},
                       {"items", items}};
    if (!report.new_container.empty())
        out["remove_with"] = removal_commands(report.target, report.new_container, config_path);
    return out;
}

std::string cleanup_plan_text(const std::string& target,
                              const std::vector<app::CleanupCandidate>& plan) {
    std::string out = "Left by earlier restores of " + target + ":\n";
    for (const auto& c : plan) {
        out += "  " + copy_line(c.copy) + "\n";
        out += c.removable ? "    removed with its volumes and network endpoints\n"
                           : "    kept: " + c.reason + "\n";
    }
    return out;
}

std::string cleanup_text(const std::string& target, const std::vector<app::CleanupOutcome>& done) {
    if (done.empty())
        return target + ": nothing to clean up: no container restored from it is left\n";
    std::string out;
    int removed = 0;
    int kept = 0;
    int failed = 0;
    for (const auto& o : done) {
        out += "  " + app::to_string(o.outcome) + " " + copy_line(o.copy);
        if (!o.detail.empty())
            out += ": " + o.detail;
        out += "\n";
        if (o.outcome == app::CopyFate::kept) {
            out += "    (if it is yours: docker rm -f -v " + shell_word(o.copy.name) + ")\n";
        }
        removed += o.outcome == app::CopyFate::removed ? 1 : 0;
        kept += o.outcome == app::CopyFate::kept ? 1 : 0;
        failed += o.outcome == app::CopyFate::failed ? 1 : 0;
    }
    out += target + ": cleanup removed " + std::to_string(removed) + ", kept " +
           std::to_string(kept) + ", failed " + std::to_string(failed) + "\n";
    return out;
}

nlohmann::json cleanup_json(const std::string& target,
                            const std::vector<app::CleanupOutcome>& done) {
    nlohmann::json copies = nlohmann::json::array();
    for (const auto& o : done) {
        copies.push_back({{"container", o.copy.name},
                          {"id", o.copy.container_id},
                          {"state", o.copy.state},
                          {"run_id", o.copy.run_id},
                          {"restored_at", o.copy.restored_at},
                          {"networks", o.copy.networks},
                          {"volumes", o.copy.volumes},
                          {"outcome", app::to_string(o.outcome)},
                          {"detail", o.detail}});
    }
    return {{"target", target}, {"copies", copies}};
}

}  // namespace bk::drivers::cli
