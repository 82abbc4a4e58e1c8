#include <cstdio>

#include "dockerapi/models/containers.hpp"
#include "dockerapi/models/events.hpp"

namespace dockerapi {

std::string ContainerSummary::name() const {
    if (names.empty()) {
        return {};
    }
    const std::string& n = names.front();
    return n.starts_with('/') ? n.substr(1) : n;
}

std::string format_event_time(std::int64_t time_nano) {
    constexpr std::int64_t kNs = 1'000'000'000;
    std::int64_t secs = time_nano / kNs;
    std::int64_t nanos = time_nano % kNs;
    if (nanos < 0) {
        nanos += kNs;
        --secs;
    }
    char buf[48];
    std::snprintf(buf,
                  sizeof buf,
                  "%lld.%09lld",
                  static_cast<long long>(secs),
                  static_cast<long long>(nanos));
    return buf;
}

}  // namespace dockerapi
