#pragma once
// Fake of domain::RestoredCopies: the copies earlier restores left, as the engine would list
// them by their label.

#include <string>
#include <vector>

#include "domain/ports/restore_ports.hpp"

namespace bk::testing {

class FakeRestoredCopies final : public domain::RestoredCopies {
public:
    std::vector<domain::RestoredCopy> copies;
    std::vector<std::string> removed;  ///< container ids, in order
    Task<Result<std::vector<domain::RestoredCopy>>> list(std::string target) override {
        std::vector<domain::RestoredCopy> out;
        for (const auto& c : copies) {
            if (c.target == target)
                out.push_back(c);
        }
        co_return out;
    }
    Task<Result<void>> remove(domain::RestoredCopy copy) override {
        removed.push_back(copy.container_id);
        std::erase_if(copies,
                      [&copy](const auto& c) { return c.container_id == copy.container_id; });
        co_return Result<void>{};
    }
};

}  // namespace bk::testing
