#include "domain/snapshot_tags.hpp"

namespace bk::domain {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string encode_tag_value(std::string_view value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ',' || c == '%' || c < 0x20 || c == 0x7f) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string decode_tag_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 2 < value.size()) {
            const int hi = hex_digit(value[i + 1]);
            const int lo = hex_digit(value[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += value[i];
    }
    return out;
}

std::string snapshot_tag(std::string_view key, std::string_view value) {
    std::string out(key);
    out += ':';
    out += encode_tag_value(value);
    return out;
}

std::string snapshot_tag_value(const std::vector<std::string>& tags, std::string_view key) {
    for (const auto& t : tags) {
        if (t.size() > key.size() && t.compare(0, key.size(), key) == 0 && t[key.size()] == ':') {
            return decode_tag_value(std::string_view(t).substr(key.size() + 1));
        }
    }
    return {};
}

}  // namespace bk::domain
