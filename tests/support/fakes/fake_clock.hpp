#pragma once
// A clock the test moves: `now` in UTC seconds, handed to the application as its Now function.

#include <cstdint>
#include <functional>

namespace bk::testing {

struct FakeClock {
    std::int64_t now{1'800'000'000};  // 2027-01-15T08:00:00Z

    /// The Now function the Daemon and Alerting take; reads this clock when called.
    [[nodiscard]] std::function<std::int64_t()> fn() {
        return [this] { return now; };
    }
    void advance(std::int64_t seconds) { now += seconds; }
};

}  // namespace bk::testing
