#pragma once
// Where an events reader stands, for reconnecting with `since` without duplicates: `since` is
// inclusive to the nanosecond, so the events at the last seen timeNano come again.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "dockerapi/models/events.hpp"

namespace dockerapi {

class EventCursor {
public:
    /// True the first time an event is seen; false for a replayed one (same time, actor, action).
    bool accept(const Event& e);
    /// The `since` to reconnect with (the last seen timeNano), if any event was seen.
    [[nodiscard]] std::optional<std::int64_t> since() const;

private:
    std::int64_t last_{0};
    bool any_{false};
    std::set<std::tuple<std::string, std::string, std::string>> at_last_;  // type, actor, action
};

}  // namespace dockerapi
