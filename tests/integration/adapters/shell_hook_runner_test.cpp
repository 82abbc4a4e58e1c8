// A config project's hooks: the command line through /bin/sh, its exit code and output, and the
// timeout that kills the hook with everything it started (curl left holding the pipes).
#include "adapters/process/shell_hook_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>

#include "support/run_task.hpp"

using bk::adapters::process::ShellHookRunner;
using bk::testing::run_task;

namespace {
bk::domain::HookOutcome run_hook(const std::string& line, std::chrono::seconds timeout) {
    boost::asio::io_context ioc;
    ShellHookRunner runner(ioc.get_executor());
    bk::domain::Target t;
    t.name = "shop";
    t.source = bk::domain::Origin::config;
    t.hook_timeout = timeout;
    return run_task(ioc, runner.run(t, {"/bin/sh", "-c", line}));
}
}  // namespace

TEST_CASE("a project hook runs through the shell, with its exit code and output", "[hooks]") {
    auto ok = run_hook("x=$((40+2)); echo \"answer $x\"", std::chrono::seconds(10));
    CHECK(ok.error.empty());
    CHECK(ok.exit_code == 0);
    CHECK(ok.output_tail == "answer 42\n");
    auto failed = run_hook("echo 'maintenance on failed' >&2; exit 7", std::chrono::seconds(10));
    CHECK(failed.error.empty());
    CHECK(failed.exit_code == 7);
    CHECK(failed.output_tail == "maintenance on failed\n");
}

TEST_CASE("a hook past its timeout is killed with what it started", "[hooks]") {
    const auto t0 = std::chrono::steady_clock::now();
    // A child in the background keeps the pipes open for 5 s: were only sh killed, the run
    // would last until that child ends.
    auto hung = run_hook("(sleep 5; true) & sleep 30", std::chrono::seconds(1));
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK_THAT(hung.error, Catch::Contains("did not finish within 1 s and was killed"));
    CHECK(took < std::chrono::seconds(4));
}
