#include "domain/printable.hpp"

#include <array>
#include <cctype>
#include <cstdint>

namespace bk::domain {
namespace {

struct Decoded {
    std::uint32_t code{0};
    std::size_t length{0};  ///< 0: the byte at the position is not the start of valid UTF-8
};

// One UTF-8 character (overlong forms, surrogates and values past U+10FFFF are not valid).
Decoded decode(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80)
        return {b0, 1};
    std::size_t len = 0;
    std::uint32_t code = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, code = b0 & 0x1Fu, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, code = b0 & 0x0Fu, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, code = b0 & 0x07u, min = 0x10000;
    } else {
        return {};
    }
    if (i + len > s.size())
        return {};
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80)
            return {};
        code = (code << 6) | (b & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return {};
    return {code, len};
}

bool is_control(std::uint32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool is_direction(std::uint32_t c) {
    return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

std::string hex(std::uint32_t v, int digits) {
    static constexpr std::array<char, 16> kHex{
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int k = digits - 1; k >= 0; --k, v >>= 4) {
        out[static_cast<std::size_t>(k)] = kHex[v & 0xFu];
    }
    return out;
}

std::string code_name(std::uint32_t c) {
    std::string digits = hex(c, 4);
    for (auto& d : digits)
        d = static_cast<char>(std::toupper(static_cast<unsigned char>(d)));
    return "U+" + digits;
}

}  // namespace

std::optional<std::string> unprintable(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto d = decode(text, i);
        if (d.length == 0) {
            return "holds a byte that is not UTF-8 (0x" +
                   hex(static_cast<unsigned char>(text[i]), 2) + " at byte " + std::to_string(i) +
                   ")";
        }
        if (is_control(d.code)) {
            return "holds a control character (" + code_name(d.code) + " at byte " +
                   std::to_string(i) + ")";
        }
        if (is_direction(d.code)) {
            return "holds a text direction control (" + code_name(d.code) + " at byte " +
                   std::to_string(i) + ")";
        }
        i += d.length;
    }
    return std::nullopt;
}

std::string escape_unprintable(std::string_view text, Layout layout) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto d = decode(text, i);
        if (d.length == 0) {
            out += "\\x" + hex(static_cast<unsigned char>(text[i]), 2);
            ++i;
            continue;
        }
        const auto c = d.code;
        if (layout == Layout::keep && (c == '\n' || c == '\t')) {
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (is_control(c) || is_direction(c)) {
            out += "\\u" + hex(c, 4);
        } else {
            out.append(text.substr(i, d.length));
        }
        i += d.length;
    }
    return out;
}

std::size_t incomplete_utf8_tail(std::string_view text) {
    // A lead byte within the last three whose sequence runs past the end.
    for (std::size_t back = 1; back <= 3 && back <= text.size(); ++back) {
        const auto b = static_cast<unsigned char>(text[text.size() - back]);
        if ((b & 0xC0) == 0x80)
            continue;  // a continuation byte: look further back
        std::size_t len = (b & 0xE0) == 0xC0   ? 2
                          : (b & 0xF0) == 0xE0 ? 3
                          : (b & 0xF8) == 0xF0 ? 4
                                               : 1;
        return len > back ? back : 0;
    }
    return 0;
}

}  // namespace bk::domain
