#include "adapters/process/child_process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "domain/output_tail.hpp"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bk::adapters::process {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

namespace {
/// The children some code waits for (ChildProcess): reap_orphans() leaves them alone. The
/// operator is single-threaded: a pid is added before anything else can run.
std::set<pid_t>& waited_for() {
    static std::set<pid_t> pids;
    return pids;
}

int exit_code(int st) {
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/// In the child, before exec: closes every descriptor from `first` on but `keep` (async-signal-
/// safe: no allocation). close_range where the kernel has it (5.9), else what /proc/self/fd
/// lists, else every number below the descriptor limit.
void close_from(int first, int keep) noexcept {
    const auto ufirst = static_cast<unsigned>(first);
    if (keep < first) {
        if (::close_range(ufirst, ~0U, 0) == 0) {
            return;
        }
    } else if ((keep == first || ::close_range(ufirst, static_cast<unsigned>(keep) - 1, 0) == 0) &&
               ::close_range(static_cast<unsigned>(keep) + 1, ~0U, 0) == 0) {
        return;
    }
    const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        struct rlimit lim {};
        const rlim_t top = ::getrlimit(RLIMIT_NOFILE, &lim) == 0 ? lim.rlim_cur : 1024;
        for (rlim_t fd = ufirst; fd < top && fd < (1u << 20); ++fd) {
            if (static_cast<int>(fd) != keep)
                ::close(static_cast<int>(fd));
        }
        return;
    }
    alignas(8) char buf[4096];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
        for (long off = 0; off < n;) {
            std::uint16_t reclen = 0;
            std::memcpy(&reclen, buf + off + 16, sizeof reclen);
            const char* name = buf + off + 19;
            const char* end = name + ::strnlen(name, 16);
            int fd = 0;
            if (std::from_chars(name, end, fd).ec == std::errc{} && fd >= first && fd != dir &&
                fd != keep) {
                ::close(fd);
            }
            off += reclen;
        }
    }
    ::close(dir);
}

/// In the child, after fork: `fds[i]` becomes descriptor i (-1: none; 0-2 then stay as they
/// are), every other descriptor is closed, then exec. `status_fd` (close-on-exec, or -1) gets
/// errno when exec fails. Only async-signal-safe calls.
[[noreturn]] void exec_child(const int (&fds)[5],
                             char* const* argv,
                             char* const* envp,
                             int status_fd) {
    // Sources and the status pipe move above the targets first: dup2(a, 1) must not overwrite
    // the source of another target. (Out of descriptors: the originals are used.)
    int status = status_fd < 0 ? -1 : ::fcntl(status_fd, F_DUPFD_CLOEXEC, 10);
    if (status < 0)
        status = status_fd;
    int moved[5];
    for (int i = 0; i < 5; ++i) {
        moved[i] = fds[i] < 0 ? -1 : ::fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
        if (moved[i] < 0)
            moved[i] = fds[i];
    }
    for (int i = 0; i < 5; ++i) {
        if (moved[i] == i) {
            ::fcntl(i, F_SETFD, 0);  // keep it across exec
        } else if (moved[i] >= 0) {
            ::dup2(moved[i], i);  // the copy at i is not close-on-exec
        }
    }
    // Nothing else of the operator's: Docker engine connections, the HTTP listener and its
    // clients, other children's pipes, lock files.
    close_from(fds[4] >= 0 ? 5 : fds[3] >= 0 ? 4 : 3, status);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvpe(argv[0], argv, envp);
    const int e = errno;
    if (status >= 0) {
        [[maybe_unused]] auto w = ::write(status, &e, sizeof e);
    }
    ::_exit(127);
}
}  // namespace

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
            status = exit_code(st);
            waited_for().erase(pid);
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
    Pipe fd4;
    auto fail = [&](const std::string& what) {
        in.close_all();
        out.close_all();
        err.close_all();
        fd3.close_all();
        fd4.close_all();
        return Failure{errc::io_error, what + ": " + errno_text(errno)};
    };
    if ((o.pipe_stdin && o.stdin_fd < 0 && !in.open()) ||
        (o.pipe_stdout && o.stdout_fd < 0 && !out.open()) || !err.open() ||
        (o.fd3_data && !fd3.open()) || (o.fd4_data && !fd4.open())) {
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
        const int devnull = ::open("/dev/null", O_RDWR);
        const int fds[5] = {child_in >= 0 ? child_in : devnull,
                            child_out >= 0 ? child_out : devnull,
                            err.w,
                            o.fd3_data ? fd3.r : -1,
                            o.fd4_data ? fd4.r : -1};
        exec_child(fds, argv.data(), envp.data(), exec_status.w);
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
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
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
    if (o.fd4_data) {
        ::close(fd4.r);
        const std::string& d = *o.fd4_data;
        [[maybe_unused]] auto n = ::write(fd4.w, d.data(), d.size());
        ::close(fd4.w);
    }
    auto impl = std::make_unique<Impl>();
    impl->ex = ex;
    impl->pid = pid;
    waited_for().insert(pid);
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
    domain::OutputTail out(tail);
    std::vector<char> buf(4096);
    for (;;) {
        auto [ec, n] = co_await impl_->err->async_read_some(asio::buffer(buf), kUse);
        if (n > 0) {
            if (on_chunk)
                on_chunk(std::string_view(buf.data(), n));
            out.append(std::string_view(buf.data(), n));
        }
        if (ec) {
            break;
        }
    }
    co_return out.text();
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
            impl_->status = exit_code(st);
            waited_for().erase(impl_->pid);
            co_return *impl_->status;
        }
        if (r < 0 && errno != EINTR) {
            impl_->status = -1;
            waited_for().erase(impl_->pid);
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

std::vector<std::string> minimal_environment(const std::vector<std::string>& extra,
                                             const std::vector<std::string>& pass) {
    std::map<std::string, std::string> env;
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    auto take = [&env](const std::string& name) {
        if (const char* v = std::getenv(name.c_str()); v != nullptr) {
            env[name] = v;
        }
    };
    for (auto name : kChildBaseVariables)
        take(std::string(name));
    for (const auto& name : pass)
        take(name);
    for (const auto& kv : extra) {
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [k, v] : env)
        out.push_back(k + "=" + v);
    return out;
}

int run_blocking(std::vector<std::string> args, std::vector<std::string> env) {
    if (args.empty()) {
        return -1;
    }
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        const int devnull = ::open("/dev/null", O_RDWR);
        const int fds[5] = {devnull, devnull, devnull, -1, -1};
        exec_child(fds, argv.data(), envp.data(), -1);
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return exit_code(st);
}

bool adopts_orphans() {
    int subreaper = 0;
    return ::getpid() == 1 ||
           (::prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0) == 0 && subreaper != 0);
}

namespace {
/// This process's children: /proc/self/task/*/children, else every /proc/N/stat naming us as
/// the parent (kernels without CONFIG_PROC_CHILDREN).
std::vector<pid_t> own_children() {
    std::vector<pid_t> out;
    std::error_code ec;
    bool listed = false;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        std::ifstream in(task.path() / "children");
        if (!in) {
            continue;
        }
        listed = true;
        pid_t p = 0;
        while (in >> p)
            out.push_back(p);
    }
    if (listed) {
        return out;
    }
    const pid_t self = ::getpid();
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        const auto name = e.path().filename().string();
        pid_t p = 0;
        if (std::from_chars(name.data(), name.data() + name.size(), p).ec != std::errc{}) {
            continue;
        }
        std::ifstream in(e.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // pid (comm) state ppid ...: comm may hold anything, so parse after its last ')'
        const auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        char state = 0;
        long ppid = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == self) {
            out.push_back(p);
        }
    }
    return out;
}
}  // namespace

int reap_orphans() {
    if (!adopts_orphans()) {
        return 0;
    }
    int reaped = 0;
    for (const pid_t p : own_children()) {
        if (waited_for().contains(p)) {
            continue;
        }
        int st = 0;
        if (::waitpid(p, &st, WNOHANG) == p) {
            ++reaped;
        }
    }
    return reaped;
}

struct OrphanReaper::State {
    explicit State(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool stopped{false};
};

namespace {
Task<void> reap_every(std::shared_ptr<OrphanReaper::State> st, std::chrono::milliseconds every) {
    while (!st->stopped) {
        st->timer.expires_after(every);
        co_await st->timer.async_wait(kUse);
        if (st->stopped) {
            break;
        }
        reap_orphans();
    }
}
}  // namespace

OrphanReaper::OrphanReaper(asio::any_io_executor ex, std::chrono::milliseconds interval)
    : state_(std::make_shared<State>(ex)), tasks_(ex) {
    if (adopts_orphans()) {
        tasks_.spawn(reap_every(state_, interval));
    }
}

OrphanReaper::~OrphanReaper() {
    state_->stopped = true;
    try {
        state_->timer.cancel();
    } catch (...) {
        // A destructor never throws; the loop also ends at its next tick on `stopped`.
    }
}

}  // namespace bk::adapters::process
