#include "drivers/cli/terminal_text.hpp"

#include <iostream>

#include "domain/printable.hpp"

namespace bk::drivers::cli {

EscapingStreambuf::~EscapingStreambuf() {
    if (!held_.empty()) {
        pass({}, true);
    }
}

bool EscapingStreambuf::pass(std::string_view text, bool final) {
    std::string all = held_ + std::string(text);
    held_.clear();
    if (!final) {
        const auto tail = domain::incomplete_utf8_tail(all);
        held_ = all.substr(all.size() - tail);
        all.resize(all.size() - tail);
    }
    const auto out = domain::escape_unprintable(all, domain::Layout::keep);
    return next_->sputn(out.data(), static_cast<std::streamsize>(out.size())) ==
           static_cast<std::streamsize>(out.size());
}

EscapingStreambuf::int_type EscapingStreambuf::overflow(int_type ch) {
    if (traits_type::eq_int_type(ch, traits_type::eof())) {
        return traits_type::not_eof(ch);
    }
    const char c = traits_type::to_char_type(ch);
    return pass(std::string_view(&c, 1), false) ? ch : traits_type::eof();
}

std::streamsize EscapingStreambuf::xsputn(const char* s, std::streamsize n) {
    return pass(std::string_view(s, static_cast<std::size_t>(n)), false) ? n : 0;
}

int EscapingStreambuf::sync() {
    return next_->pubsync();
}

EscapedStandardStreams::EscapedStandardStreams()
    : out_(std::cout.rdbuf()), err_(std::cerr.rdbuf()) {
    std::cout.rdbuf(&out_);
    std::cerr.rdbuf(&err_);
}

EscapedStandardStreams::~EscapedStandardStreams() {
    std::cout.flush();
    std::cerr.flush();
    std::cout.rdbuf(out_.next());
    std::cerr.rdbuf(err_.next());
}

void terminal_control(std::string_view sequence) {
    std::cerr.flush();
    std::streambuf* buf = std::cerr.rdbuf();
    if (auto* escaping = dynamic_cast<EscapingStreambuf*>(buf)) {
        buf = escaping->next();
    }
    buf->sputn(sequence.data(), static_cast<std::streamsize>(sequence.size()));
    buf->pubsync();
}

std::string shown(std::string_view value) {
    return domain::escape_unprintable(value);
}

}  // namespace bk::drivers::cli
