#include <algorithm>

#include "domain/ports/logger.hpp"

namespace bk::domain {

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::trace:
            return "trace";
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
    for (auto l :
         {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
        if (name == log_level_name(l))
            return l;
    }
    if (name == "warning")
        return LogLevel::warn;
    return std::nullopt;
}

LogLevel with_verbosity(LogLevel configured, int verbosity) {
    const LogLevel asked = verbosity >= 2   ? LogLevel::trace
                           : verbosity == 1 ? LogLevel::debug
                                            : LogLevel::info;
    return verbosity > 0 ? std::min(configured, asked) : configured;
}

}  // namespace bk::domain
