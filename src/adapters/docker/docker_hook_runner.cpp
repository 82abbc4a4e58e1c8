#include "adapters/docker/docker_hook_runner.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <variant>

#include "adapters/docker/stream_watchdog.hpp"
#include "dockerapi/client.hpp"
#include "domain/duration.hpp"
#include "domain/output_tail.hpp"

namespace bk::adapters::docker {
namespace {

class TailSink final : public dockerapi::StreamSink {
public:
    domain::OutputTail tail{4096};
    dockerapi::Task<std::error_code> write(dockerapi::StreamKind /*kind*/,
                                           std::span<const char> data) override {
        tail.append(std::string_view(data.data(), data.size()));
        co_return std::error_code{};
    }
};

}  // namespace

Task<domain::HookOutcome> DockerHookRunner::run(const domain::Target& t,
                                                std::vector<std::string> argv) {
    // NOLINTNEXTLINE(google-build-using-namespace): the namespace of the operators || and &&
    using namespace boost::asio::experimental::awaitable_operators;
    domain::HookOutcome out;
    domain::StreamLimits limits;
    limits.deadline = std::chrono::steady_clock::now() + t.hook_timeout;
    dockerapi::ExecSpec spec;
    spec.cmd = std::move(argv);
    auto id = co_await client_.create_exec(t.container_id, spec);
    if (!id) {
        out.error = "hook: " + id.error().describe();
        co_return out;
    }
    auto stream = co_await client_.start_exec(*id);
    if (!stream) {
        out.error = "hook: " + stream.error().describe();
        co_return out;
    }
    TailSink sink;
    auto raced =
        co_await (stream->pump(sink) || watchdog(limits, std::make_shared<StreamActivity>()));
    out.output_tail = sink.tail.text();
    if (raced.index() == 1) {
        // The engine cannot kill an exec: the stream is dropped, the hook fails, the run goes on.
        stream->close();
        out.error = "hook timed out after " + domain::format_duration(t.hook_timeout) +
                    " (its process may still run in the container: the engine cannot stop an "
                    "exec)";
        co_return out;
    }
    auto& pumped = std::get<0>(raced);
    if (!pumped) {
        out.error = "hook: " + pumped.error().describe();
        co_return out;
    }
    // The exit code is set as the stream ends; poll briefly while the daemon catches up.
    auto delay = std::chrono::milliseconds(5);
    for (int i = 0; i < 50; ++i) {
        auto info = co_await client_.inspect_exec(*id);
        if (!info) {
            out.error = "hook: " + info.error().describe();
            co_return out;
        }
        if (!info->running && info->exit_code) {
            out.exit_code = *info->exit_code;
            co_return out;
        }
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
        co_await timer.async_wait(boost::asio::use_awaitable);
        delay = std::min(delay * 2, std::chrono::milliseconds(200));
    }
    out.error = "hook: no exit code from the engine";
    co_return out;
}

}  // namespace bk::adapters::docker
