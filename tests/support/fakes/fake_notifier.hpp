#pragma once
// Fake of domain::Notifier: records every alert it took; the next `fail_next` sends fail as an
// unreachable receiver would.

#include <string>
#include <vector>

#include "domain/ports/alerting.hpp"

namespace bk::testing {

class FakeNotifier final : public domain::Notifier {
public:
    std::vector<domain::Alert> got;
    int fail_next{0};
    int attempts{0};
    Task<Result<void>> send(const domain::Alert& a) override {
        ++attempts;
        if (fail_next > 0) {
            --fail_next;
            co_return Failure{errc::daemon_unavailable, "down"};
        }
        got.push_back(a);
        co_return Result<void>{};
    }
    [[nodiscard]] std::vector<std::string> kinds() const {
        std::vector<std::string> k;
        for (const auto& a : got)
            k.push_back(a.kind);
        return k;
    }
};

}  // namespace bk::testing
