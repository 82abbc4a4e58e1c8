#pragma once
// Fake of domain::LocalFiles: extracts nothing.

#include <memory>
#include <string>

#include "domain/ports/restore_ports.hpp"

namespace bk::testing {

class FakeLocalFiles final : public domain::LocalFiles {
public:
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_extract(std::string) override {
        co_return Failure{errc::internal, "the fake extracts nothing"};
    }
};

}  // namespace bk::testing
