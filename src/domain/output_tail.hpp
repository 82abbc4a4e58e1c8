#pragma once
// The end of a program's output (its stderr, a hook's output): what the messages quote. Fed chunk
// by chunk however long the stream runs, it never holds more than its bound.

#include <cstddef>
#include <string>
#include <string_view>

namespace bk::domain {

class OutputTail {
public:
    explicit OutputTail(std::size_t keep) : keep_(keep) {}

    /// Adds `chunk`; only the last `keep` bytes of everything appended stay.
    void append(std::string_view chunk);
    /// The last `keep` bytes (all of it when less came).
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    std::size_t keep_;
    std::string text_;
};

}  // namespace bk::domain
