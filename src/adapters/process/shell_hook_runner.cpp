#include "adapters/process/shell_hook_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "adapters/process/child_process.hpp"
#include <signal.h>

namespace bk::adapters::process {

namespace asio = boost::asio;

namespace {
/// Besides kChildBaseVariables: proxies (curl honours them) and what the project lists in
/// hooks.env. Never the rest of the operator's environment (its ${VAR} secrets).
std::vector<std::string> hook_environment(const domain::Target& target) {
    std::vector<std::string> names{
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"};
    names.insert(names.end(), target.hook_env.begin(), target.hook_env.end());
    return names;
}

struct Deadline {
    bool fired{false};
    bool done{false};
};
}  // namespace

Task<domain::HookOutcome> ShellHookRunner::run(const domain::Target& target,
                                               std::vector<std::string> argv) {
    using namespace asio::experimental::awaitable_operators;  // NOLINT
    domain::HookOutcome out;
    SpawnOptions o;
    o.argv = std::move(argv);
    o.env = minimal_environment({}, hook_environment(target));
    o.pipe_stdin = false;
    o.new_process_group = true;
    auto child = ChildProcess::spawn(ex_, std::move(o));
    if (!child) {
        out.error = "hook: " + child.error().message;
        co_return out;
    }
    // The whole group goes when the time is up: `sh -c 'curl …'` leaves curl holding the pipes.
    auto deadline = std::make_shared<Deadline>();
    auto timer = std::make_shared<asio::steady_timer>(ex_, target.hook_timeout);
    ChildProcess* raw = &*child;
    timer->async_wait([deadline, raw](const boost::system::error_code& ec) {
        if (ec || deadline->done)
            return;
        deadline->fired = true;
        raw->signal_group(SIGKILL);
    });
    auto [stdout_tail, stderr_tail] =
        co_await (child->read_stdout(1u << 16) && child->read_stderr_tail(4096));
    const int code = co_await child->wait();
    deadline->done = true;
    timer->cancel();
    child->signal_group(SIGKILL);  // anything it left running in the background
    out.output_tail = stdout_tail;
    if (!stderr_tail.empty()) {
        out.output_tail += (out.output_tail.empty() ? "" : "\n") + stderr_tail;
    }
    if (out.output_tail.size() > 4096)
        out.output_tail.erase(0, out.output_tail.size() - 4096);
    if (deadline->fired) {
        out.error = "the hook did not finish within " +
                    std::to_string(target.hook_timeout.count()) + " s and was killed";
        co_return out;
    }
    out.exit_code = code;
    co_return out;
}

}  // namespace bk::adapters::process
