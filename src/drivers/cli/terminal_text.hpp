#pragma once
// What the CLI prints comes in part from labels, snapshot tags, the engine and programs' stderr.
// It reaches the terminal as text: an escape sequence in a database name is shown, not obeyed.

#include <streambuf>
#include <string>
#include <string_view>

namespace bk::drivers::cli {

/// A streambuf in front of `next` that escapes unprintable characters on the way
/// (domain::escape_unprintable, newlines and tabs kept). It buffers nothing but the start of a
/// UTF-8 character split between two writes; JSON output passes unchanged.
class EscapingStreambuf final : public std::streambuf {
public:
    explicit EscapingStreambuf(std::streambuf* next) : next_(next) {}
    ~EscapingStreambuf() override;
    EscapingStreambuf(const EscapingStreambuf&) = delete;
    EscapingStreambuf& operator=(const EscapingStreambuf&) = delete;

    [[nodiscard]] std::streambuf* next() const { return next_; }

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

private:
    bool pass(std::string_view text, bool final);
    std::streambuf* next_;
    std::string held_;
};

/// Puts an EscapingStreambuf in front of std::cout and std::cerr while it lives.
class EscapedStandardStreams {
public:
    EscapedStandardStreams();
    ~EscapedStandardStreams();
    EscapedStandardStreams(const EscapedStandardStreams&) = delete;
    EscapedStandardStreams& operator=(const EscapedStandardStreams&) = delete;

private:
    EscapingStreambuf out_;
    EscapingStreambuf err_;
};

/// Writes a control sequence of our own (the progress line's "\r\033[K") to stderr, past the
/// escaping.
void terminal_control(std::string_view sequence);

/// One value for a line a human reads (a prompt, a table cell): every unprintable character
/// escaped, line breaks too, so that it cannot start a line of its own.
std::string shown(std::string_view value);

}  // namespace bk::drivers::cli
