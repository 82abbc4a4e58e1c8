#include "drivers/cli/copy_command.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

#include "domain/human.hpp"

namespace bk::drivers::cli {
namespace {

Task<int> copy_task(boost::asio::any_io_executor ex, Globals g, std::string only, bool now) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected)
        co_return code;
    auto& services = *connected;
    bool any = false;
    for (const auto& [name, r] : services.config.repositories)
        any = any || (!r.copy_to.empty() && (only.empty() || only == name));
    if (!any) {
        std::cerr << "backupctl copy: "
                  << (only.empty() ? std::string("no repository has copy_to")
                                   : "repository \"" + only + "\" does not exist or has no copy_to")
                  << "\n";
        co_return kExitFailed;
    }
    bootstrap::RunServices run(ex, services);
    open_run(run);
    auto* copier = run.copier();
    if (copier == nullptr) {
        std::cerr << "backupctl copy: the copy ledger (audit database) cannot be opened\n";
        co_return kExitFailed;
    }
    nlohmann::json attempts = nlohmann::json::array();
    if (now) {
        // Each target's retention for its copy; without the engine the copy's retention waits
        // for the target's next run.
        std::map<std::string, domain::Retention> keep;
        if (auto inventory = co_await discover_targets(services)) {
            for (const auto& t : inventory->targets)
                keep[t.name] = t.retention;
        }
        app::SnapshotCopier::RetentionLookup lookup =
            [keep](const std::string& t) -> std::optional<domain::Retention> {
            auto it = keep.find(t);
            if (it == keep.end())
                return std::nullopt;
            return it->second;
        };
        auto done = co_await copier->catch_up(only, std::move(lookup));
        for (const auto& a : done) {
            if (!a.ok)
                code = kExitFailed;
            attempts.push_back({{"repository", a.source},
                                {"copy_to", a.destination},
                                {"ok", a.ok},
                                {"copied", a.copied},
                                {"detail", a.detail}});
            if (!g.json) {
                std::cout << "copy " << a.source << " -> " << a.destination << ": "
                          << (a.ok ? "ok" : "FAILED") << " (" << a.detail << ")\n";
            }
        }
    }
    auto lags = copier->lags(only);
    if (!lags) {
        std::cerr << "backupctl copy: " << lags.error().message << "\n";
        co_return kExitFailed;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : *lags) {
        if (l.overdue())
            code = kExitFailed;
        out.push_back({{"repository", l.source},
                       {"copy_to", l.destination},
                       {"pending", l.pending},
                       {"lag_seconds", l.lag_seconds},
                       {"oldest_pending", l.oldest_made_at},
                       {"overdue", l.overdue()},
                       {"copy_overdue_seconds", l.overdue_after.count()},
                       {"last_error", l.last_error}});
        if (!g.json) {
            std::cout << l.source << " -> " << l.destination << ": " << l.pending
                      << " pending, lag " << l.lag_seconds << " s"
                      << (l.overdue() ? " OVERDUE" : "")
                      << (l.last_error.empty() ? std::string{}
                                               : " (last error: " + l.last_error + ")")
                      << "\n";
        }
    }
    if (g.json) {
        nlohmann::json doc{{"copies", out}};
        if (now)
            doc["attempts"] = attempts;
        std::cout << doc.dump(2, ' ', false, kReplace) << "\n";
    }
    co_return code;
}

}  // namespace

int copy_command(const Globals& g, const std::string& repository, bool now) {
    return run_task([&](auto ex) { return copy_task(ex, g, repository, now); });
}

}  // namespace bk::drivers::cli
