#include "dockerapi/event_cursor.hpp"

namespace dockerapi {

bool EventCursor::accept(const Event& e) {
    auto key = std::make_tuple(e.type, e.actor_id, e.action);
    if (any_ && e.time_nano < last_) {
        return false;  // older than what was seen: a replay
    }
    if (any_ && e.time_nano == last_) {
        return at_last_.insert(std::move(key)).second;
    }
    any_ = true;
    last_ = e.time_nano;
    at_last_.clear();
    at_last_.insert(std::move(key));
    return true;
}

std::optional<std::int64_t> EventCursor::since() const {
    if (!any_) {
        return std::nullopt;
    }
    return last_;
}

}  // namespace dockerapi
