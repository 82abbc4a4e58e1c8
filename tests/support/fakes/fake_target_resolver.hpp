#pragma once
// Fake of domain::TargetResolver: every target is where it says it is.

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

class FakeResolver final : public domain::TargetResolver {
public:
    int resolves{0};
    Task<Result<domain::Target>> resolve(const domain::Target& t) override {
        ++resolves;
        co_return t;
    }
};

}  // namespace bk::testing
