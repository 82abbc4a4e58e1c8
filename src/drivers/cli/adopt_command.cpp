#include "drivers/cli/adopt_command.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

#include "application/provenance_guard.hpp"
#include "bootstrap/wiring.hpp"
#include <unistd.h>

namespace bk::drivers::cli {
namespace {

nlohmann::json to_json(const domain::Provenance& p) {
    return {{"origin", p.origin},
            {"compose_project", p.compose_project},
            {"compose_service", p.compose_service},
            {"image", p.image},
            {"database", p.db_type},
            {"first_seen", p.first_seen},
            {"confirmed_at", p.confirmed_at},
            {"confirmed_by", p.confirmed_by}};
}

Task<int> adopt_task(boost::asio::any_io_executor ex, Globals g, std::string name, bool yes) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected)
        co_return code;
    auto& services = *connected;
    bootstrap::RunServices run(ex, services);
    if (auto opened = run.open(); !opened) {
        std::cerr << "backupctl: " << opened.error().message
                  << ": provenance lives in the audit store; nothing was adopted\n";
        co_return kExitFailed;
    }
    auto inventory = co_await discover_targets(services);
    if (!inventory) {
        co_return kExitFailed;
    }
    const auto* target = inventory->find(name);
    if (target == nullptr) {
        for (const auto& c : inventory->conflicts) {
            if (c.find("\"" + name + "\"") != std::string::npos) {
                std::cerr << "backupctl: " << c
                          << "\nbackupctl: remove or rename the claimant that is not yours, then "
                             "adopt the one that stays\n";
                co_return kExitFailed;
            }
        }
        std::cerr << "backupctl: no target named \"" << name << "\" (see `backupctl discover`)\n";
        co_return kExitFailed;
    }
    auto verdict = app::check_provenance(run.audit(), *target, false);
    using Kind = app::ProvenanceVerdict::Kind;
    if (verdict.kind == Kind::unverified) {
        std::cerr << "backupctl: " << verdict.error << "; nothing was adopted\n";
        co_return kExitFailed;
    }
    if (verdict.kind == Kind::trusted) {
        if (g.json) {
            std::cout << nlohmann::json{{"target", name},
                                        {"adopted", false},
                                        {"provenance", to_json(verdict.known)}}
                             .dump(2)
                      << "\n";
        } else {
            std::cout << name << " is as recorded: " << describe(verdict.known) << " ("
                      << verdict.known.confirmed_by << ", " << verdict.known.confirmed_at
                      << "); nothing to adopt\n";
        }
        co_return kExitOk;
    }
    if (verdict.kind == Kind::changed && !yes) {
        std::cerr << name << " is not what it was when its provenance was recorded:\n";
        for (const auto& c : verdict.changes)
            std::cerr << "  " << c << "\n";
        std::cerr << "recorded: " << describe(verdict.known) << " (" << verdict.known.confirmed_by
                  << ", " << verdict.known.confirmed_at << ")\n"
                  << "now:      " << describe(verdict.now) << "\n"
                  << "Adopting it lets it forget and restore the snapshots of " << name
                  << " made so far.\n";
        if (::isatty(STDIN_FILENO) != 1) {
            std::cerr << "backupctl: not a terminal: add --yes to adopt\n";
            co_return kExitFailed;
        }
        std::cerr << "Type the target's name to adopt it: " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != name) {
            std::cerr << "backupctl: nothing was adopted\n";
            co_return kExitFailed;
        }
    }
    auto adopted = app::adopt_provenance(run.audit(), *target, operator_identity());
    if (!adopted) {
        std::cerr << "backupctl: " << adopted.error().message << "\n";
        co_return kExitFailed;
    }
    if (g.json) {
        std::cout << nlohmann::json{{"target", name},
                                    {"adopted", true},
                                    {"provenance", to_json(*adopted)}}
                         .dump(2)
                  << "\n";
    } else {
        std::cout << name << ": adopted " << describe(*adopted) << " (" << adopted->confirmed_by
                  << ")\n";
    }
    co_return kExitOk;
}

}  // namespace

int adopt_command(const Globals& g, const std::string& target, bool yes) {
    return run_task([&](auto ex) { return adopt_task(ex, g, target, yes); });
}

}  // namespace bk::drivers::cli
