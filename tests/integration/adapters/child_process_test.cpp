// Child processes: pipes driven by the io_context, a secret on descriptor 3, exit codes, signals,
// and a clear error for a program that does not exist.
#include "adapters/process/child_process.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <catch2/catch.hpp>

#include "support/bk_result_printing.hpp"
#include "support/run_task.hpp"
#include <signal.h>

using namespace bk::adapters::process;  // NOLINT(google-build-using-namespace)
using bk::testing::run_task;

namespace {
SpawnOptions sh(const std::string& script) {
    SpawnOptions o;
    o.argv = {"sh", "-c", script};
    o.env = minimal_environment({"BK_TEST_VAR=visible"});
    return o;
}

bk::Task<Completed> feed_and_collect(boost::asio::any_io_executor ex, std::string input) {
    auto r = co_await run_command(ex, sh("cat; echo \"$BK_TEST_VAR\" >&2; exit 3"), input);
    REQUIRE(r);
    co_return *r;
}

bk::Task<int> interrupted(boost::asio::any_io_executor ex) {
    auto child = ChildProcess::spawn(ex, sh("exec sleep 30"));
    REQUIRE(child);
    child->signal(SIGINT);
    co_return co_await child->wait();
}
}  // namespace

TEST_CASE("stdin in, stdout and stderr out, the exit code", "[process]") {
    boost::asio::io_context ioc;
    std::string big(1 << 20, 'x');  // larger than a pipe: needs stdin and stdout driven together
    auto c = run_task(ioc, feed_and_collect(ioc.get_executor(), big));
    CHECK(c.exit_code == 3);
    CHECK(c.out == big);
    CHECK(c.err == "visible\n");
}

TEST_CASE("a secret reaches the child on descriptor 3, not in argv or env", "[process]") {
    boost::asio::io_context ioc;
    auto o = sh("cat /dev/fd/3; tr '\\0' ' ' < /proc/$$/cmdline; env | grep -c s3cr3t || true");
    o.fd3_data = "s3cr3t-value";
    auto r = run_task(ioc, run_command(ioc.get_executor(), o));
    REQUIRE(r);
    CHECK(r->exit_code == 0);
    CHECK(r->out.starts_with("s3cr3t-value"));
    CHECK(r->out.find("s3cr3t-value", 1) == std::string::npos);
    CHECK(r->out.ends_with("0\n"));
}

TEST_CASE("signals and missing programs", "[process]") {
    boost::asio::io_context ioc;
    CHECK(run_task(ioc, interrupted(ioc.get_executor())) == 128 + SIGINT);
    SpawnOptions missing;
    missing.argv = {"backupctl-no-such-program"};
    auto r = ChildProcess::spawn(ioc.get_executor(), missing);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("cannot start backupctl-no-such-program"));
}
