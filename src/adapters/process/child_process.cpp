#include "adapters/process/child_process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>
#include <map>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT

namespace bk::adapters::process {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

struct ChildProcess::Impl {
    asio::any_io_executor ex;
    pid_t pid{-1};
    std::optional<int> status;
    std::unique_ptr<Descriptor> in;
    std::unique_ptr<Descriptor> out;
    std::unique_ptr<Descriptor> err;

    void reap_blocking() {
        if (pid > 0 && !status) {
            int st = 0;
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
    ~Impl() {
        if (pid > 0 && !status) {
            ::kill(pid, SIGKILL);
            reap_blocking();
        }
    }
};

ChildProcess::ChildProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;
ChildProcess::~ChildProcess() = default;

namespace {
struct Pipe {
    int r{-1};
    int w{-1};
    bool open() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            return false;
        }
        r = fds[0];
        w = fds[1];
        return true;
    }
    void close_all() {
        if (r >= 0)
            ::close(r);
        if (w >= 0)
            ::close(w);
        r = w = -1;
    }
};
}  // namespace

Result<ChildProcess> ChildProcess::spawn(asio::any_io_executor ex, SpawnOptions o) {
    if (o.argv.empty()) {
        return Failure{errc::internal, "spawn: empty argv"};
    }
    Pipe in;
    Pipe out;
    Pipe err;
    Pipe fd3;
    auto fail = [&](const std::string& what) {
        in.close_all();
        out.close_all();
        err.close_all();
        fd3.close_all();
        return Failure{errc::io_error, what + ": " + std::strerror(errno)};
    };
    if ((o.pipe_stdin && o.stdin_fd < 0 && !in.open()) ||
        (o.pipe_stdout && o.stdout_fd < 0 && !out.open()) || !err.open() ||
        (o.fd3_data && !fd3.open())) {
        return fail("pipe");
    }
    const int child_in = o.stdin_fd >= 0 ? o.stdin_fd : in.r;
    const int child_out = o.stdout_fd >= 0 ? o.stdout_fd : out.w;
    std::vector<char*> argv;
    for (auto& a : o.argv)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : o.env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();
    Pipe exec_status;  // CLOEXEC: reads EOF when exec succeeded, errno when it did not
    if (!exec_status.open()) {
        return fail("pipe");
    }
    // fork + exec rather than posix_spawn: the child must die with us. If the operator is killed
    // (even with -9) while restic's input is open, restic must not see a clean EOF and commit a
    // truncated dump as a snapshot; PR_SET_PDEATHSIG kills it instead. Only async-signal-safe
    // calls happen in the child (we are single-threaded anyway).
    const pid_t pid = ::fork();
    if (pid < 0) {
        exec_status.close_all();
        return fail("cannot start " + o.argv[0]);
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (o.new_process_group) {
            ::setpgid(0, 0);
        }
        if (::getppid() != parent) {
            ::_exit(127);
        }
        auto place = [](int from, int to) {
            if (from == to) {
                ::fcntl(to, F_SETFD, 0);  // keep it across exec
            } else {
                ::dup2(from, to);
            }
        };
        const int devnull = ::open("/dev/null", O_RDWR);
        place(child_in >= 0 ? child_in : devnull, 0);
        place(child_out >= 0 ? child_out : devnull, 1);
        place(err.w, 2);
        if (o.fd3_data) {
            place(fd3.r, 3);
        }
        ::signal(SIGPIPE, SIG_DFL);
        ::execvpe(argv[0], argv.data(), envp.data());
        const int e = errno;
        [[maybe_unused]] auto w = ::write(exec_status.w, &e, sizeof e);
        ::_exit(127);
    }
    ::close(exec_status.w);
    int exec_errno = 0;
    ssize_t got = -1;
    do {
        got = ::read(exec_status.r, &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    ::close(exec_status.r);
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        int st = 0;
        ::waitpid(pid, &st, 0);
        errno = exec_errno;
        return fail("cannot start " + o.argv[0]);
    }
    // The parent keeps its ends only.
    if (in.r >= 0)
        ::close(in.r);
    if (out.w >= 0)
        ::close(out.w);
    ::close(err.w);
    if (o.fd3_data) {
        ::close(fd3.r);
        // A password is far below the pipe's capacity: write it at once and close.
        const std::string& d = *o.fd3_data;
        [[maybe_unused]] auto n = ::write(fd3.w, d.data(), d.size());
        ::close(fd3.w);
    }
    auto impl = std::make_unique<Impl>();
    impl->ex = ex;
    impl->pid = pid;
    if (in.w >= 0)
        impl->in = std::make_unique<Descriptor>(ex, in.w);
    if (out.r >= 0)
        impl->out = std::make_unique<Descriptor>(ex, out.r);
    impl->err = std::make_unique<Descriptor>(ex, err.r);
    return ChildProcess(std::move(impl));
}

int ChildProcess::pid() const {
    return impl_->pid;
}

Task<Result<void>> ChildProcess::write_stdin(std::span<const char> data) {
    if (!impl_->in) {
        co_return Failure{errc::io_error, "stdin is closed"};
    }
    auto [ec, n] =
        co_await asio::async_write(*impl_->in, asio::buffer(data.data(), data.size()), kUse);
    if (ec) {
        co_return Failure{errc::io_error,
                          "writing to " + std::to_string(impl_->pid) + ": " + ec.message()};
    }
    co_return Result<void>{};
}

void ChildProcess::close_stdin() {
    impl_->in.reset();
}

Task<std::string> ChildProcess::read_stdout(std::size_t limit) {
    std::string out;
    if (!impl_->out) {
        co_return out;
    }
    std::vector<char> buf(16384);
    for (;;) {
        auto [ec, n] = co_await impl_->out->async_read_some(asio::buffer(buf), kUse);
        if (n > 0 && out.size() < limit) {
            out.append(buf.data(), std::min(n, limit - out.size()));
        }
        if (ec) {
            break;
        }
    }
    co_return out;
}

Task<std::size_t> ChildProcess::read_some_stdout(std::span<char> buffer) {
    if (!impl_->out) {
        co_return 0;
    }
    auto [ec, n] =
        co_await impl_->out->async_read_some(asio::buffer(buffer.data(), buffer.size()), kUse);
    co_return ec ? 0 : n;
}

Task<std::string> ChildProcess::read_stderr_tail(std::size_t tail,
                                                 std::function<void(std::string_view)> on_chunk) {
    std::string out;
    std::vector<char> buf(4096);
    for (;;) {
        auto [ec, n] = co_await impl_->err->async_read_some(asio::buffer(buf), kUse);
        if (n > 0) {
            if (on_chunk)
                on_chunk(std::string_view(buf.data(), n));
            out.append(buf.data(), n);
            if (out.size() > 2 * tail) {
                out.erase(0, out.size() - tail);
            }
        }
        if (ec) {
            break;
        }
    }
    if (out.size() > tail) {
        out.erase(0, out.size() - tail);
    }
    co_return out;
}

void ChildProcess::signal(int sig) {
    if (impl_->pid > 0 && !impl_->status) {
        ::kill(impl_->pid, sig);
    }
}

void ChildProcess::signal_group(int sig) {
    // Also after the leader was reaped: what it left behind in its group goes too.
    if (impl_->pid > 0) {
        ::kill(-impl_->pid, sig);
    }
}

Task<int> ChildProcess::wait() {
    // Poll without blocking the io_context: children exit promptly once their pipes are done.
    auto delay = std::chrono::milliseconds(1);
    for (;;) {
        if (impl_->status) {
            co_return *impl_->status;
        }
        int st = 0;
        const pid_t r = waitpid(impl_->pid, &st, WNOHANG);
        if (r == impl_->pid) {
            impl_->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            co_return *impl_->status;
        }
        if (r < 0 && errno != EINTR) {
            impl_->status = -1;
            co_return -1;
        }
        asio::steady_timer t(impl_->ex, delay);
        co_await t.async_wait(kUse);
        delay = std::min(delay * 2, std::chrono::milliseconds(50));
    }
}

namespace {
Task<bool> feed(ChildProcess& child, std::string input) {
    bool ok = true;
    if (!input.empty()) {
        auto w = co_await child.write_stdin(input);
        ok = w.has_value();
    }
    child.close_stdin();
    co_return ok;
}
}  // namespace

Task<Result<Completed>> run_command(asio::any_io_executor ex,
                                    SpawnOptions options,
                                    std::string input) {
    using namespace asio::experimental::awaitable_operators;  // NOLINT
    options.pipe_stdin = true;
    auto child = ChildProcess::spawn(ex, std::move(options));
    if (!child) {
        co_return child.error();
    }
    // Input, output and errors move together: a child that answers while it reads must not
    // block on a full pipe while we still write.
    auto [fed, out, err] =
        co_await (feed(*child, std::move(input)) && child->read_stdout(16u << 20) &&
                  child->read_stderr_tail(8192));
    (void)fed;
    Completed c;
    c.exit_code = co_await child->wait();
    c.out = std::move(out);
    c.err = std::move(err);
    co_return c;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
    std::map<std::string, std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& kv : extra) {
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : env)
        out.push_back(k + "=" + v);
    return out;
}

}  // namespace bk::adapters::process
