#pragma once
// Fake of domain::NetworkAttachment: the operator runs outside a container (self() is empty)
// unless `self_id` is set; joins and leaves are recorded.

#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

class FakeNetworks final : public domain::NetworkAttachment {
public:
    std::string self_id;
    std::vector<std::string> joined;  ///< networks, in order
    std::vector<std::string> left;

    Task<std::string> self() override { co_return self_id; }
    Task<Result<bool>> join(std::string network, std::string) override {
        joined.push_back(network);
        co_return !self_id.empty();
    }
    Task<Result<void>> leave(std::string network, std::string) override {
        left.push_back(network);
        co_return Result<void>{};
    }
};

}  // namespace bk::testing
