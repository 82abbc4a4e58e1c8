#include "adapters/lock/instance_registry.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

namespace bk::adapters::lock {

FileInstanceRegistry::FileInstanceRegistry(std::string dir, std::string self)
    : dir_(std::move(dir)), self_(std::move(self)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    fd_ = ::open(path_of(self_).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
        const std::string info = "pid=" + std::to_string(::getpid()) +
                                 " since=" + std::to_string(std::time(nullptr)) + "\n";
        [[maybe_unused]] auto w = ::pwrite(fd_, info.data(), info.size(), 0);
    }
}

FileInstanceRegistry::~FileInstanceRegistry() {
    if (fd_ >= 0) {
        std::error_code ec;
        std::filesystem::remove(path_of(self_), ec);
        ::close(fd_);
    }
}

std::string FileInstanceRegistry::path_of(const std::string& instance) const {
    return dir_ + "/" + instance + ".lock";
}

bool FileInstanceRegistry::alive(const std::string& instance) {
    if (instance == self_) return true;
    if (instance.empty() || instance.find('/') != std::string::npos) return false;
    const int fd = ::open(path_of(instance).c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;  // no lock file: that process is gone (or never had one)
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd);
    return held;
}

std::vector<std::string> FileInstanceRegistry::dead() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        const auto name = entry.path().filename().string();
        if (!name.ends_with(".lock")) continue;
        const auto id = name.substr(0, name.size() - 5);
        if (!alive(id)) out.push_back(id);
    }
    return out;
}

void FileInstanceRegistry::forget(const std::string& instance) {
    if (instance == self_ || alive(instance)) return;
    std::error_code ec;
    std::filesystem::remove(path_of(instance), ec);
}

}  // namespace bk::adapters::lock
