#pragma once
// The engine as the checks read it: answers set through public members, calls counted.

#include <set>
#include <string>

#include "domain/ports/checks.hpp"

namespace bk::testing {

class FakeEngineProbe final : public domain::EngineProbe {
public:
    std::string ping_error;         ///< non-empty: ping() fails with it
    std::set<std::string> running;  ///< container ids that run
    std::set<std::string> stopped;  ///< container ids that exist and do not run
    std::set<std::string> images;   ///< images the engine has
    domain::EngineInfo engine_info{"24.0.5", "linux", "amd64", "1.43", "1.43", "1.12"};
    int pings{0};
    int inspections{0};

    [[nodiscard]] std::string address() const override { return "unix:///fake/docker.sock"; }
    Task<Result<void>> ping() override {
        ++pings;
        if (!ping_error.empty())
            co_return Failure{errc::daemon_unavailable, ping_error};
        co_return Result<void>{};
    }
    Task<Result<domain::EngineInfo>> info() override { co_return engine_info; }
    Task<Result<bool>> container_running(std::string id) override {
        ++inspections;
        if (running.contains(id))
            co_return true;
        if (stopped.contains(id))
            co_return false;
        co_return Failure{errc::not_found, "no such container: " + id};
    }
    Task<Result<void>> image_present(std::string image) override {
        ++inspections;
        if (images.contains(image))
            co_return Result<void>{};
        co_return Failure{errc::not_found, "no such image: " + image};
    }
};

}  // namespace bk::testing
