#include "adapters/lock/instance_registry.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/random.hpp"
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

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

bool FileInstanceRegistry::foreign(const std::string& instance) const {
    const auto mine = self_.find('-');
    const auto theirs = instance.find('-');
    if (mine == std::string::npos || theirs == std::string::npos)
        return false;
    return instance.compare(0, theirs, self_, 0, mine) != 0 || theirs != mine;
}

bool FileInstanceRegistry::alive(const std::string& instance) {
    if (instance == self_)
        return true;
    if (foreign(instance))
        return true;  // another operator's: never ours to clean
    if (instance.empty() || instance.find('/') != std::string::npos)
        return false;
    const int fd = ::open(path_of(instance).c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;  // no lock file: that process is gone (or never had one)
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd);
    return held;
}

std::vector<std::string> FileInstanceRegistry::dead() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        const auto name = entry.path().filename().string();
        if (!name.ends_with(".lock"))
            continue;
        const auto id = name.substr(0, name.size() - 5);
        if (!alive(id))
            out.push_back(id);
    }
    return out;
}

void FileInstanceRegistry::forget(const std::string& instance) {
    if (instance == self_ || alive(instance))
        return;
    std::error_code ec;
    std::filesystem::remove(path_of(instance), ec);
}

namespace {
bool is_operator_id(const std::string& s) {
    return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}
}  // namespace

std::string operator_id(const std::string& state_dir) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    const std::string path = state_dir + "/operator-id";
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::ifstream in(path);
        std::string id;
        if (in && std::getline(in, id) && is_operator_id(id))
            return id;
        // Made once, atomically: two processes starting together agree on one id.
        const auto suffix = random_hex(4);
        const auto made_id = random_hex(4);
        if (!suffix || !made_id)
            return {};
        const std::string tmp = path + ".tmp-" + *suffix;
        { std::ofstream(tmp) << *made_id << "\n"; }
        const bool made = ::link(tmp.c_str(), path.c_str()) == 0;
        std::filesystem::remove(tmp, ec);
        if (!made && errno != EEXIST)
            return {};
    }
    return {};
}

std::string new_instance_id(const std::string& state_dir) {
    const std::string op = operator_id(state_dir);
    auto own = random_hex(8);
    if (!own) {
        // At start-up, before anything is done: an id shared with another process would let
        // each take the other's work for its own (recovery, cleanup).
        throw std::runtime_error(own.error().message);
    }
    return op.empty() ? *own : op + "-" + *own;
}

}  // namespace bk::adapters::lock
