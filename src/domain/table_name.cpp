#include "domain/table_name.hpp"

namespace bk::domain {
namespace {

bool ends_bare(char c) {
    return c == ' ' || c == '.' || c == '(' || c == ';';
}

// One part at `at`: its end (one past it), or npos.
std::size_t part_end(std::string_view text, std::size_t at, char quote) {
    if (at >= text.size())
        return std::string_view::npos;
    if (text[at] == quote) {
        std::size_t i = at + 1;
        while (i < text.size()) {
            if (text[i] == quote) {
                if (i + 1 < text.size() && text[i + 1] == quote) {
                    i += 2;
                    continue;
                }
                return i > at + 1 ? i + 1 : std::string_view::npos;  // "" is no identifier
            }
            ++i;
        }
        return std::string_view::npos;
    }
    std::size_t i = at;
    while (i < text.size() && !ends_bare(text[i]) && text[i] != quote)
        ++i;
    return i > at ? i : std::string_view::npos;
}

}  // namespace

std::size_t sql_name_length(std::string_view text, char quote) {
    std::size_t at = 0;
    for (;;) {
        const std::size_t end = part_end(text, at, quote);
        if (end == std::string_view::npos)
            return 0;
        if (end < text.size() && text[end] == '.') {
            at = end + 1;
            continue;
        }
        return end;
    }
}

std::optional<std::vector<std::string>> sql_name_parts(std::string_view name,
                                                       char quote,
                                                       bool fold_bare) {
    if (name.empty() || sql_name_length(name, quote) != name.size())
        return std::nullopt;
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at < name.size()) {
        const std::size_t end = part_end(name, at, quote);
        std::string part;
        if (name[at] == quote) {
            for (std::size_t i = at + 1; i + 1 < end; ++i) {
                part += name[i];
                if (name[i] == quote)
                    ++i;  // the doubled quote
            }
        } else {
            part = std::string(name.substr(at, end - at));
            if (fold_bare) {
                for (char& c : part) {
                    if (c >= 'A' && c <= 'Z')
                        c = static_cast<char>(c - 'A' + 'a');
                }
            }
        }
        for (char c : part) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                return std::nullopt;
        }
        parts.push_back(std::move(part));
        at = end + 1;  // past the '.'
    }
    if (parts.size() > 3)
        return std::nullopt;
    return parts;
}

std::string to_hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

}  // namespace bk::domain
