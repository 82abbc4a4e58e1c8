#include "drivers/cli/accept_command.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <utility>

#include "application/suspects.hpp"
#include "bootstrap/wiring.hpp"

namespace bk::drivers::cli {
namespace {

Task<int> accept_task(boost::asio::any_io_executor ex, Globals g, std::string run_id) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected)
        co_return code;
    auto& services = *connected;
    bootstrap::RunServices run(ex, services);
    if (auto opened = run.open(); !opened) {
        std::cerr << "backupctl: " << opened.error().message
                  << ": runs live in the audit store; nothing was accepted\n";
        co_return kExitFailed;
    }
    auto record = run.audit().run(run_id);
    if (!record || !*record) {
        std::cerr << "backupctl: "
                  << (record ? "no run " + run_id + " (see `backupctl history`)"
                             : record.error().message)
                  << "\n";
        co_return kExitFailed;
    }
    auto inventory = co_await discover_targets(services);
    if (!inventory)
        co_return kExitFailed;
    const auto* target = inventory->find((*record)->target);
    if (target == nullptr) {
        std::cerr << "backupctl: run " << run_id << " is of target " << (*record)->target
                  << ", which is not found now (see `backupctl discover`): its repository and "
                     "retention are unknown; nothing was accepted\n";
        co_return kExitFailed;
    }
    app::RepositoryLookup repos = [&run](std::string name) {
        return run.repository(std::move(name));
    };
    auto accepted = co_await app::accept_run(
        run.audit(), repos, services.config, *target, run_id, operator_identity());
    if (!accepted) {
        std::cerr << "backupctl: " << accepted.error().message << "; nothing was accepted\n";
        co_return kExitFailed;
    }
    if (g.json) {
        std::cout << nlohmann::json{{"run", run_id},
                                    {"target", target->name},
                                    {"accepted", true},
                                    {"retention", domain::to_string(accepted->retention)},
                                    {"done", accepted->lines}}
                         .dump(2, ' ', false, kReplace)
                  << "\n";
    } else {
        for (const auto& l : accepted->lines)
            std::cout << l << "\n";
    }
    co_return accepted->retention == domain::RetentionOutcome::failed ? kExitFailed : kExitOk;
}

}  // namespace

int accept_command(const Globals& g, const std::string& run_id) {
    return run_task([&](auto ex) { return accept_task(ex, g, run_id); });
}

}  // namespace bk::drivers::cli
