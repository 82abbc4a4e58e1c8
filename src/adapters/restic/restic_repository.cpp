#include "adapters/restic/restic_repository.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "adapters/gpg/gpg_pipe.hpp"
#include "adapters/process/child_process.hpp"
#include "core/random.hpp"
#include "core/signal.hpp"
#include "domain/alert.hpp"
#include "domain/repository_check.hpp"
#include "domain/repository_fault.hpp"
#include "domain/repository_location.hpp"
#include "domain/telling_line.hpp"
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bk::adapters::restic {

namespace asio = boost::asio;
using process::ChildProcess;
using process::SpawnOptions;

namespace {

using domain::last_line;

// Only for tags that hold no comma: restic splits --tag at commas (the domain encodes values).
std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags)
        out += (out.empty() ? "" : ",") + t;
    return out;
}

// A tag with a comma would be read by restic as several tags.
std::optional<Failure> comma_in(const std::vector<std::string>& tags) {
    for (const auto& t : tags) {
        if (t.find(',') != std::string::npos) {
            return Failure{errc::internal, "snapshot tag \"" + t + "\" holds a comma"};
        }
    }
    return std::nullopt;
}

// restic's output beyond this is never read: a listing that long is an error, not a short list.
constexpr std::size_t kMaxOutput = 8u << 20;

// A reader spawned beside the caller, who awaits its end (a signal, no poll period). `also`,
// when set, is told too (a loop that waits for more than one thing).
struct Pending {
    bool done{false};
    std::string value;
    Signal ended;
    std::shared_ptr<Signal> also;
};

Task<void> wait_done(asio::any_io_executor, std::shared_ptr<Pending> p) {
    while (!p->done)
        co_await p->ended.wait();
}

struct ReaderEnded {
    std::shared_ptr<Pending> p;
    void operator()(const std::exception_ptr&, std::string v) const {
        p->value = std::move(v);
        p->done = true;
        p->ended.notify_all();
        if (p->also)
            p->also->notify_all();
    }
};

std::shared_ptr<Pending> spawn_reader(asio::any_io_executor ex,
                                      Task<std::string> task,
                                      std::shared_ptr<Signal> also = {}) {
    auto p = std::make_shared<Pending>();
    p->also = std::move(also);
    asio::co_spawn(ex, std::move(task), ReaderEnded{p});
    return p;
}

// Errors restic retries with back-off for many minutes although they never go away (measured:
// a refused delete on an append-only REST server, a full disk). At the first retry of one of
// them restic is interrupted and the run says why, instead of waiting.
constexpr std::array<std::string_view, 8> kHopeless{
    "403 forbidden",
    "(403)",
    "no space left on device",
    "disk quota exceeded",
    "(507)",
    "insufficient storage",
    "read-only file system",
    // SFTP's answer to a full disk (OpenSSH's sftp-server has no better status)
    "write: sftp: \"failure\" (ssh_fx_failure)"};

struct StderrWatch {
    std::string window;  // the end of what was read, lower case: a needle may span two chunks
    bool hopeless{false};
    bool active{true};  // false once the owner let go of the process
    pid_t pid{-1};

    void see(std::string_view chunk) {
        for (const char c : chunk) {
            window += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (hopeless) {
            window.clear();
            return;
        }
        std::size_t line_start = 0;
        while (true) {
            const auto nl = window.find('\n', line_start);
            if (nl == std::string::npos)
                break;
            const std::string_view line(window.data() + line_start, nl - line_start);
            if (line.find("retrying") != std::string_view::npos) {
                for (auto n : kHopeless) {
                    if (line.find(n) != std::string_view::npos)
                        hopeless = true;
                }
            }
            line_start = nl + 1;
        }
        window.erase(0, line_start);
        if (window.size() > 4096)
            window.erase(0, window.size() - 1024);  // one endless line
        if (hopeless && active && pid > 0)
            ::kill(pid, SIGINT);
    }
};

/// restic's settings that hold no secret, passed on from the operator's environment when set.
const std::vector<std::string> kResticPassThrough{"RESTIC_COMPRESSION",
                                                  "RESTIC_PACK_SIZE",
                                                  "RESTIC_READ_CONCURRENCY",
                                                  "RESTIC_FEATURES",
                                                  "GOMAXPROCS",
                                                  "GOGC",
                                                  "HTTP_PROXY",
                                                  "HTTPS_PROXY",
                                                  "NO_PROXY",
                                                  "http_proxy",
                                                  "https_proxy",
                                                  "no_proxy"};

struct Ran {
    int exit_code{-1};
    std::string out;
    std::string err;
    bool timed_out{false};
    bool gave_up{false};        // a hopeless error: interrupted
    bool out_truncated{false};  // stdout went past kMaxOutput: `out` is not all of it
};

// A child (restic, or ssh for a diagnosis) with the repository's environment and `password` on
// descriptor 3, interrupted at a hopeless error or after `deadline` (SIGINT, then SIGKILL 10 s
// later).
Task<Result<Ran>> run_child(asio::any_io_executor ex,
                            std::vector<std::string> argv,
                            std::vector<std::string> env,
                            std::string password,
                            std::chrono::seconds deadline,
                            std::string from_password = {}) {
    SpawnOptions o;
    o.argv = std::move(argv);
    o.env = std::move(env);
    o.fd3_data = std::move(password);
    if (!from_password.empty())
        o.fd4_data = std::move(from_password);
    o.pipe_stdin = false;
    auto child = ChildProcess::spawn(ex, std::move(o));
    if (!child) {
        co_return child.error();
    }
    auto watch = std::make_shared<StderrWatch>();
    watch->pid = child->pid();
    // Woken by either reader's end and by a hopeless line; the timers are the deadlines.
    auto wake = std::make_shared<Signal>();
    auto out = spawn_reader(ex, child->read_stdout(kMaxOutput + 1), wake);
    auto err = spawn_reader(ex,
                            child->read_stderr_tail(8192,
                                                    [watch, wake](std::string_view c) {
                                                        const bool was = watch->hopeless;
                                                        watch->see(c);
                                                        if (watch->hopeless && !was)
                                                            wake->notify_all();
                                                    }),
                            wake);
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::optional<std::chrono::steady_clock::time_point> interrupted;
    Ran ran;
    while (!(out->done && err->done)) {
        const auto now = std::chrono::steady_clock::now();
        if (!interrupted && now >= until) {
            ran.timed_out = true;
            child->signal(SIGINT);
            interrupted = now;
        } else if (!interrupted && watch->hopeless) {
            interrupted = now;
        } else if (interrupted && now - *interrupted > std::chrono::seconds(10)) {
            child->signal(SIGKILL);
        }
        auto next = interrupted ? *interrupted + std::chrono::seconds(11) : until;
        co_await wake->wait_until(next);
    }
    watch->active = false;
    ran.exit_code = co_await child->wait();
    ran.out = std::move(out->value);
    ran.out_truncated = ran.out.size() > kMaxOutput;
    ran.err = std::move(err->value);
    ran.gave_up = watch->hopeless;
    co_return ran;
}

// The ssh command line restic runs for an sftp repository (`-o sftp.command=...`), split the way
// restic splits it (at spaces: domain::restic_command_line admits no quote), or empty.
std::vector<std::string> sftp_command_of(const std::vector<std::string>& argv) {
    constexpr std::string_view key = "sftp.command=";
    for (std::size_t i = 1; i < argv.size(); ++i) {
        if (argv[i - 1] != "-o" || !argv[i].starts_with(key))
            continue;
        std::vector<std::string> out;
        std::istringstream words(argv[i].substr(key.size()));
        for (std::string w; words >> w;)
            out.push_back(w);
        return out;
    }
    return {};
}

// restic with the repository's environment and its password on descriptor 3 (see run_child).
//
// restic 0.14 copies ssh's stderr into its own from a goroutine and exits as soon as the sftp
// session fails to start, often before that copy: ssh's reason (host key changed, key refused,
// connection refused) is then missing and the run says only "connection lost" (2 runs in 60
// here when idle; CI lost a changed host key so). When the session did not start, ssh itself is
// asked, with the same command line and nothing on its stdin, and what it says is added as
// restic would have added it.
Task<Result<Ran>> run_restic(asio::any_io_executor ex,
                             std::vector<std::string> argv,
                             std::vector<std::string> env,
                             std::string password,
                             std::chrono::seconds deadline = std::chrono::minutes(10),
                             std::string from_password = {}) {
    auto ssh = sftp_command_of(argv);
    auto ran = co_await run_child(
        ex, std::move(argv), env, std::move(password), deadline, std::move(from_password));
    if (!ran || ran->exit_code == 0 || ssh.empty() ||
        ran->err.find("unable to start the sftp session") == std::string::npos) {
        co_return ran;
    }
    auto asked = co_await run_child(ex, ssh, std::move(env), {}, std::chrono::seconds(60));
    if (!asked)
        co_return ran;
    std::istringstream lines(asked->err);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty())
            ran->err += "\nsubprocess ssh: " + line;
    }
    co_return ran;
}

/// flock on <state_dir>/locks/repository-<name>.lock: shared while a snapshot is written,
/// exclusive for forget and prune, so that restic never finds its repository locked by us.
/// The kernel releases it when the process dies.
class RepositoryGate {
public:
    explicit RepositoryGate(int fd) : fd_(fd) {}
    ~RepositoryGate() { ::close(fd_); }
    RepositoryGate(const RepositoryGate&) = delete;
    RepositoryGate& operator=(const RepositoryGate&) = delete;

    static Task<Result<std::unique_ptr<RepositoryGate>>> acquire(asio::any_io_executor ex,
                                                                 std::string path,
                                                                 bool exclusive,
                                                                 std::chrono::seconds max_wait) {
        if (!ex)  // a repository is built with its executor; never waits on none
            co_return Failure{errc::internal, "the repository gate has no executor"};
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            co_return Failure{errc::io_error, "cannot open " + path + ": " + errno_text(errno)};
        }
        auto gate = std::make_unique<RepositoryGate>(fd);
        const auto deadline = std::chrono::steady_clock::now() + max_wait;
        while (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
            if (std::chrono::steady_clock::now() >= deadline) {
                co_return Failure{errc::repo_locked,
                                  "the repository stayed busy (" + path + ") for " +
                                      std::to_string(max_wait.count()) + " s"};
            }
            asio::steady_timer t(ex, std::chrono::milliseconds(100));
            co_await t.async_wait(asio::use_awaitable);
        }
        co_return gate;
    }

private:
    int fd_;
};

/// One line for a failed restic command: the repository, its masked URL, the cause read from
/// restic's stderr and what to do.
// The summary line of `restic backup --json` (the last object with message_type summary).
domain::SnapshotSummary backup_summary(const std::string& out) {
    domain::SnapshotSummary s;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("message_type", "") == "summary") {
            s.snapshot_id = j.value("snapshot_id", "");
            s.bytes_added = j.value("data_added", std::uint64_t{0});
            s.bytes_processed = j.value("total_bytes_processed", std::uint64_t{0});
        }
    }
    return s;
}

struct FaultText {
    std::string name;
    std::string url;
    domain::FaultContext context;

    [[nodiscard]] domain::RepositoryDiagnosis diagnose(std::string_view err) const {
        return domain::diagnose_restic(err, context);
    }
    [[nodiscard]] std::string operator()(std::string_view action, std::string_view err) const {
        return domain::describe_repository_fault(name, url, action, diagnose(err));
    }
    [[nodiscard]] Failure failure(std::string_view action, const Ran& r) const {
        auto d = diagnose(r.err);
        if (r.timed_out && d.fault == domain::RepositoryFault::other) {
            d.cause = "did not finish in time and was stopped (" + d.cause + ")";
        }
        return Failure{
            d.fault == domain::RepositoryFault::locked ? errc::repo_locked : errc::repo_failed,
            domain::describe_repository_fault(name, url, action, d)};
    }
};

class ResticWriter final : public domain::SnapshotWriter {
public:
    ResticWriter(asio::any_io_executor ex,
                 gpg::GpgPipeline children,
                 std::unique_ptr<RepositoryGate> gate,
                 std::vector<std::string> env,
                 std::string password,
                 FaultText fault,
                 std::vector<std::string> unlock_argv)
        : ex_(ex),
          fault_(std::move(fault)),
          unlock_argv_(std::move(unlock_argv)),
          env_(std::move(env)),
          password_(std::move(password)),
          gpg_home_(std::move(children.home)),
          restic_(std::move(children.other)),
          gpg_(std::move(children.gpg)),
          gate_(std::move(gate)) {
        out_ = spawn_reader(ex_, restic_.read_stdout(1u << 20));
        watch_->pid = restic_.pid();
        err_ = spawn_reader(
            ex_, restic_.read_stderr_tail(4096, [w = watch_](std::string_view c) { w->see(c); }));
        if (gpg_) {
            gpg_err_ = spawn_reader(ex_, gpg_->read_stderr_tail(2048));
        }
    }
    ~ResticWriter() override {
        watch_->active = false;
        // Neither committed nor aborted (an unwinding path): restic goes first, before gpg's
        // death could hand it a clean EOF and a partial stream to commit.
        restic_.signal(SIGKILL);
    }
    ResticWriter(const ResticWriter&) = delete;
    ResticWriter& operator=(const ResticWriter&) = delete;

    Task<Result<void>> write(std::span<const char> data) override {
        auto r = co_await input().write_stdin(data);
        if (!r) {
            // restic gave up (or was stopped at a hopeless error): its stderr says why.
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            // (g++ 12: no co_await inside a short-circuit expression)
            while (!err_->done) {
                const bool woken = co_await err_->ended.wait_until(until);
                if (!woken)
                    break;
            }
            if (err_->done && !err_->value.empty()) {
                co_return Failure{errc::repo_failed, fault_("backup", err_->value)};
            }
            co_return Failure{errc::repo_failed,
                              std::string(gpg_ ? "gpg" : "restic") + " stopped taking data"};
        }
        co_return Result<void>{};
    }

    Task<Result<domain::SnapshotSummary>> commit() override {
        input().close_stdin();
        if (gpg_) {
            const int g = co_await gpg_->wait();
            co_await wait_done(ex_, gpg_err_);
            if (g != 0) {
                // gpg failed: its output is incomplete; keep restic from committing it.
                restic_.signal(SIGINT);
                co_await restic_.wait();
                co_await wait_done(ex_, out_);
                co_await wait_done(ex_, err_);
                gate_.reset();
                co_return Failure{
                    errc::encrypt_failed,
                    "gpg exited " + std::to_string(g) + ": " + last_line(gpg_err_->value)};
            }
        }
        co_await wait_done(ex_, out_);
        co_await wait_done(ex_, err_);
        const int rc = co_await restic_.wait();
        const auto s = backup_summary(out_->value);
        gate_.reset();
        watch_->active = false;
        if (rc != 0 || s.snapshot_id.empty()) {
            co_return Failure{errc::repo_failed, fault_("backup", err_->value)};
        }
        co_return s;
    }

    Task<void> abort() override {
        // restic's input is still open: interrupted now, it writes no snapshot.
        restic_.signal(SIGINT);
        co_await restic_.wait();
        if (gpg_) {
            gpg_->signal(SIGKILL);
            gpg_->close_stdin();
            co_await gpg_->wait();
            co_await wait_done(ex_, gpg_err_);
        }
        restic_.close_stdin();
        co_await wait_done(ex_, out_);
        co_await wait_done(ex_, err_);
        // A restic interrupted while it was still taking its lock can leave the lock behind
        // (measured: 2 of 6 aborted writers), and the next forget would find the repository
        // "locked". `restic unlock` removes only stale locks (a dead process on this host, or
        // older than 30 min): other writers' locks stay.
        watch_->active = false;
        (void)co_await run_restic(ex_, unlock_argv_, env_, password_, std::chrono::minutes(2));
        gate_.reset();
    }

private:
    ChildProcess& input() { return gpg_ ? *gpg_ : restic_; }

    asio::any_io_executor ex_;
    FaultText fault_;
    std::vector<std::string> unlock_argv_;
    std::shared_ptr<StderrWatch> watch_{std::make_shared<StderrWatch>()};
    std::vector<std::string> env_;
    std::string password_;
    gpg::GpgHome gpg_home_;  // goes after the children are reaped
    ChildProcess restic_;
    std::optional<ChildProcess> gpg_;
    std::shared_ptr<Pending> out_;
    std::shared_ptr<Pending> err_;
    std::shared_ptr<Pending> gpg_err_;
    std::unique_ptr<RepositoryGate> gate_;
};

// restic dump [| gpg --decrypt]: the operator reads the last program's stdout.
class ResticReader final : public domain::SnapshotReader {
public:
    ResticReader(asio::any_io_executor ex,
                 gpg::GpgPipeline children,
                 std::unique_ptr<RepositoryGate> gate,
                 FaultText fault)
        : ex_(ex),
          fault_(std::move(fault)),
          gpg_home_(std::move(children.home)),
          restic_(std::move(children.other)),
          gpg_(std::move(children.gpg)),
          gate_(std::move(gate)) {
        err_ = spawn_reader(ex_, restic_.read_stderr_tail(4096));
        if (gpg_)
            gpg_err_ = spawn_reader(ex_, gpg_->read_stderr_tail(4096));
    }
    ~ResticReader() override {
        if (!finished_) {
            restic_.signal(SIGKILL);
            if (gpg_)
                gpg_->signal(SIGKILL);
        }
    }
    ResticReader(const ResticReader&) = delete;
    ResticReader& operator=(const ResticReader&) = delete;

    Task<Result<std::size_t>> read(std::span<char> buffer) override {
        co_return co_await (gpg_ ? *gpg_ : restic_).read_some_stdout(buffer);
    }

    Task<Result<void>> finish() override {
        const int rc = co_await restic_.wait();
        co_await wait_done(ex_, err_);
        int g = 0;
        if (gpg_) {
            g = co_await gpg_->wait();
            co_await wait_done(ex_, gpg_err_);
        }
        finished_ = true;
        gate_.reset();
        if (rc != 0) {
            co_return Failure{errc::repo_failed,
                              fault_("reading the snapshot (restic dump)", err_->value)};
        }
        if (g != 0) {
            // gpg checks integrity only at the end: everything read so far is suspect.
            co_return Failure{
                errc::encrypt_failed,
                "gpg --decrypt exited " + std::to_string(g) + ": " + last_line(gpg_err_->value)};
        }
        co_return Result<void>{};
    }

private:
    asio::any_io_executor ex_;
    FaultText fault_;
    gpg::GpgHome gpg_home_;  // goes after the children are reaped
    ChildProcess restic_;
    std::optional<ChildProcess> gpg_;
    std::shared_ptr<Pending> err_;
    std::shared_ptr<Pending> gpg_err_;
    std::unique_ptr<RepositoryGate> gate_;
    bool finished_{false};
};

}  // namespace

ResticRepository::ResticRepository(asio::any_io_executor ex,
                                   std::string name,
                                   domain::RepositoryConfig config,
                                   std::string state_dir)
    : ex_(std::move(ex)),
      name_(std::move(name)),
      config_(std::move(config)),
      state_dir_(std::move(state_dir)) {
    context_.init = config_.init;
    if (!config_.cacert.empty()) {
        global_args_.insert(global_args_.end(), {"--cacert", config_.cacert});
    }
    if (config_.url.starts_with("sftp:")) {
        auto loc = domain::parse_sftp_url(config_.url);
        if (!loc) {
            transport_error_ = "repository " + name_ + " (" + domain::mask_url(config_.url) +
                               "): the url " + loc.error;
            return;
        }
        domain::SshConfig ssh = config_.ssh;
        if (ssh.known_hosts_file.empty() && ssh.accept_new_host_key) {
            // Trust on first use: the first key seen is kept here and pinned from then on.
            ssh.known_hosts_file = state_dir_ + "/ssh/" + name_ + ".known_hosts";
        }
        context_.host = loc->host;
        context_.port = ssh.port != 0 ? ssh.port : loc->port != 0 ? loc->port : 22;
        context_.known_hosts_file = ssh.known_hosts_file;
        auto argv = domain::ssh_command(*loc, ssh);
        auto line = argv ? domain::restic_command_line(*argv)
                         : domain::Parsed<std::string>::fail(argv.error);
        if (!line) {
            transport_error_ =
                "repository " + name_ + " (" + domain::mask_url(config_.url) + "): " + line.error;
            return;
        }
        global_args_.insert(global_args_.end(), {"-o", "sftp.command=" + *line});
    }
}

std::vector<std::string> ResticRepository::restic_argv(std::vector<std::string> command) const {
    std::vector<std::string> argv{"restic"};
    argv.insert(argv.end(), global_args_.begin(), global_args_.end());
    argv.insert(argv.end(),
                std::make_move_iterator(command.begin()),
                std::make_move_iterator(command.end()));
    return argv;
}

std::vector<std::string> ResticRepository::environment() const {
    std::vector<std::string> extra{"RESTIC_REPOSITORY=" + config_.url,
                                   "RESTIC_PASSWORD_FILE=/dev/fd/3",
                                   "RESTIC_CACHE_DIR=" + state_dir_ + "/cache",
                                   // restic stages packs in TMPDIR before upload: keep them
                                   // under state_dir (a volume), not the container's /tmp.
                                   "TMPDIR=" + state_dir_ + "/tmp",
                                   "RESTIC_PROGRESS_FPS=0.2"};
    for (const auto& [k, v] : config_.env)
        extra.push_back(k + "=" + v.reveal());
    // Only this repository's settings: the operator's environment holds other repositories'
    // and notifiers' ${VAR} secrets, which restic (and the ssh it starts) must not see.
    // The operator's own credentials for this repository's kind of backend (a deployment that
    // sets AWS_* in the operator's environment keeps working); never another kind's.
    auto pass = kResticPassThrough;
    const auto& url = config_.url;
    auto add = [&pass](std::initializer_list<const char*> names) {
        for (const auto* n : names)
            pass.emplace_back(n);
    };
    if (url.starts_with("s3:")) {
        add({"AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY",
             "AWS_SESSION_TOKEN",
             "AWS_DEFAULT_REGION",
             "AWS_REGION",
             "AWS_PROFILE",
             "AWS_SHARED_CREDENTIALS_FILE"});
    } else if (url.starts_with("b2:")) {
        add({"B2_ACCOUNT_ID", "B2_ACCOUNT_KEY"});
    } else if (url.starts_with("azure:")) {
        add({"AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_SAS"});
    } else if (url.starts_with("gs:")) {
        add({"GOOGLE_PROJECT_ID", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_ACCESS_TOKEN"});
    } else if (url.starts_with("rest:")) {
        add({"RESTIC_REST_USERNAME", "RESTIC_REST_PASSWORD"});
    }
    auto env = process::minimal_environment(extra, pass);
    // A password set for the operator must not override the repository's.
    std::erase_if(env, [](const std::string& kv) {
        return kv.starts_with("RESTIC_PASSWORD=") || kv.starts_with("RESTIC_PASSWORD_COMMAND=");
    });
    return env;
}

Task<Result<void>> ResticRepository::prepare() {
    {
        std::error_code ec;
        std::filesystem::create_directories(state_dir_ + "/tmp", ec);
        std::filesystem::permissions(state_dir_ + "/tmp",
                                     std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace,
                                     ec);
    }
    if (config_.url.empty()) {
        co_return Failure{errc::invalid_config, "repository " + name_ + " has no url"};
    }
    if (!transport_error_.empty()) {
        co_return Failure{errc::invalid_config, transport_error_};
    }
    if (!context_.known_hosts_file.empty() && config_.ssh.accept_new_host_key) {
        std::error_code ec;
        std::filesystem::create_directories(
            std::filesystem::path(context_.known_hosts_file).parent_path(), ec);
    }
    password_ = config_.password.reveal();
    if (password_.empty()) {
        if (!config_.init) {
            co_return Failure{
                errc::invalid_config,
                "repository " + name_ + " has no password (password or password_file)"};
        }
        // A repository the operator creates itself: a generated password kept in state_dir.
        const std::filesystem::path file =
            std::filesystem::path(state_dir_) / "repositories" / (name_ + ".password");
        std::error_code ec;
        std::filesystem::create_directories(file.parent_path(), ec);
        if (!std::filesystem::exists(file)) {
            auto generated = random_hex(32);
            if (!generated) {
                co_return Failure{errc::io_error,
                                  "repository " + name_ + ": cannot generate its password: " +
                                      generated.error().message};
            }
            const auto old = ::umask(077);
            std::ofstream(file) << *generated << "\n";
            ::umask(old);
        }
        std::ifstream in(file);
        std::getline(in, password_);
        if (password_.empty()) {
            co_return Failure{errc::io_error, "cannot read or create " + file.string()};
        }
    }
    const FaultText fault{name_, config_.url, context_};
    auto argv_1 = restic_argv({"cat", "config"});

    auto probe = co_await run_restic(
        ex_, std::move(argv_1), environment(), password_, std::chrono::minutes(5));
    if (!probe) {
        co_return probe.error();
    }
    if (probe->exit_code == 0) {
        co_return Result<void>{};
    }
    // Only a repository that is really not there is created: "unable to open config file"
    // also comes with a refused connection, a 401 or an unknown host key.
    const bool missing = fault.diagnose(probe->err).fault == domain::RepositoryFault::missing;
    if (!missing || !config_.init) {
        co_return fault.failure("opening", *probe);
    }
    auto argv_2 = restic_argv({"init"});

    auto init = co_await run_restic(
        ex_, std::move(argv_2), environment(), password_, std::chrono::minutes(5));
    if (!init) {
        co_return init.error();
    }
    if (init->exit_code != 0) {
        co_return fault.failure("init", *init);
    }
    co_return Result<void>{};
}

Task<Result<std::unique_ptr<domain::SnapshotWriter>>> ResticRepository::open_writer(
    domain::WriterSpec spec) {
    if (auto bad = comma_in(spec.tags))
        co_return *bad;
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), false, kGateWait);
    if (!gate) {
        co_return gate.error();
    }
    SpawnOptions r;
    r.argv = restic_argv({"backup",
                          "--stdin",
                          "--stdin-filename",
                          spec.file_name,
                          "--host",
                          kSnapshotHost,
                          "--json"});
    for (const auto& t : spec.tags) {
        r.argv.push_back("--tag");
        r.argv.push_back(t);
    }
    r.env = environment();
    r.fd3_data = password_;
    std::vector<std::string> unlock_command{"unlock"};
    auto unlock_argv = restic_argv(std::move(unlock_command));
    // [gpg ->] restic through a pipe the operator does not copy: gpg's stdout is restic's stdin.
    auto children = gpg::spawn_encrypting(ex_, std::move(r), spec.public_key_file);
    if (!children) {
        co_return children.error();
    }
    co_return std::unique_ptr<domain::SnapshotWriter>(
        std::make_unique<ResticWriter>(ex_,
                                       std::move(*children),
                                       std::move(*gate),
                                       environment(),
                                       password_,
                                       FaultText{name_, config_.url, context_},
                                       unlock_argv));
}

Task<Result<std::unique_ptr<domain::SnapshotReader>>> ResticRepository::open_reader(
    domain::ReadSpec spec) {
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), false, kGateWait);
    if (!gate) {
        co_return gate.error();
    }
    SpawnOptions r;
    r.argv = restic_argv({"dump", spec.snapshot_id, spec.path});
    r.env = environment();
    r.fd3_data = password_;
    r.pipe_stdin = false;
    // restic [-> gpg]: a private key goes into a fresh 0700 home under state_dir, removed
    // afterwards; restic's stdout is gpg's stdin.
    const std::string home_prefix = state_dir_ + "/tmp/gpg-";
    auto children = co_await gpg::spawn_decrypting(
        ex_, std::move(r), home_prefix, spec.private_key_file, spec.passphrase_file);
    if (!children) {
        co_return children.error();
    }
    co_return std::unique_ptr<domain::SnapshotReader>(std::make_unique<ResticReader>(
        ex_, std::move(*children), std::move(*gate), FaultText{name_, config_.url, context_}));
}

Task<Result<std::vector<domain::SnapshotInfo>>> ResticRepository::snapshots(
    std::vector<std::string> tags) {
    if (auto bad = comma_in(tags))
        co_return *bad;
    std::vector<std::string> argv{"snapshots", "--json"};
    if (!tags.empty()) {
        argv.push_back("--tag");
        argv.push_back(join_tags(tags));
    }
    auto r = co_await run_restic(ex_, restic_argv(std::move(argv)), environment(), password_);
    if (!r) {
        co_return r.error();
    }
    if (r->exit_code != 0) {
        co_return FaultText{name_, config_.url, context_}.failure("listing snapshots", *r);
    }
    // A listing cut short or unreadable is an error: read as "no snapshot" it would make a
    // restore say there is nothing to restore.
    if (r->out_truncated) {
        co_return Failure{errc::repo_failed,
                          "repository " + name_ + ": the snapshot listing is longer than " +
                              std::to_string(kMaxOutput >> 20) + " MiB (" +
                              (tags.empty() ? std::string("all snapshots") : join_tags(tags)) +
                              "); forget old snapshots with restic, or check what wrote so many"};
    }
    auto j = nlohmann::json::parse(r->out, nullptr, false);
    std::vector<domain::SnapshotInfo> out;
    if (!j.is_array()) {
        co_return Failure{errc::repo_failed,
                          "repository " + name_ + ": restic's snapshot listing is not a JSON list"};
    }
    for (const auto& s : j) {
        domain::SnapshotInfo i;
        i.id = s.value("short_id", s.value("id", ""));
        i.full_id = s.value("id", i.id);
        i.time = s.value("time", "");
        if (s.contains("tags") && s["tags"].is_array())
            i.tags = s["tags"].get<std::vector<std::string>>();
        if (s.contains("paths") && s["paths"].is_array())
            i.paths = s["paths"].get<std::vector<std::string>>();
        i.original = s.value("original", "");
        out.push_back(std::move(i));
    }
    co_return out;
}

Task<Result<std::int64_t>> ResticRepository::forget(std::vector<std::string> tags,
                                                    domain::Retention keep) {
    if (auto bad = comma_in(tags))
        co_return *bad;
    if (config_.append_only) {
        co_return Failure{errc::invalid_config,
                          "repository " + name_ + " is append-only: retention is the server's job"};
    }
    // No tags: every group of the repository (a maintenance host's prune), never "no filter"
    // by accident with an empty --tag.
    std::vector<std::string> argv{"forget", "--json", "--group-by", "host,tags"};
    if (!tags.empty())
        argv.insert(argv.end(), {"--tag", join_tags(tags)});
    auto add = [&argv](const char* flag, int n) {
        if (n > 0) {
            argv.push_back(flag);
            argv.push_back(std::to_string(n));
        }
    };
    add("--keep-last", keep.last);
    add("--keep-hourly", keep.hourly);
    add("--keep-daily", keep.daily);
    add("--keep-weekly", keep.weekly);
    add("--keep-monthly", keep.monthly);
    add("--keep-yearly", keep.yearly);
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), true, kForgetWait);
    if (!gate) {
        co_return gate.error();
    }
    auto r = co_await run_restic(ex_, restic_argv(argv), environment(), password_, kForgetDeadline);
    if (!r) {
        co_return r.error();
    }
    if (r->exit_code != 0 && FaultText{name_, config_.url, context_}.diagnose(r->err).fault ==
                                 domain::RepositoryFault::locked) {
        // Our own writers never hold the repository now (the gate above), so a lock here is
        // another host's or a dead process's: a run killed with its server leaves its lock on
        // the server. `restic unlock` removes only stale ones (a dead process of this host, or
        // older than 30 minutes); then once more.
        auto argv_3 = restic_argv({"unlock"});

        auto unlocked = co_await run_restic(
            ex_, std::move(argv_3), environment(), password_, std::chrono::minutes(2));
        if (unlocked && unlocked->exit_code == 0) {
            r = co_await run_restic(
                ex_, restic_argv(std::move(argv)), environment(), password_, kForgetDeadline);
            if (!r) {
                co_return r.error();
            }
        }
    }
    if (r->exit_code != 0 || r->timed_out || r->gave_up) {
        co_return FaultText{name_, config_.url, context_}.failure("retention (restic forget)", *r);
    }
    // One object per group; what it keeps is what remains of the target.
    std::int64_t kept = -1;
    try {
        const auto j = nlohmann::json::parse(r->out);
        kept = 0;
        for (const auto& g : j)
            kept += static_cast<std::int64_t>(g.value("keep", nlohmann::json::array()).size());
    } catch (const std::exception&) {
        kept = -1;
    }
    co_return kept;
}

Task<Result<std::string>> ResticRepository::retag(std::string snapshot_id,
                                                  std::vector<std::string> add,
                                                  std::vector<std::string> remove) {
    if (auto bad = comma_in(add))
        co_return *bad;
    if (auto bad = comma_in(remove))
        co_return *bad;
    if (config_.append_only) {
        co_return Failure{errc::invalid_config,
                          "repository " + name_ +
                              " is append-only: restic tag rewrites a snapshot and deletes the "
                              "old one, which the server refuses"};
    }
    // The snapshot's first id stays in `original` across rewrites: it finds the new one after.
    auto identity = [](const domain::SnapshotInfo& i) {
        return i.original.empty() ? i.full_id : i.original;
    };
    auto find = [](const std::vector<domain::SnapshotInfo>& all, auto&& match) {
        const domain::SnapshotInfo* hit = nullptr;
        for (const auto& i : all) {
            if (match(i)) {
                if (hit != nullptr)
                    return static_cast<const domain::SnapshotInfo*>(nullptr);
                hit = &i;
            }
        }
        return hit;
    };
    auto before = co_await snapshots({});
    if (!before)
        co_return before.error();
    const auto* old = find(*before, [&](const domain::SnapshotInfo& i) {
        return snapshot_id.size() >= 8 && i.full_id.starts_with(snapshot_id);
    });
    if (old == nullptr) {
        co_return Failure{errc::not_found,
                          "repository " + name_ + ": no single snapshot " + snapshot_id};
    }
    const std::string first = identity(*old);
    const std::string old_id = old->full_id;
    std::vector<std::string> argv{"tag"};
    if (!add.empty()) {
        argv.push_back("--add");
        argv.push_back(join_tags(add));
    }
    if (!remove.empty()) {
        argv.push_back("--remove");
        argv.push_back(join_tags(remove));
    }
    argv.push_back(old_id);
    {
        // restic tag takes the repository's exclusive lock: not beside our own writers.
        auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), true, kForgetWait);
        if (!gate)
            co_return gate.error();
        auto r = co_await run_restic(
            ex_, restic_argv(std::move(argv)), environment(), password_, kForgetDeadline);
        if (!r)
            co_return r.error();
        if (r->exit_code != 0 || r->timed_out || r->gave_up)
            co_return FaultText{name_, config_.url, context_}.failure("restic tag", *r);
    }
    auto after = co_await snapshots({});
    if (!after)
        co_return after.error();
    const auto* now =
        find(*after, [&](const domain::SnapshotInfo& i) { return identity(i) == first; });
    if (now == nullptr) {
        co_return Failure{errc::repo_failed,
                          "repository " + name_ + ": snapshot " + old_id.substr(0, 8) +
                              " is not found after restic tag"};
    }
    co_return now->full_id;
}

}  // namespace bk::adapters::restic

namespace bk::adapters::restic {

std::string ResticRepository::gate_path() const {
    return state_dir_ + "/locks/repository-" + name_ + ".lock";
}

Task<Result<domain::PruneSummary>> ResticRepository::prune() {
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), true, kGateWait);
    if (!gate) {
        co_return gate.error();
    }
    const auto started = std::chrono::steady_clock::now();
    if (config_.append_only) {
        co_return Failure{errc::invalid_config,
                          "repository " + name_ + " is append-only: prune is the server's job"};
    }
    auto argv_4 = restic_argv({"prune"});

    auto r = co_await run_restic(ex_, std::move(argv_4), environment(), password_, kPruneDeadline);
    if (!r) {
        co_return r.error();
    }
    if (r->exit_code != 0 || r->timed_out || r->gave_up) {
        co_return FaultText{name_, config_.url, context_}.failure("prune", *r);
    }
    domain::PruneSummary s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // "this removes: N blobs / X MiB" and "remaining: ..." lines, for humans.
    std::istringstream lines(r->out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find("this removes") != std::string::npos ||
            line.find("total prune") != std::string::npos ||
            line.find("remaining:") != std::string::npos) {
            while (!line.empty() && line.front() == ' ')
                line.erase(0, 1);
            s.summary += (s.summary.empty() ? "" : "; ") + line;
        }
    }
    co_return s;
}

Task<Result<domain::CheckSummary>> ResticRepository::check(int k, int n) {
    if (n < 1 || k < 1 || k > n) {
        co_return Failure{errc::invalid_config,
                          "check subset " + std::to_string(k) + "/" + std::to_string(n) +
                              " of repository " + name_ + " is out of range"};
    }
    // restic 0.14 locks the repository exclusively for a check: our own writers, forget and
    // prune go first (the gate), so that neither side finds the repository locked by us.
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), true, kCheckWait);
    if (!gate) {
        co_return gate.error();
    }
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> command{"check"};
    command.push_back("--read-data-subset=" + std::to_string(k) + "/" + std::to_string(n));
    auto argv = restic_argv(std::move(command));
    auto r = co_await run_restic(ex_, std::move(argv), environment(), password_, kCheckDeadline);
    if (!r) {
        co_return r.error();
    }
    const FaultText fault{name_, config_.url, context_};
    if (r->exit_code != 0 && fault.diagnose(r->err).fault == domain::RepositoryFault::locked) {
        // Another host's restic (or a dead process's lock): busy, nothing was checked.
        co_return fault.failure("check", *r);
    }
    domain::CheckSummary s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto counts = domain::parse_check_counts(r->out);
    s.packs_read = counts.packs_read;
    s.total_packs = counts.total_packs;
    s.ok = r->exit_code == 0 && !r->timed_out && !r->gave_up;
    if (!s.ok) {
        // A transport fault is said as the other commands say it; damage in restic's own words
        // (its stderr names the pack or blob, then "Fatal: repository contains errors").
        const auto d = fault.diagnose(r->err);
        s.error = d.fault == domain::RepositoryFault::other && !r->timed_out
                      ? domain::tail_lines(r->err, 20, 2000)
                      : fault.failure("check", *r).message;
        if (s.error.empty())
            s.error = "restic check exited " + std::to_string(r->exit_code);
    }
    co_return s;
}

Task<Result<void>> ResticRepository::unlock_stale() {
    auto argv_5 = restic_argv({"unlock"});

    auto r = co_await run_restic(
        ex_, std::move(argv_5), environment(), password_, std::chrono::minutes(5));
    if (!r) {
        co_return r.error();
    }
    if (r->exit_code != 0) {
        co_return FaultText{name_, config_.url, context_}.failure("unlock", *r);
    }
    co_return Result<void>{};
}

namespace {

// The message of restic's --json error lines, else its last stderr line.
std::string restic_error(const std::string& err) {
    std::string found;
    std::istringstream lines(err);
    std::string line;
    while (std::getline(lines, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("message_type", "") == "error") {
            std::string what = j.contains("error") && j["error"].is_object()
                                   ? j["error"].value("message", "")
                                   : std::string{};
            const std::string item = j.value("item", "");
            found = item.empty() ? what : item + ": " + what;
        }
    }
    return found.empty() ? last_line(err) : found;
}

std::uint64_t bytes_under(const std::filesystem::path& p) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec))
        return std::filesystem::file_size(p, ec);
    std::uint64_t total = 0;
    for (std::filesystem::recursive_directory_iterator it(p, ec), end; !ec && it != end;
         it.increment(ec)) {
        std::error_code fec;
        if (it->is_regular_file(fec))
            total += it->file_size(fec);
    }
    return total;
}
}  // namespace

Task<Result<domain::SnapshotSummary>> ResticRepository::backup_path(std::string path,
                                                                    std::vector<std::string> tags) {
    if (auto bad = comma_in(tags))
        co_return *bad;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        co_return Failure{
            errc::not_found,
            "path " + path + " does not exist on the operator (in its container: mount it there)"};
    }
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), false, kGateWait);
    if (!gate) {
        co_return gate.error();
    }
    std::vector<std::string> argv{"backup", "--host", kSnapshotHost, "--json"};
    for (const auto& t : tags) {
        argv.push_back("--tag");
        argv.push_back(t);
    }
    argv.push_back("--");
    argv.push_back(path);
    // A first backup of a large tree can take hours; the deadline is for a hung transport.
    auto r = co_await run_restic(
        ex_, restic_argv(std::move(argv)), environment(), password_, std::chrono::hours(24));
    if (!r) {
        co_return r.error();
    }
    auto summary = backup_summary(r->out);
    if (r->exit_code == 3 && !summary.snapshot_id.empty()) {
        // restic wrote a snapshot without some files it could not read: not a backup to trust,
        // so it goes again (a later restore must never pick it).
        // (g++ 12: no braced list in a co_await's arguments)
        std::vector<std::string> forget{"forget", summary.snapshot_id};
        (void)co_await run_restic(ex_, restic_argv(std::move(forget)), environment(), password_);
        co_return Failure{errc::repo_failed,
                          "restic could not read all of " + path + " (" + restic_error(r->err) +
                              "); its incomplete snapshot was removed"};
    }
    if (r->exit_code != 0 || summary.snapshot_id.empty()) {
        co_return FaultText{name_, config_.url, context_}.failure("backing up " + path, *r);
    }
    co_return summary;
}

Task<Result<std::uint64_t>> ResticRepository::restore_path(std::string snapshot_id,
                                                           std::string include,
                                                           std::string target_dir) {
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), false, kGateWait);
    if (!gate) {
        co_return gate.error();
    }
    std::error_code ec;
    std::filesystem::create_directories(target_dir, ec);
    std::vector<std::string> argv{"restore", snapshot_id, "--target", target_dir};
    if (!include.empty()) {
        argv.push_back("--include");
        argv.push_back(include);
    }
    auto r = co_await run_restic(
        ex_, restic_argv(std::move(argv)), environment(), password_, std::chrono::hours(24));
    if (!r) {
        co_return r.error();
    }
    if (r->exit_code != 0) {
        auto failed = FaultText{name_, config_.url, context_}.failure(
            "restoring " + (include.empty() ? snapshot_id : include), *r);
        co_return Failure{errc::restore_failed, failed.message};
    }
    const auto restored =
        std::filesystem::path(target_dir) /
        std::filesystem::path(include.empty() ? std::string{} : include).relative_path();
    if (!include.empty() && !std::filesystem::exists(restored, ec)) {
        co_return Failure{errc::not_found, include + " is not in snapshot " + snapshot_id};
    }
    co_return bytes_under(restored);
}

namespace {
std::string env_key(const std::string& kv) {
    return kv.substr(0, kv.find('='));
}
}  // namespace

Task<Result<domain::CopySummary>> ResticRepository::copy_from(domain::BackupRepository& source,
                                                              std::vector<std::string> tags) {
    if (auto bad = comma_in(tags))
        co_return *bad;
    auto* from = dynamic_cast<ResticRepository*>(&source);
    if (from == nullptr) {
        co_return Failure{errc::internal, "repository " + name_ + ": the source is not restic's"};
    }
    const std::string what = "copy of " + from->name_ + " to " + name_;
    if (password_.empty() || from->password_.empty()) {
        co_return Failure{errc::internal, what + ": both repositories must be prepared first"};
    }
    // One restic for both: the destination's environment, the source's added where it does not
    // clash (the config refuses two values of one variable; checked again here).
    auto env = environment();
    env.push_back("RESTIC_FROM_REPOSITORY=" + from->config_.url);
    env.push_back("RESTIC_FROM_PASSWORD_FILE=/dev/fd/4");
    for (const auto& kv : from->environment()) {
        const auto key = env_key(kv);
        if (key.starts_with("RESTIC_REPOSITORY") || key.starts_with("RESTIC_PASSWORD"))
            continue;
        auto same = std::find_if(
            env.begin(), env.end(), [&key](const std::string& e) { return env_key(e) == key; });
        if (same == env.end()) {
            env.push_back(kv);
        } else if (*same != kv) {
            co_return Failure{errc::invalid_config,
                              what + ": both repositories need " + key +
                                  " with different values; restic runs a copy with one "
                                  "environment"};
        }
    }
    // restic 0.14 applies -o options to both repositories: two sftp commands cannot be given.
    auto args = global_args_;
    for (std::size_t i = 0; i < from->global_args_.size(); ++i) {
        const auto& a = from->global_args_[i];
        if (a == "-o" && i + 1 < from->global_args_.size()) {
            const auto& opt = from->global_args_[i + 1];
            const bool clash = std::any_of(args.begin(), args.end(), [&opt](const std::string& x) {
                return x.starts_with("sftp.command=") && x != opt;
            });
            if (clash) {
                co_return Failure{errc::invalid_config,
                                  what +
                                      ": both are sftp: repositories; restic 0.14 gives both "
                                      "the same sftp command"};
            }
            if (std::find(args.begin(), args.end(), opt) == args.end())
                args.insert(args.end(), {"-o", opt});
            ++i;
        } else if (a == "--cacert" && i + 1 < from->global_args_.size()) {
            args.insert(args.end(), {"--cacert", from->global_args_[i + 1]});
            ++i;
        }
    }
    if (!from->transport_error_.empty())
        co_return Failure{errc::invalid_config, from->transport_error_};
    auto source_gate = co_await RepositoryGate::acquire(ex_, from->gate_path(), false, kGateWait);
    if (!source_gate)
        co_return source_gate.error();
    auto gate = co_await RepositoryGate::acquire(ex_, gate_path(), false, kGateWait);
    if (!gate)
        co_return gate.error();
    std::vector<std::string> argv{"restic"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"copy", "--host", kSnapshotHost});
    if (!tags.empty())
        argv.insert(argv.end(), {"--tag", join_tags(tags)});
    const auto started = std::chrono::steady_clock::now();
    // A first copy of a large repository can take hours; the deadline is for a hung transport.
    auto r = co_await run_restic(
        ex_, std::move(argv), env, password_, std::chrono::hours(24), from->password_);
    if (!r)
        co_return r.error();
    if (r->exit_code != 0 || r->timed_out || r->gave_up) {
        // Which side failed is in restic's words; the destination's name leads.
        auto failed = FaultText{name_, config_.url, context_}.failure(
            "copy from " + from->name_ + " (" + domain::mask_url(from->config_.url) + ")", *r);
        co_return failed;
    }
    domain::CopySummary s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::istringstream lines(r->out);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("copy started") != std::string::npos)
            ++s.copied;
        else if (line.find("skipping") != std::string::npos)
            ++s.skipped;
    }
    co_return s;
}

}  // namespace bk::adapters::restic
