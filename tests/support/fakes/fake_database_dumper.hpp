#pragma once
// Fake of domain::DatabaseDumper: dumps `payload` (in `chunks` writes) followed by a complete
// census, or what the test sets: an exit code, no completion marker, an engine error, a wait on
// `gate` (a dump that has not finished yet; the run's cut ends that wait, as it cancels a real
// stream), `on_dump` first (throw, leave a container behind in
// a FakeJanitor, ...), `after_chunk` between writes (a signal arriving mid-stream).

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

class FakeDumper final : public domain::DatabaseDumper {
public:
    std::string payload{"-- dump\n"};
    int chunks{1};                              ///< payload is written this many times
    std::vector<std::string> databases{"app"};  ///< what plan() lists, as a server would
    std::optional<Failure> plan_fails;
    std::map<std::string, std::uint64_t> rows;  ///< the census of every dump: rows per table
    int exit_code{0};
    bool completion_marker{true};
    std::string error;  ///< an engine error (the outcome's error)
    /// Dumps of these databases exit 1 (a partial run), whatever exit_code says.
    std::vector<std::string> failing;
    std::function<void(const domain::Target&, const std::string& run_id)> on_dump;
    std::function<void(int chunk)> after_chunk;  ///< after each write that succeeded
    /// When set, each dump waits until it is released (cancelled) before it writes.
    std::shared_ptr<boost::asio::steady_timer> gate;
    int dumps{0};
    int cut{0};  ///< dumps cancelled by the run's cut (StreamLimits::cut) while gated
    int probes{0};
    std::string probe_error;           ///< non-empty: probe() fails with it
    std::vector<std::string> run_ids;  ///< the run of each dump, in order

    /// Lets the dumps waiting on the gate go on; later ones do not wait.
    void release() {
        auto g = std::move(gate);
        if (g)
            g->cancel();
    }

    Task<Result<std::vector<domain::DumpItem>>> plan(const domain::Target& target) override {
        if (plan_fails)
            co_return *plan_fails;
        std::vector<domain::DumpItem> items;
        for (const auto& d : databases)
            items.push_back({d, target.name + "/" + d + ".sql"});
        co_return items;
    }
    Task<domain::DumpOutcome> dump(const domain::Target& target,
                                   const domain::DumpItem& item,
                                   domain::ByteSink& sink,
                                   std::string run_id,
                                   domain::StreamLimits limits) override {
        ++dumps;
        run_ids.push_back(run_id);
        if (on_dump)
            on_dump(target, run_id);
        if (gate) {
            auto held = gate;  // lives until released
            held->expires_at(boost::asio::steady_timer::time_point::max());
            if (limits.cut) {
                // As the Docker adapter: the stream races the cut, which cancels it through its
                // slot (its container is killed, nothing more is written).
                using namespace boost::asio::experimental::awaitable_operators;
                auto raced =
                    co_await (wait_gate(held) ||
                              limits.cut->wait_until(std::chrono::steady_clock::time_point::max()));
                if (raced.index() == 1) {
                    ++cut;
                    domain::DumpOutcome out;
                    out.error = "cut short: " + limits.cut->reason();
                    co_return out;
                }
            } else {
                co_await wait_gate(held);
            }
        }
        domain::DumpOutcome out;
        for (int i = 0; i < chunks; ++i) {
            auto w = co_await sink.write(std::span<const char>(payload.data(), payload.size()));
            if (!w) {
                out.error = w.error().message;
                co_return out;
            }
            out.bytes += payload.size();
            if (after_chunk)
                after_chunk(i);
        }
        const bool fails =
            std::find(failing.begin(), failing.end(), item.database) != failing.end();
        out.exit_code = fails ? 1 : exit_code;
        out.completion_marker = completion_marker;
        out.error = error;
        if (out.exit_code != 0)
            out.stderr_tail = "pg_dump: error: query failed\n";
        out.rows = rows;
        co_return out;
    }
    static Task<void> wait_gate(std::shared_ptr<boost::asio::steady_timer> held) {
        boost::system::error_code ec;
        co_await held->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    Task<Result<void>> probe(const domain::Target&, std::string) override {
        ++probes;
        if (!probe_error.empty())
            co_return Failure{errc::dump_failed, probe_error};
        co_return Result<void>{};
    }
};

}  // namespace bk::testing
