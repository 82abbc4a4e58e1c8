#include "domain/telling_line.hpp"

#include <cctype>

namespace bk::domain {

std::string telling_line(std::string_view text) {
    std::string telling;
    std::string last;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = text.find('\n', start);
        std::string line(
            text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty()) {
            last = line;
            std::string lower = line;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower.find("error") != std::string::npos ||
                lower.find("fatal") != std::string::npos) {
                telling = line;
            }
        }
        if (nl == std::string_view::npos)
            break;
        start = nl + 1;
    }
    return telling.empty() ? last : telling;
}

std::string last_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    const auto nl = text.rfind('\n');
    return std::string(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

}  // namespace bk::domain
