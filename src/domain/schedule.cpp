#include "domain/schedule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace bk::domain {
namespace {

struct Field {
    const char* name;
    int lo;
    int hi;
    const std::array<std::string_view, 13>* names;  // index = value
};

constexpr std::array<std::string_view, 13> kMonthNames{
    "", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 13> kDayNames{
    "sun", "mon", "tue", "wed", "thu", "fri", "sat", "", "", "", "", "", ""};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(
            s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) {
            return out;
        }
        start = pos + 1;
    }
}

bool parse_value(std::string_view s, const Field& f, int& out) {
    if (f.names != nullptr && s.size() == 3) {
        std::string lower(s);
        for (auto& c : lower) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        for (std::size_t i = 0; i < f.names->size(); ++i) {
            if (!(*f.names)[i].empty() && (*f.names)[i] == lower) {
                out = static_cast<int>(i);
                return true;
            }
        }
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// Fills `bits` (indexed by value) from one field; returns an error text or "".
template <std::size_t N>
std::string parse_field(std::string_view text, const Field& f, std::bitset<N>& bits, bool& star) {
    star = text == "*";
    for (auto part : split(text, ',')) {
        if (part.empty()) {
            return std::string(f.name) + ": empty list item in \"" + std::string(text) + "\"";
        }
        int step = 1;
        if (auto slash = part.find('/'); slash != std::string_view::npos) {
            auto st = part.substr(slash + 1);
            if (!parse_value(st, Field{f.name, 1, 1000, nullptr}, step) || step < 1) {
                return std::string(f.name) + ": bad step \"" + std::string(st) + "\"";
            }
            part = part.substr(0, slash);
            star = false;
        }
        int lo = f.lo;
        int hi = f.hi;
        if (part != "*") {
            auto dash = part.find('-');
            auto first = part.substr(0, dash);
            if (!parse_value(first, f, lo)) {
                return std::string(f.name) + ": \"" + std::string(first) + "\" is not a value";
            }
            hi = lo;
            if (dash != std::string_view::npos) {
                auto last = part.substr(dash + 1);
                if (!parse_value(last, f, hi)) {
                    return std::string(f.name) + ": \"" + std::string(last) + "\" is not a value";
                }
            } else if (step != 1) {
                hi = f.hi;  // "5/15" means 5-max/15
            }
            // Sunday may be written 7.
            if (f.lo == 0 && f.hi == 6) {
                lo = lo == 7 ? 0 : lo;
                hi = hi == 7 ? 6 : hi;
            }
            if (lo < f.lo || lo > f.hi || hi < f.lo || hi > f.hi) {
                const int bad = (lo < f.lo || lo > f.hi) ? lo : hi;
                return std::string(f.name) + ": " + std::to_string(bad) + " is out of range " +
                       std::to_string(f.lo) + "-" + std::to_string(f.hi);
            }
            if (lo > hi) {
                return std::string(f.name) + ": range " + std::string(part) + " runs backwards";
            }
        }
        for (int v = lo; v <= hi; v += step) {
            bits.set(static_cast<std::size_t>(v));
        }
    }
    return {};
}

}  // namespace

bool CronSchedule::matches(int minute, int hour, int day, int month, int weekday) const {
    if (!minutes.test(static_cast<std::size_t>(minute)) ||
        !hours.test(static_cast<std::size_t>(hour)) ||
        !months.test(static_cast<std::size_t>(month))) {
        return false;
    }
    const bool dom = days.test(static_cast<std::size_t>(day));
    const bool dow = weekdays.test(static_cast<std::size_t>(weekday));
    if (any_day && any_weekday) {
        return true;
    }
    if (any_day) {
        return dow;
    }
    if (any_weekday) {
        return dom;
    }
    return dom || dow;
}

Parsed<CronSchedule> parse_cron(std::string_view text) {
    std::string t(text);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) {
        t.pop_back();
    }
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) {
        t.erase(0, 1);
    }
    std::string expanded = t;
    if (t.starts_with('@')) {
        if (t == "@hourly") {
            expanded = "0 * * * *";
        } else if (t == "@daily" || t == "@midnight") {
            expanded = "0 0 * * *";
        } else if (t == "@weekly") {
            expanded = "0 0 * * 0";
        } else if (t == "@monthly") {
            expanded = "0 0 1 * *";
        } else if (t == "@yearly" || t == "@annually") {
            expanded = "0 0 1 1 *";
        } else {
            return Parsed<CronSchedule>::fail(
                "unknown macro \"" + t + "\" (use @hourly, @daily, @weekly, @monthly or @yearly)");
        }
    }
    std::vector<std::string_view> fields;
    std::string_view rest = expanded;
    while (!rest.empty()) {
        auto start = rest.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            break;
        }
        rest = rest.substr(start);
        auto end = rest.find_first_of(" \t");
        fields.push_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    if (fields.size() != 5) {
        return Parsed<CronSchedule>::fail(
            "expected 5 fields (minute hour day-of-month month day-of-week), got " +
            std::to_string(fields.size()));
    }
    CronSchedule c;
    c.text = t;
    bool star = false;
    const Field minute{"minute", 0, 59, nullptr};
    const Field hour{"hour", 0, 23, nullptr};
    const Field dom{"day-of-month", 1, 31, nullptr};
    const Field month{"month", 1, 12, &kMonthNames};
    const Field dow{"day-of-week", 0, 6, &kDayNames};
    std::string err = parse_field(fields[0], minute, c.minutes, star);
    if (err.empty()) {
        err = parse_field(fields[1], hour, c.hours, star);
    }
    if (err.empty()) {
        err = parse_field(fields[2], dom, c.days, c.any_day);
    }
    if (err.empty()) {
        err = parse_field(fields[3], month, c.months, star);
    }
    if (err.empty()) {
        err = parse_field(fields[4], dow, c.weekdays, c.any_weekday);
    }
    if (!err.empty()) {
        return Parsed<CronSchedule>::fail(err);
    }
    // Days restricted, weekdays not: one of the days must exist in one of the months (29
    // February does, every four years), or the schedule is accepted and never runs.
    if (!c.any_day && c.any_weekday) {
        constexpr std::array<int, 13> kLongest{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool possible = false;
        for (int m = 1; m <= 12 && !possible; ++m) {
            for (int d = 1; d <= kLongest[static_cast<std::size_t>(m)] && !possible; ++d) {
                possible = c.months.test(static_cast<std::size_t>(m)) &&
                           c.days.test(static_cast<std::size_t>(d));
            }
        }
        if (!possible) {
            return Parsed<CronSchedule>::fail(
                "day-of-month \"" + std::string(fields[2]) + "\" never falls in month \"" +
                std::string(fields[3]) + "\": the schedule would never run");
        }
    }
    return Parsed<CronSchedule>::ok(std::move(c));
}

namespace {

struct LocalFields {
    int minute, hour, day, month, weekday;
};

// Civil fields of a "local seconds" value (UTC arithmetic on the shifted instant).
LocalFields fields_of(std::int64_t local) {
    std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const std::int64_t secs = local - days * 86400;
    const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    // Howard Hinnant's days -> civil.
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int>((secs / 60) % 60),
            static_cast<int>(secs / 3600),
            static_cast<int>(d),
            static_cast<int>(m),
            weekday};
}

bool matches_local(const CronSchedule& c, std::int64_t local) {
    const auto f = fields_of(local);
    return c.matches(f.minute, f.hour, f.day, f.month, f.weekday);
}

bool day_and_hour_match(const CronSchedule& c, std::int64_t local) {
    const auto f = fields_of(local);
    for (int m = 0; m < 60; ++m) {
        if (c.minutes.test(static_cast<std::size_t>(m))) {
            return c.matches(m, f.hour, f.day, f.month, f.weekday);
        }
    }
    return false;
}

}  // namespace

std::int64_t next_due(const CronSchedule& cron, std::int64_t after, const UtcOffset& offset) {
    auto local = [&](std::int64_t utc) { return utc + offset(utc); };
    std::int64_t t = (after >= 0 ? after / 60 : (after - 59) / 60) * 60 + 60;
    std::int64_t prev = t - 60;
    std::int64_t prev_local = local(prev);
    // The latest local time already passed: a fall-back repeats local times, which run once.
    std::int64_t high = prev_local;
    for (std::int64_t back = 60; back <= std::int64_t{3} * 3600; back += 60) {
        high = std::max(high, local(prev - back));
    }
    const std::int64_t limit = t + 5LL * 366 * 86400;
    while (t < limit) {
        const std::int64_t lt = local(t);
        const std::int64_t expected = prev_local + (t - prev);
        if (lt > expected) {
            // Spring forward: the local minutes in [expected, lt) never happen; one that was
            // due runs now, once.
            for (std::int64_t m = expected; m < lt; m += 60) {
                if (m > high && matches_local(cron, m))
                    return t;
            }
        }
        if (lt > high && matches_local(cron, lt))
            return t;
        high = std::max(high, lt);
        // Minute by minute within a matching local hour, else to the next quarter hour (every
        // zone's offset is a multiple of 15 minutes, so no change of offset is stepped over).
        const std::int64_t step =
            day_and_hour_match(cron, lt) ? 60 : 900 - (((lt % 900) + 900) % 900);
        prev = t;
        prev_local = lt;
        t += step;
    }
    return -1;
}

std::int64_t interval_after(const CronSchedule& cron, std::int64_t after, const UtcOffset& offset) {
    const auto first = next_due(cron, after, offset);
    if (first < 0)
        return -1;
    const auto second = next_due(cron, first, offset);
    return second < 0 ? -1 : second - first;
}

}  // namespace bk::domain
