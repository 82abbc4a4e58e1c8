#pragma once
// domain::Logger that keeps every line: "level: message", with the context of each.

#include <algorithm>
#include <string>
#include <vector>

#include "domain/ports/logger.hpp"

namespace bk::testing {

class FakeLogger final : public domain::Logger {
public:
    struct Line {
        domain::LogLevel level;
        std::string message;
        domain::LogContext context;
    };

    void write(domain::LogLevel level,
               std::string_view message,
               const domain::LogContext& context) override {
        lines.push_back({level, std::string(message), context});
        text.push_back(std::string(domain::log_level_name(level)) + ": " + std::string(message));
    }
    [[nodiscard]] bool enabled(domain::LogLevel) const override { return true; }

    /// Whether a line holds `part`.
    [[nodiscard]] bool has(const std::string& part) const {
        return std::any_of(text.begin(), text.end(), [&part](const std::string& l) {
            return l.find(part) != std::string::npos;
        });
    }

    std::vector<Line> lines;
    std::vector<std::string> text;  ///< "warn: message", in order
};

}  // namespace bk::testing
