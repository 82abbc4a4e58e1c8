#pragma once
// A child process of the test (posix_spawn, its output in a file) and waiting on a condition
// with a deadline: for tests that run backupctl in the background.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace bk::testing {

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Polls `ok` every 250 ms until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& ok, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (ok())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return ok();
}

/// A process of ours, its output in a file; killed with SIGKILL if still running at the end.
class Process {
public:
    Process(const std::vector<std::string>& argv, std::filesystem::path log)
        : log_(std::move(log)) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        REQUIRE(posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
    }
    ~Process() {
        if (running()) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void signal(int sig) const { ::kill(pid_, sig); }
    bool running() {
        if (exited_)
            return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            status_ = status;
        }
        return !exited_;
    }
    /// The exit code once it ended (-signal when killed), waiting at most `limit`.
    int wait(std::chrono::seconds limit) {
        eventually([this] { return !running(); }, limit);
        if (running())
            return -1000;
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
    }
    [[nodiscard]] std::string log() const { return slurp(log_); }

private:
    std::filesystem::path log_;
    pid_t pid_{0};
    bool exited_{false};
    int status_{0};
};

}  // namespace bk::testing
