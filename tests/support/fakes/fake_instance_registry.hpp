#pragma once
// Fake of domain::InstanceRegistry: which instances are alive (`live`), which have a lock file
// (`files`), and which were forgotten.

#include <set>
#include <string>
#include <vector>

#include "domain/ports/recovery.hpp"

namespace bk::testing {

class FakeInstances final : public domain::InstanceRegistry {
public:
    std::set<std::string> live{"self"};
    std::set<std::string> files{"self"};
    std::set<std::string> forgotten;
    [[nodiscard]] const std::string& self() const override { return self_; }
    bool alive(const std::string& i) override { return live.contains(i); }
    std::vector<std::string> dead() override {
        std::vector<std::string> out;
        for (const auto& f : files) {
            if (!live.contains(f))
                out.push_back(f);
        }
        return out;
    }
    void forget(const std::string& i) override { forgotten.insert(i); }

private:
    std::string self_{"self"};
};

}  // namespace bk::testing
