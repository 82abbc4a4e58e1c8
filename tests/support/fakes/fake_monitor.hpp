#pragma once
// Fake of domain::Monitor: records each ping as "start", "up <message>", "down <message>" or
// "alive <message>".

#include <cstdint>
#include <string>
#include <vector>

#include "domain/ports/alerting.hpp"

namespace bk::testing {

class FakeMonitor final : public domain::Monitor {
public:
    std::vector<std::string> pings;
    Task<Result<void>> started() override {
        pings.emplace_back("start");
        co_return Result<void>{};
    }
    Task<Result<void>> finished(bool ok, std::string message, std::int64_t) override {
        pings.push_back((ok ? "up " : "down ") + message);
        co_return Result<void>{};
    }
    Task<Result<void>> alive(std::string message) override {
        pings.push_back("alive " + message);
        co_return Result<void>{};
    }
};

}  // namespace bk::testing
