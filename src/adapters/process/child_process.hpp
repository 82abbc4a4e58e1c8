#pragma once
// Child processes (gpg, restic) with pipes the io_context drives: no shell, an explicit argv and
// environment, extra file descriptors for secrets (a password through a pipe, never argv or a
// file). A child gets descriptors 0-2 (and 3 when fd3_data is set) and nothing else of the
// operator: not the Docker engine's connections, not the HTTP listener, and, with
// minimal_environment(), none of the operator's environment variables (its ${VAR} secrets).

#include <boost/asio/any_io_executor.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "core/task_group.hpp"

namespace bk::adapters::process {

struct SpawnOptions {
    std::vector<std::string> argv;
    /// The child's whole environment, KEY=VALUE: see minimal_environment.
    std::vector<std::string> env;
    bool pipe_stdin{true};
    int stdin_fd{-1};  ///< instead of a pipe: this descriptor becomes stdin
    bool pipe_stdout{true};
    int stdout_fd{-1};  ///< instead of a pipe: this descriptor becomes stdout
    /// Data the child reads from descriptor 3 (e.g. a password for RESTIC_PASSWORD_FILE=/dev/fd/3).
    std::optional<std::string> fd3_data;
    /// Data the child reads from descriptor 4 (a second password: restic copy's source); only
    /// with fd3_data.
    std::optional<std::string> fd4_data;
    /// The child leads a process group of its own (signal_group() reaches its children too).
    bool new_process_group{false};
};

/// A running child. Destroying it kills (SIGKILL) and reaps a child still running.
class ChildProcess {
public:
    ChildProcess(ChildProcess&&) noexcept;
    ChildProcess& operator=(ChildProcess&&) noexcept;
    ~ChildProcess();

    static Result<ChildProcess> spawn(boost::asio::any_io_executor ex, SpawnOptions options);

    [[nodiscard]] int pid() const;
    /// Writes all of `data` to the child's stdin (waits while the pipe is full).
    Task<Result<void>> write_stdin(std::span<const char> data);
    void close_stdin();
    /// Reads stdout to EOF; keeps at most `limit` bytes (the rest is read and dropped).
    Task<std::string> read_stdout(std::size_t limit);
    /// Reads what stdout has now (waits for some); 0 at EOF.
    Task<std::size_t> read_some_stdout(std::span<char> buffer);
    /// Reads stderr to EOF; keeps the last `tail` bytes. `on_chunk`, when given, sees every
    /// chunk as it arrives (to notice an error the child keeps retrying).
    Task<std::string> read_stderr_tail(std::size_t tail,
                                       std::function<void(std::string_view)> on_chunk = {});
    void signal(int sig);
    /// Signals the child's process group (spawned with new_process_group).
    void signal_group(int sig);
    /// Waits for the exit (after its pipes reached EOF this is immediate). 128+N for a signal.
    Task<int> wait();

    struct Impl;

private:
    explicit ChildProcess(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Runs a command to completion, collecting stdout (bounded) and the stderr tail.
struct Completed {
    int exit_code{-1};
    std::string out;
    std::string err;
};
Task<Result<Completed>> run_command(boost::asio::any_io_executor ex,
                                    SpawnOptions options,
                                    std::string input = {});

/// The variables of this process a child may see: what finding programs, files and text needs
/// (PATH, HOME, TMPDIR, LANG, LC_ALL, LC_CTYPE, TZ, SSL_CERT_FILE, SSL_CERT_DIR), never a secret.
inline constexpr std::array<std::string_view, 9> kChildBaseVariables{
    "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"};

/// A child's environment: the kChildBaseVariables this process has (PATH defaults to the usual
/// directories), the variables named in `pass` that this process has, then `extra` (KEY=VALUE
/// entries override). Nothing else of the operator's environment reaches the child.
std::vector<std::string> minimal_environment(const std::vector<std::string>& extra = {},
                                             const std::vector<std::string>& pass = {});

/// Runs a program to its end, blocking, with no pipes (stdin, stdout and stderr on /dev/null)
/// and the same descriptor hygiene as ChildProcess. The exit code, 128+N for a signal, -1 when it
/// could not be started. For quick housekeeping (gpgconf --kill) on paths that cannot await.
int run_blocking(std::vector<std::string> argv, std::vector<std::string> env);

/// Zombie children nobody waits for: when this process is PID 1 (the image has no init) or a
/// child subreaper, orphaned descendants become its children, e.g. the gpg-agent a decrypt starts
/// (it daemonizes away from gpg, and is killed at the end of its temporary home's use). These
/// are reaped; children a ChildProcess or run_blocking waits for are never touched.
/// Returns how many were reaped.
int reap_orphans();
/// True when orphans can become this process's children (PID 1 or a child subreaper).
bool adopts_orphans();

/// Calls reap_orphans() every `interval` while it lives (only when adopts_orphans()).
class OrphanReaper {
public:
    OrphanReaper(boost::asio::any_io_executor ex, std::chrono::milliseconds interval);
    ~OrphanReaper();
    OrphanReaper(const OrphanReaper&) = delete;
    OrphanReaper& operator=(const OrphanReaper&) = delete;

    struct State;

private:
    std::shared_ptr<State> state_;
    TaskGroup tasks_;  ///< the reaping loop: cancelled when the reaper goes
};

}  // namespace bk::adapters::process
