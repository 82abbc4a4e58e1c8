#include "drivers/cli/check_command.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "bootstrap/wiring.hpp"
#include "domain/utc_time.hpp"
#include "drivers/http/api.hpp"

namespace bk::drivers::cli {
namespace {

nlohmann::json to_json(const app::RepositoryCheckState& s) {
    return http::repository_check_json(s);
}

std::string percent(double f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", f * 100);
    return buf;
}

void print_state(const app::RepositoryCheckState& s) {
    std::cout << s.repository << ":\n";
    if (!s.error.empty())
        std::cout << "  audit store: " << s.error << "\n";
    if (s.last) {
        const auto& l = *s.last;
        std::cout << "  last check: " << l.finished_at << ", subset " << l.subset << "/"
                  << l.subsets << ", " << (l.ok ? "passed" : "FAILED");
        if (l.packs_read >= 0)
            std::cout << " (" << l.packs_read << " of " << l.total_packs << " packs read)";
        std::cout << "\n";
        if (!l.ok) {
            std::cout << "  error: " << l.error << "\n";
            if (auto refused = domain::maintenance_refusal(s.repository, l))
                std::cout << "  " << *refused << "\n";
        }
    } else {
        std::cout << "  last check: never\n";
    }
    std::cout << "  rotation: " << percent(s.read_fraction) << " of the data read, next subset "
              << s.next_subset << "/" << s.subsets << "\n";
    std::cout << "  next due: "
              << (s.cron == "off" ? std::string("off (check_cron: off)")
                                  : (s.next_due >= 0 ? domain::format_utc(s.next_due) : "never") +
                                        " (" + s.cron + ")")
              << (s.overdue ? ", OVERDUE" : "") << "\n";
}

Task<int> check_task(boost::asio::any_io_executor ex,
                     Globals g,
                     std::vector<std::string> names,
                     bool now) {
    int code = kExitOk;
    auto connected = connect(ex, g, ConfigNeed::valid, code);
    if (!connected)
        co_return code;
    auto& services = *connected;
    bootstrap::RunServices run(ex, services);
    if (auto opened = run.open(); !opened) {
        // The rotation lives in the audit store: without it nothing is known or run.
        std::cerr << "backupctl check: " << opened.error().message
                  << ": the checks' rotation lives in the audit store\n";
        co_return kExitFailed;
    }
    auto& checks = run.repository_checks();
    auto states = checks.states(names);
    if (!states) {
        std::cerr << "backupctl check: " << states.error().message << "\n";
        co_return kExitUsage;
    }
    if (!now) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : *states) {
            if (s.last && !s.last->ok)
                code = kExitFailed;
            if (g.json)
                out.push_back(to_json(s));
            else
                print_state(s);
        }
        if (g.json)
            std::cout << out.dump(2, ' ', false, kReplace) << "\n";
        co_return code;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : *states) {
        if (!g.json) {
            std::cout << "checking " << s.repository << " (subset " << s.next_subset << "/"
                      << s.subsets << ") ...\n"
                      << std::flush;
        }
        auto done = co_await checks.run(s.repository);
        if (done.kind != app::CheckOutcome::Kind::passed)
            code = kExitFailed;
        if (g.json) {
            nlohmann::json j{{"repository", s.repository},
                             {"result", app::to_string(done.kind)},
                             {"message", done.message}};
            if (done.kind == app::CheckOutcome::Kind::passed ||
                done.kind == app::CheckOutcome::Kind::failed) {
                app::RepositoryCheckState one;
                one.last = done.record;
                j["check"] = http::repository_check_json(one)["last"];
            }
            out.push_back(std::move(j));
            continue;
        }
        const auto& r = done.record;
        switch (done.kind) {
            case app::CheckOutcome::Kind::passed:
                std::cout << "  " << s.repository << ": passed, subset " << r.subset << "/"
                          << r.subsets << " (" << r.packs_read << " of " << r.total_packs
                          << " packs read)\n";
                break;
            case app::CheckOutcome::Kind::failed:
                std::cout << "  " << s.repository << ": FAILED, subset " << r.subset << "/"
                          << r.subsets << "\n"
                          << r.error << "\n";
                if (auto refused = domain::maintenance_refusal(s.repository, r))
                    std::cout << "  " << *refused << "\n";
                break;
            default:
                std::cout << "  " << s.repository << ": not checked (" << app::to_string(done.kind)
                          << "): " << done.message << "\n";
        }
    }
    if (g.json)
        std::cout << out.dump(2, ' ', false, kReplace) << "\n";
    co_return code;
}

}  // namespace

int check_command(const Globals& g, const std::vector<std::string>& repositories, bool now) {
    return run_task([&](auto ex) { return check_task(ex, g, repositories, now); });
}

}  // namespace bk::drivers::cli
