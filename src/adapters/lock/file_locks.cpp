#include "adapters/lock/file_locks.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

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

}  // namespace

Result<std::unique_ptr<domain::LockHandle>> FileLocks::try_lock(const std::string& target,
                                                                const std::string& run_id,
                                                                std::string& holder) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    const std::string path = dir_ + "/" + target + ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Failure{errc::io_error, "cannot open " + path + ": " + std::strerror(errno)};
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[512] = {};
        const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "another process";
        while (!holder.empty() && holder.back() == '\n') holder.pop_back();
        ::close(fd);
        return std::unique_ptr<domain::LockHandle>{};
    }
    const std::string info = "pid=" + std::to_string(::getpid()) + " instance=" + instance_ +
                             " run=" + run_id + " since=" + std::to_string(std::time(nullptr)) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] auto w = ::pwrite(fd, info.data(), info.size(), 0);
    }
    return std::unique_ptr<domain::LockHandle>(std::make_unique<FileLock>(fd));
}

}  // namespace bk::adapters::lock
