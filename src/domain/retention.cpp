#include "domain/retention.hpp"

#include <array>
#include <charconv>

#include "domain/suggest.hpp"

namespace bk::domain {
namespace {
constexpr std::array<std::string_view, 6> kKeys{
    "last", "hourly", "daily", "weekly", "monthly", "yearly"};

int* slot(Retention& r, std::string_view key) {
    if (key == "last")
        return &r.last;
    if (key == "hourly")
        return &r.hourly;
    if (key == "daily")
        return &r.daily;
    if (key == "weekly")
        return &r.weekly;
    if (key == "monthly")
        return &r.monthly;
    if (key == "yearly")
        return &r.yearly;
    return nullptr;
}
}  // namespace

std::string Retention::to_string() const {
    std::string out;
    auto add = [&out](const char* k, int v) {
        if (v > 0) {
            out += (out.empty() ? "" : ",") + std::string(k) + "=" + std::to_string(v);
        }
    };
    add("last", last);
    add("hourly", hourly);
    add("daily", daily);
    add("weekly", weekly);
    add("monthly", monthly);
    add("yearly", yearly);
    return out;
}

Parsed<Retention> parse_retention(std::string_view text) {
    Retention r;
    if (text.find_first_not_of(' ') == std::string_view::npos) {
        return Parsed<Retention>::fail("empty retention; e.g. last=3,daily=7,weekly=4,monthly=6");
    }
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        std::string_view item = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            return Parsed<Retention>::fail("\"" + std::string(item) + "\" is not key=count");
        }
        std::string_view key = item.substr(0, eq);
        std::string_view num = item.substr(eq + 1);
        int* dst = slot(r, key);
        if (dst == nullptr) {
            std::string why = "unknown key \"" + std::string(key) + "\"";
            if (auto near = nearest(key, kKeys)) {
                why += "; did you mean \"" + *near + "\"?";
            } else {
                why += " (keys: last, hourly, daily, weekly, monthly, yearly)";
            }
            return Parsed<Retention>::fail(why);
        }
        int v = 0;
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
        if (ec != std::errc{} || p != num.data() + num.size() || v < 0 || v > 100000) {
            return Parsed<Retention>::fail("\"" + std::string(num) + "\" for " + std::string(key) +
                                           " is not a count (0 or more)");
        }
        if (*dst != 0) {
            return Parsed<Retention>::fail(std::string(key) + " is given twice");
        }
        *dst = v;
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (r.empty()) {
        return Parsed<Retention>::fail("keeps nothing: at least one count must be above 0");
    }
    return Parsed<Retention>::ok(r);
}

}  // namespace bk::domain
