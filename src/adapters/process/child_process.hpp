#pragma once
// Child processes (gpg, restic) with pipes the io_context drives: no shell, an explicit argv and
// environment, extra file descriptors for secrets (a password through a pipe, never argv or a
// file).

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"

namespace bk::adapters::process {

struct SpawnOptions {
    std::vector<std::string> argv;
    std::vector<std::string> env;  ///< the child's whole environment, KEY=VALUE
    bool pipe_stdin{true};
    int stdin_fd{-1};  ///< instead of a pipe: this descriptor becomes stdin
    bool pipe_stdout{true};
    int stdout_fd{-1};  ///< instead of a pipe: this descriptor becomes stdout
    /// Data the child reads from descriptor 3 (e.g. a password for RESTIC_PASSWORD_FILE=/dev/fd/3).
    std::optional<std::string> fd3_data;
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

/// The environment of this process plus `extra` (KEY=VALUE entries override).
std::vector<std::string> environment_with(const std::vector<std::string>& extra);

}  // namespace bk::adapters::process
