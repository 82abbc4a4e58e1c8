#pragma once
// The operator's machine for the checks: free space, existing paths and the clock are set.

#include <set>
#include <string>

#include "domain/ports/checks.hpp"

namespace bk::testing {

class FakeHostProbe final : public domain::HostProbe {
public:
    std::uint64_t free{100ULL << 30};
    bool stat_fails{false};
    std::set<std::string> paths;  ///< what exists
    bool state_writable{true};
    std::int64_t clock{1'800'000'000};  // 2027-01-15T08:00:00Z
    std::string last_statted;

    Result<std::uint64_t> free_bytes(const std::string& path) override {
        last_statted = path;
        if (stat_fails)
            return Failure{errc::io_error, "cannot stat " + path};
        return free;
    }
    bool exists(const std::string& path) override { return paths.contains(path); }
    bool writable(const std::string&) override { return state_writable; }
    std::int64_t now() override { return clock; }
};

}  // namespace bk::testing
