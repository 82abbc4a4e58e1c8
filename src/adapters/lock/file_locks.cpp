#include "adapters/lock/file_locks.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace bk::adapters::lock {
namespace {

class FileLock final : public domain::LockHandle {
public:
    explicit FileLock(int fd) : fd_(fd) {}
    ~FileLock() override {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

// What the lock file says of its holder (pid, instance, run, since), or `otherwise`.
std::string holder_of(int fd, const std::string& otherwise) {
    char buf[512] = {};
    const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : otherwise;
    while (!holder.empty() && holder.back() == '\n')
        holder.pop_back();
    return holder;
}

}  // namespace

Result<std::unique_ptr<domain::LockHandle>> FileLocks::try_lock(const std::string& target,
                                                                const std::string& run_id,
                                                                std::string& holder) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    const std::string path = dir_ + "/" + target + ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Failure{errc::io_error, "cannot open " + path + ": " + errno_text(errno)};
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        holder = holder_of(fd, "another process");
        ::close(fd);
        return std::unique_ptr<domain::LockHandle>{};
    }
    const std::string info = "pid=" + std::to_string(::getpid()) + " instance=" + instance_ +
                             " run=" + run_id + " since=" + std::to_string(std::time(nullptr)) +
                             "\n";
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] auto w = ::pwrite(fd, info.data(), info.size(), 0);
    }
    return std::unique_ptr<domain::LockHandle>(std::make_unique<FileLock>(fd));
}

domain::StaleLockRemoval FileLocks::remove_stale(const std::string& target) const {
    using State = domain::StaleLockRemoval::State;
    if (target.empty() || target == "." || target == ".." ||
        target.find('/') != std::string::npos) {
        return {State::not_a_name, {}};
    }
    const std::string path = dir_ + "/" + target + ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return {State::not_locked, {}};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        auto holder = holder_of(fd, "a live process");
        ::close(fd);
        return {State::held, std::move(holder)};
    }
    // Removed while we hold it: a run starting now opens a new file and locks that.
    std::error_code ec;
    std::filesystem::remove(path, ec);
    ::close(fd);
    return {State::removed, {}};
}

}  // namespace bk::adapters::lock
