#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dockerapi/models/containers.hpp"

namespace dockerapi {

/// One event of GET /events. time_nano is parsed as int64 (19 digits: a double loses it).
struct Event {
    std::string type;    ///< container | network | image | volume | ...
    std::string action;  ///< create | start | die | connect | "exec_start: sh -c ..." ...
    std::string actor_id;
    std::map<std::string, std::string> attributes;  ///< container events: labels + image + name
    std::string scope;
    std::int64_t time{0};
    std::int64_t time_nano{0};
};

struct EventsOptions {
    std::optional<std::int64_t> since_nano;  ///< inclusive, to the nanosecond
    std::optional<std::int64_t> until_nano;  ///< in the past: replay, then the stream ends
    Filters filters;
};

/// "secs.nanos", the form /events accepts for since/until (RFC 3339 is rejected).
std::string format_event_time(std::int64_t time_nano);

}  // namespace dockerapi
