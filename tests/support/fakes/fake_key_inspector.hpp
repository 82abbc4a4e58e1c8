#pragma once
// Public key files for the checks: each file's status is set; an unknown file is not_found.

#include <map>
#include <string>

#include "domain/ports/checks.hpp"

namespace bk::testing {

class FakeKeyInspector final : public domain::KeyInspector {
public:
    std::map<std::string, domain::KeyStatus> keys;  ///< by file
    int inspections{0};

    Task<Result<domain::KeyStatus>> inspect(std::string file) override {
        ++inspections;
        if (auto it = keys.find(file); it != keys.end())
            co_return it->second;
        co_return Failure{errc::not_found, file + " does not exist"};
    }
};

}  // namespace bk::testing
