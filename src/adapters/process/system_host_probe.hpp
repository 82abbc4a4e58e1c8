#pragma once
// The operator's machine as the checks read it: free space (statvfs), paths, the clock.

#include "domain/ports/checks.hpp"

namespace bk::adapters::process {

class SystemHostProbe final : public domain::HostProbe {
public:
    Result<std::uint64_t> free_bytes(const std::string& path) override;
    bool exists(const std::string& path) override;
    bool writable(const std::string& path) override;
    std::int64_t now() override;
};

}  // namespace bk::adapters::process
