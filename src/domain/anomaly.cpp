#include "domain/anomaly.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "domain/duration.hpp"
#include "domain/human.hpp"
#include "domain/suggest.hpp"
#include "domain/utc_time.hpp"

namespace bk::domain {
namespace {

constexpr std::array<std::string_view, 4> kKeys{
    "bytes-drop", "rows-drop", "table-gone", "unchanged"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

bool is_off(std::string_view v) {
    return v == "off" || v == "no" || v == "false" || v == "0";
}

/// "50", "50%"; "off" is 0.
Parsed<int> percent(std::string_view key, std::string_view v) {
    if (is_off(v))
        return Parsed<int>::ok(0);
    if (!v.empty() && v.back() == '%')
        v.remove_suffix(1);
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < 0 || n > 100) {
        return Parsed<int>::fail("\"" + std::string(v) + "\" for " + std::string(key) +
                                 " is not a percentage from 1 to 100 (or off)");
    }
    return Parsed<int>::ok(n);
}

/// The drop from `before` to `now` in whole percent (0 when it grew).
std::uint64_t drop_percent(std::uint64_t before, std::uint64_t now) {
    if (now >= before || before == 0)
        return 0;
    return (before - now) * 100 / before;
}

std::string when(const DumpFigures& f) {
    return "run " + f.run_id + (f.at > 0 ? " of " + format_utc(f.at) : std::string{});
}

bool same_dump(const DumpFigures& a, const DumpFigures& b) {
    return a.bytes != 0 && a.bytes == b.bytes && a.has_rows == b.has_rows && a.rows == b.rows;
}

}  // namespace

std::string AnomalyPolicy::to_string() const {
    if (off())
        return "off";
    auto pct = [](int p) { return p == 0 ? std::string("off") : std::to_string(p) + "%"; };
    return "bytes-drop=" + pct(bytes_drop) + ",rows-drop=" + pct(rows_drop) +
           ",table-gone=" + (table_gone ? "on" : "off") + ",unchanged=" +
           (unchanged.count() == 0 ? std::string("off") : format_duration(unchanged));
}

Parsed<AnomalyPolicy> parse_anomaly_policy(std::string_view text) {
    using P = Parsed<AnomalyPolicy>;
    text = trim(text);
    if (text.empty())
        return P::fail(
            "empty; e.g. rows-drop=50%,bytes-drop=50%,table-gone=on,unchanged=3d or off");
    if (text == "off")
        return P::ok(AnomalyPolicy{.bytes_drop = 0, .rows_drop = 0, .table_gone = false});
    AnomalyPolicy p;
    std::vector<std::string_view> seen;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto item = trim(text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return P::fail("\"" + std::string(item) + "\" is not key=value");
        const auto key = trim(item.substr(0, eq));
        const auto value = trim(item.substr(eq + 1));
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
            std::string why = "unknown key \"" + std::string(key) + "\"";
            if (auto near = nearest(key, kKeys))
                return P::fail(why + "; did you mean \"" + *near + "\"?");
            return P::fail(why + " (keys: bytes-drop, rows-drop, table-gone, unchanged)");
        }
        if (std::find(seen.begin(), seen.end(), key) != seen.end())
            return P::fail(std::string(key) + " is given twice");
        seen.push_back(key);
        if (key == "bytes-drop" || key == "rows-drop") {
            auto n = percent(key, value);
            if (!n)
                return P::fail(n.error);
            (key == "bytes-drop" ? p.bytes_drop : p.rows_drop) = *n;
        } else if (key == "table-gone") {
            if (value == "on" || value == "yes" || value == "true") {
                p.table_gone = true;
            } else if (is_off(value)) {
                p.table_gone = false;
            } else {
                return P::fail("\"" + std::string(value) + "\" for table-gone is not on or off");
            }
        } else if (is_off(value)) {
            p.unchanged = std::chrono::seconds{0};
        } else {
            auto d = parse_duration(value);
            if (!d)
                return P::fail("unchanged: " + d.error);
            p.unchanged = *d;
        }
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    return P::ok(p);
}

std::vector<std::string> find_anomalies(const DumpFigures& now,
                                        const std::vector<DumpFigures>& normal,
                                        const AnomalyPolicy& policy) {
    std::vector<std::string> out;
    if (normal.empty() || policy.off())
        return out;
    const auto& last = normal.front();
    if (policy.bytes_drop > 0 && now.bytes != 0 && last.bytes >= kAnomalyMinBytes) {
        const auto d = drop_percent(last.bytes, now.bytes);
        if (d >= static_cast<std::uint64_t>(policy.bytes_drop)) {
            out.push_back("dump size " + human_bytes(last.bytes) + " -> " + human_bytes(now.bytes) +
                          " (-" + std::to_string(d) + "%) since the last normal " + when(last));
        }
    }
    if (now.has_rows && last.has_rows) {
        for (const auto& [table, before] : last.rows) {
            const auto it = now.rows.find(table);
            if (it == now.rows.end()) {
                // A table left out of partial counts is not gone.
                if (policy.table_gone && now.rows_partial.empty()) {
                    out.push_back("table " + table + " is gone (it had " + std::to_string(before) +
                                  " rows in " + when(last) + ")");
                }
                continue;
            }
            if (policy.rows_drop == 0 || before < kAnomalyMinRows)
                continue;
            const auto d = drop_percent(before, it->second);
            if (d >= static_cast<std::uint64_t>(policy.rows_drop)) {
                out.push_back("table " + table + ": " + std::to_string(before) + " -> " +
                              std::to_string(it->second) + " rows (-" + std::to_string(d) +
                              "%) since " + when(last));
            }
        }
    }
    if (policy.unchanged.count() > 0 && now.at > 0) {
        // The streak of identical dumps, newest first; it must reach back the whole period.
        const DumpFigures* oldest = nullptr;
        int streak = 0;
        for (const auto& f : normal) {
            if (!same_dump(now, f) || f.at <= 0)
                break;
            oldest = &f;
            ++streak;
        }
        if (oldest != nullptr && now.at - oldest->at >= policy.unchanged.count()) {
            out.push_back("identical to the last " + std::to_string(streak) + " dump(s) since " +
                          format_utc(oldest->at) + " (unchanged for " +
                          format_duration(std::chrono::seconds{now.at - oldest->at}) +
                          ", the policy allows " + format_duration(policy.unchanged) + ")");
        }
    }
    return out;
}

}  // namespace bk::domain
