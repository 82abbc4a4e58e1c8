#pragma once
// Fake of domain::AlertStore: the outbox and the alert memory in memory (one process).

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/ports/alerting.hpp"

namespace bk::testing {

class FakeAlertStore final : public domain::AlertStore {
public:
    std::vector<domain::QueuedAlert> outbox;
    std::map<std::string, domain::AlertMemory> memories;

    Result<bool> enqueue(const domain::QueuedAlert& q) override {
        if (find(q.key()) != outbox.end())
            return false;
        outbox.push_back(q);
        return true;
    }
    Result<std::vector<domain::QueuedAlert>> queued() override { return outbox; }
    Result<bool> claim(const domain::QueuedAlert& q, std::int64_t now) override {
        auto it = find(q.key());
        if (it == outbox.end() || it->next_at > now)
            return false;
        it->next_at = q.next_at;
        return true;
    }
    Result<void> settle(const domain::QueuedAlert& q, bool delivered) override {
        auto it = find(q.key());
        if (it == outbox.end())
            return Result<void>{};
        if (delivered)
            outbox.erase(it);
        else
            *it = q;
        return Result<void>{};
    }
    Result<std::map<std::string, domain::AlertMemory>> memory() override { return memories; }
    Result<void> remember(const std::string& target, const domain::AlertMemory& m) override {
        memories[target] = m;
        return Result<void>{};
    }

private:
    std::vector<domain::QueuedAlert>::iterator find(const std::string& key) {
        return std::find_if(
            outbox.begin(), outbox.end(), [&key](const auto& e) { return e.key() == key; });
    }
};

}  // namespace bk::testing
