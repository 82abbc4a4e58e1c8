#include "adapters/process/system_host_probe.hpp"

#include <ctime>
#include <filesystem>

#include <sys/statvfs.h>
#include <unistd.h>

namespace bk::adapters::process {

Result<std::uint64_t> SystemHostProbe::free_bytes(const std::string& path) {
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) != 0)
        return Failure{errc::io_error, "cannot stat " + path};
    return static_cast<std::uint64_t>(vfs.f_bavail) * static_cast<std::uint64_t>(vfs.f_frsize);
}

bool SystemHostProbe::exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

bool SystemHostProbe::writable(const std::string& path) {
    return ::access(path.c_str(), W_OK) == 0;
}

std::int64_t SystemHostProbe::now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace bk::adapters::process
