#pragma once
// Fake of domain::TargetLocks: one holder per target in memory; `others` are held by another
// process (a CLI run beside the daemon) until the test erases them.

#include <map>
#include <memory>
#include <string>

#include "domain/ports/bookkeeping.hpp"

namespace bk::testing {

class FakeTargetLocks final : public domain::TargetLocks {
public:
    std::map<std::string, std::string> others;  ///< target -> holder's run id
    std::map<std::string, std::string> held;    ///< target -> run id, held by us now

    Result<std::unique_ptr<domain::LockHandle>> try_lock(const std::string& target,
                                                         const std::string& run_id,
                                                         std::string& holder) override {
        if (auto o = others.find(target); o != others.end()) {
            holder = o->second;
            return std::unique_ptr<domain::LockHandle>{};
        }
        if (auto h = held.find(target); h != held.end()) {
            holder = h->second;
            return std::unique_ptr<domain::LockHandle>{};
        }
        held[target] = run_id;
        return std::unique_ptr<domain::LockHandle>(new Handle(*this, target));
    }

private:
    class Handle final : public domain::LockHandle {
    public:
        Handle(FakeTargetLocks& locks, std::string target)
            : locks_(locks), target_(std::move(target)) {}
        ~Handle() override { locks_.held.erase(target_); }
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;

    private:
        FakeTargetLocks& locks_;
        std::string target_;
    };
};

}  // namespace bk::testing
