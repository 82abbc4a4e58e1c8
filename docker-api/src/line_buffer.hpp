#pragma once
// Splits a byte stream into newline-terminated lines (NDJSON across chunk boundaries). Internal.

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace dockerapi::detail {

class LineBuffer {
public:
    explicit LineBuffer(std::size_t max_line) : max_line_(max_line) {}

    /// False when the unterminated rest grows beyond the line limit.
    bool append(std::span<const char> data) {
        pending_.append(data.data(), data.size());
        return pending_.find('\n') != std::string::npos || pending_.size() <= max_line_;
    }

    /// The next complete, non-blank line without its terminator.
    std::optional<std::string> pop() {
        for (;;) {
            const auto nl = pending_.find('\n');
            if (nl == std::string::npos) {
                return std::nullopt;
            }
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.find_first_not_of(" \t") != std::string::npos) {
                return line;
            }
        }
    }

    /// Bytes of an unfinished last line.
    [[nodiscard]] bool has_partial() const {
        return pending_.find_first_not_of(" \t\r\n") != std::string::npos;
    }

private:
    std::size_t max_line_;
    std::string pending_;
};

}  // namespace dockerapi::detail
