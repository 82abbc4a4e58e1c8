#include "domain/duration.hpp"

#include <cctype>

namespace bk::domain {

Parsed<std::chrono::seconds> parse_duration(std::string_view text) {
    using R = Parsed<std::chrono::seconds>;
    if (text.empty()) {
        return R::fail("empty duration; e.g. 30m, 1h, 1h30m, 2d");
    }
    long long total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        long long n = 0;
        std::size_t digits = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            n = n * 10 + (text[i] - '0');
            ++i;
            if (++digits > 9) {
                return R::fail("\"" + std::string(text) + "\" is too large");
            }
        }
        if (digits == 0 || i == text.size()) {
            return R::fail("\"" + std::string(text) +
                           "\" is not a duration (e.g. 30m, 1h, 1h30m, 2d)");
        }
        switch (text[i]) {
            case 's':
                total += n;
                break;
            case 'm':
                total += n * 60;
                break;
            case 'h':
                total += n * 3600;
                break;
            case 'd':
                total += n * 86400;
                break;
            case 'w':
                total += n * 604800;
                break;
            default:
                if (std::isalpha(static_cast<unsigned char>(text[i])) == 0) {
                    return R::fail("\"" + std::string(text) +
                                   "\" is not a duration (e.g. 30m, 1h, 1h30m, 2d)");
                }
                return R::fail("unknown unit '" + std::string(1, text[i]) + "' in \"" +
                               std::string(text) + "\" (units: s, m, h, d, w)");
        }
        ++i;
    }
    return R::ok(std::chrono::seconds(total));
}

std::string format_duration(std::chrono::seconds d) {
    long long s = d.count();
    if (s == 0) {
        return "0s";
    }
    std::string out;
    const std::pair<long long, char> units[] = {
        {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (auto [size, unit] : units) {
        if (s >= size) {
            out += std::to_string(s / size) + unit;
            s %= size;
        }
    }
    return out;
}

}  // namespace bk::domain
