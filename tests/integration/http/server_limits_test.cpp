// The daemon's HTTP server under hostile load: 2,000 idle connections (the server keeps at most
// http.max_connections open, closing the oldest idle ones, and /healthz, a run's child process
// and the listener's CPU are unaffected), event streams over their cap (503), and accept failing
// with EMFILE (it backs off instead of spinning). The server runs on its own thread, as on the
// daemon's event loop; the idle clients live in a process of their own, forked before that
// thread exists, so that their descriptors do not count against the server's.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/process/child_process.hpp"
#include "drivers/http/api.hpp"
#include "drivers/http/server.hpp"
#include "support/bk_result_printing.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace http = bk::drivers::http;
namespace asio = boost::asio;

namespace {

int connect_to(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Idle clients in a process of their own: opens connections on request and says how many of
/// them the server has closed. Forked before any thread exists.
class IdleClients {
public:
    IdleClients() {
        int cmd[2];
        int reply[2];
        REQUIRE(::pipe2(cmd, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(reply, O_CLOEXEC) == 0);
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(1);
            ::close(cmd[1]);
            ::close(reply[0]);
            serve(cmd[0], reply[1]);
            ::_exit(0);
        }
        ::close(cmd[0]);
        ::close(reply[1]);
        cmd_ = cmd[1];
        reply_ = reply[0];
    }
    ~IdleClients() {
        ::close(cmd_);  // the child ends at EOF
        ::close(reply_);
        int st = 0;
        ::waitpid(pid_, &st, 0);
    }
    IdleClients(const IdleClients&) = delete;
    IdleClients& operator=(const IdleClients&) = delete;

    /// Opens `n` connections; how many connected.
    int open(unsigned short port, int n) { return ask({'o', port, n}); }
    /// How many of the open connections the server has closed (EOF, reset or hang-up).
    int closed() { return ask({'c', 0, 0}); }

private:
    struct Command {
        char op;
        unsigned short port;
        int n;
    };
    // No Catch assertion here or in cpu(): the EMFILE test calls both with no descriptor left.
    int ask(Command c) {
        int answer = -1;
        if (::write(cmd_, &c, sizeof c) != static_cast<ssize_t>(sizeof c) ||
            ::read(reply_, &answer, sizeof answer) != static_cast<ssize_t>(sizeof answer))
            return -1;
        return answer;
    }
    static void serve(int in, int out) {
        rlimit lim{};
        ::getrlimit(RLIMIT_NOFILE, &lim);
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
        std::vector<pollfd> fds;
        Command c{};
        while (::read(in, &c, sizeof c) == static_cast<ssize_t>(sizeof c)) {
            int answer = 0;
            if (c.op == 'o') {
                for (int i = 0; i < c.n; ++i) {
                    const int fd = connect_to(c.port);
                    if (fd < 0)
                        break;
                    fds.push_back({fd, POLLIN | POLLRDHUP, 0});
                    ++answer;
                }
            } else {
                ::poll(fds.data(), fds.size(), 0);
                for (const auto& p : fds) {
                    if ((p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
                        ++answer;
                }
            }
            if (::write(out, &answer, sizeof answer) != static_cast<ssize_t>(sizeof answer))
                break;
        }
    }
    pid_t pid_{-1};
    int cmd_{-1};
    int reply_{-1};
};

/// The server on a thread of its own (as on the daemon's event loop).
struct Served {
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    std::unique_ptr<http::HttpServer> server;
    std::thread thread;

    explicit Served(http::HttpServer::Options o) {
        o.listen = "127.0.0.1:0";
        auto s = http::HttpServer::start(ioc.get_executor(), std::move(o));
        REQUIRE(s);
        server = std::move(*s);
        thread = std::thread([this] { ioc.run(); });
    }
    ~Served() {
        asio::post(ioc, [this] { server->stop(); });
        work.reset();
        ioc.stop();
        thread.join();
    }
    Served(const Served&) = delete;
    Served& operator=(const Served&) = delete;

    /// Runs `f` on the server's thread and returns what it returns.
    template <class F>
    auto on_loop(F f) {
        std::promise<decltype(f())> p;
        auto fut = p.get_future();
        asio::post(ioc, [&p, &f] { p.set_value(f()); });
        return fut.get();
    }
    http::HttpServer::Counters counters() {
        return on_loop([this] { return server->counters(); });
    }
    /// CPU time the server's thread has used.
    std::chrono::nanoseconds cpu() {
        clockid_t id{};
        timespec ts{};
        if (::pthread_getcpuclockid(thread.native_handle(), &id) != 0 ||
            ::clock_gettime(id, &ts) != 0)
            throw std::runtime_error("the server thread's CPU clock cannot be read");
        return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    }
    [[nodiscard]] unsigned short port() const { return server->port(); }
};

/// One request, the whole answer (the server closes after it); "" when nothing came in time.
std::string request(unsigned short port, const std::string& text) {
    const int fd = connect_to(port);
    if (fd < 0)
        return "";
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
        ::close(fd);
        return "";
    }
    std::string out;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

/// Polls `ok` every 10 ms until it holds or `limit` passes.
template <class F>
bool within(std::chrono::milliseconds limit, F ok) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!ok()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

int open_descriptors() {
    int n = 0;
    std::error_code ec;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec))
        ++n;
    return n;
}

void set_soft_limit(rlim_t n) {
    rlimit lim{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &lim) == 0);
    lim.rlim_cur = std::min(n, lim.rlim_max);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &lim) == 0);
}

class FakeBackend final : public http::ApiBackend {
public:
    std::vector<bk::app::TargetView> targets() override { return {}; }
    bk::Result<std::string> request(const std::string&, bool) override { return std::string{}; }
    bk::domain::AuditLog& audit() override { throw std::logic_error("no audit here"); }
    std::string metrics() override { return ""; }
    std::vector<bk::app::RunEvent> live() override { return {}; }
    bk::Task<bk::Result<std::vector<bk::app::SnapshotEntry>>> snapshots(std::string) override {
        co_return std::vector<bk::app::SnapshotEntry>{};
    }
};

const std::string kHealthz = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

}  // namespace

TEST_CASE("2000 idle connections: the server keeps its cap and stays responsive", "[http]") {
    IdleClients clients;
    constexpr std::size_t kCap = 64;
    http::HttpServer::Options o;
    o.max_connections = kCap;
    o.max_event_streams = 4;
    int metrics_calls = 0;
    o.metrics = [&metrics_calls] {
        ++metrics_calls;
        return std::string("backupctl_up 1\n");
    };
    Served s(std::move(o));
    // The operator's descriptors: what it has now, the cap and a margin for a run's pipes. A
    // server holding every idle client would leave the run none.
    set_soft_limit(static_cast<rlim_t>(open_descriptors()) + kCap + 32);

    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(clients.open(s.port(), 2000) == 2000);
    // Well before the 10 s request deadline: the server closed the idle ones beyond its cap.
    int closed = 0;
    CHECK(within(std::chrono::seconds(5), [&] {
        closed = clients.closed();
        return closed >= 2000 - static_cast<int>(kCap);
    }));
    INFO("closed by the server: " << closed << " after "
                                  << std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - t0)
                                         .count()
                                  << " ms");
    auto c = s.counters();
    CHECK(c.open <= kCap);
    CHECK(c.evicted >= 2000 - kCap);

    // /healthz answers at once, twice.
    const auto h0 = std::chrono::steady_clock::now();
    const auto health = request(s.port(), kHealthz);
    CHECK(health.starts_with("HTTP/1.1 200"));
    CHECK(health.ends_with("\r\n\r\nok\n"));
    CHECK(request(s.port(), kHealthz).starts_with("HTTP/1.1 200"));
    CHECK(std::chrono::steady_clock::now() - h0 < std::chrono::seconds(1));

    // /metrics asked in a loop computes its text at most once a second.
    for (int i = 0; i < 20; ++i)
        CHECK(request(s.port(), "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").ends_with("up 1\n"));
    CHECK(s.on_loop([&metrics_calls] { return metrics_calls; }) <= 2);

    // A run on the same event loop still gets its pipes and its child.
    bk::adapters::process::SpawnOptions run;
    run.argv = {"/bin/sh", "-c", "echo run-ok"};
    run.env = bk::adapters::process::minimal_environment();
    auto fut = asio::co_spawn(
        s.ioc, bk::adapters::process::run_command(s.ioc.get_executor(), run), asio::use_future);
    REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    auto ran = fut.get();
    REQUIRE(ran);
    CHECK(ran->exit_code == 0);
    CHECK(ran->out == "run-ok\n");

    // The listener does not spin: its thread's CPU over one second while the idle connections
    // (the ones within the cap) stay open.
    const auto cpu0 = s.cpu();
    const auto w0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(1));  // a measuring window, not a wait
    const auto used = s.cpu() - cpu0;
    const auto wall = std::chrono::steady_clock::now() - w0;
    INFO(
        "server thread CPU: " << std::chrono::duration_cast<std::chrono::milliseconds>(used).count()
                              << " ms in "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()
                              << " ms");
    CHECK(used < wall / 20);
}

/// Opens the event stream and reads the first answer; returns the connection.
int open_stream(unsigned short port, const std::string& token, std::string& head) {
    const std::string get =
        "GET /api/v1/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    const int fd = connect_to(port);
    REQUIRE(fd >= 0);
    REQUIRE(::send(fd, get.data(), get.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(get.size()));
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    head.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    return fd;
}

TEST_CASE(
    "event streams over their cap get 503 and a server full of busy connections refuses at once",
    "[http]") {
    FakeBackend backend;
    const std::string token = "0123456789abcdef-token";
    http::Api api(backend, token);
    http::HttpServer::Options o;
    o.api = &api;
    o.max_connections = 3;
    o.max_event_streams = 2;
    SECTION("the event-stream cap") {
        Served s(o);
        std::string h1;
        std::string h2;
        std::string h3;
        const int a = open_stream(s.port(), token, h1);
        const int b = open_stream(s.port(), token, h2);
        CHECK(h1.starts_with("HTTP/1.1 200"));
        CHECK(h2.starts_with("HTTP/1.1 200"));
        // A third stream, with room for its connection: 503 busy, and the connection closed.
        const int c = open_stream(s.port(), token, h3);
        CHECK(h3.starts_with("HTTP/1.1 503"));
        CHECK(h3.find("\"code\":\"busy\"") != std::string::npos);
        CHECK(s.counters().event_streams == 2);
        // Everything else is still served beside the streams.
        CHECK(request(s.port(), kHealthz).starts_with("HTTP/1.1 200"));
        ::close(a);
        ::close(b);
        ::close(c);
    }
    SECTION("every connection busy: 503 at once, nothing idle to close") {
        o.max_connections = 2;  // (the config refuses this; the server takes it)
        Served s(o);
        std::string h1;
        std::string h2;
        const int a = open_stream(s.port(), token, h1);
        const int b = open_stream(s.port(), token, h2);
        REQUIRE(h2.starts_with("HTTP/1.1 200"));
        const auto t0 = std::chrono::steady_clock::now();
        const auto refused = request(s.port(), kHealthz);
        CHECK(refused.starts_with("HTTP/1.1 503"));
        CHECK(refused.ends_with("busy\n"));
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
        CHECK(s.counters().refused == 1);
        CHECK(s.counters().open == 2);
        ::close(a);
        ::close(b);
    }
}

TEST_CASE("accept failing with EMFILE backs off instead of spinning", "[http][emfile]") {
    IdleClients clients;
    http::HttpServer::Options o;
    o.max_connections = 10000;  // not the cap: the descriptor limit is what stops accept here
    Served s(std::move(o));
    rlimit before{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
    rlimit low = before;
    low.rlim_cur = std::min(static_cast<rlim_t>(open_descriptors()) - 1, before.rlim_max);

    // While no descriptor is left no Catch assertion runs: UBSan's vptr check probes memory
    // through a pipe, which fails with EMFILE and reports a false "invalid vptr" (CI, ASan
    // build). Plain values are kept and asserted once the limit is back. The server's own code
    // meets the same probe; tests/CMakeLists.txt runs this test with the vptr check suppressed.
    // No descriptor left for the server: every accept fails with EMFILE while clients wait.
    const bool lowered = ::setrlimit(RLIMIT_NOFILE, &low) == 0;  // -1 above: the listing's own
    const int opened = lowered ? clients.open(s.port(), 50) : -1;
    const bool failing =
        lowered && within(std::chrono::seconds(5), [&] { return s.counters().accept_errors > 0; });
    std::chrono::nanoseconds used{};
    std::chrono::nanoseconds wall{};
    std::size_t errors = 0;
    if (failing) {
        const auto cpu0 = s.cpu();
        const auto e0 = s.counters().accept_errors;
        const auto w0 = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::chrono::seconds(1));  // a measuring window, not a wait
        used = s.cpu() - cpu0;
        wall = std::chrono::steady_clock::now() - w0;
        errors = s.counters().accept_errors - e0;
    }
    // Descriptors again: the waiting clients are taken within the longest pause (1 s).
    const bool restored = ::setrlimit(RLIMIT_NOFILE, &before) == 0;
    REQUIRE(restored);
    REQUIRE(lowered);
    REQUIRE(opened == 50);
    REQUIRE(failing);
    INFO(
        "server thread CPU: " << std::chrono::duration_cast<std::chrono::milliseconds>(used).count()
                              << " ms in "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()
                              << " ms, " << errors << " accept errors");
    CHECK(used < wall / 20);
    CHECK(errors <= 10);  // 50 ms doubling to 1 s: a handful a second, not thousands
    CHECK(within(std::chrono::seconds(5), [&] { return s.counters().open == 50; }));
}

TEST_CASE("/readyz answers 503 until the daemon is ready and 200 after, /healthz alive throughout",
          "[http][readyz]") {
    const std::string kReadyz = "GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n";
    std::atomic<bool> ready{false};
    http::HttpServer::Options o;
    o.ready = [&ready] { return ready ? std::string{} : std::string("discovering targets"); };
    Served s(std::move(o));

    const auto before = request(s.port(), kReadyz);
    CHECK(before.starts_with("HTTP/1.1 503"));
    CHECK(before.ends_with("\r\n\r\ndiscovering targets\n"));
    CHECK(request(s.port(), kHealthz).starts_with("HTTP/1.1 200"));  // alive, not ready

    ready = true;  // the first discovery has completed
    const auto after = request(s.port(), kReadyz);
    CHECK(after.starts_with("HTTP/1.1 200"));
    CHECK(after.ends_with("\r\n\r\nready\n"));
    CHECK(
        request(s.port(), "HEAD /readyz HTTP/1.1\r\nHost: t\r\n\r\n").starts_with("HTTP/1.1 200"));
}
