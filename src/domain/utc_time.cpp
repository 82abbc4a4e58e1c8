#include "domain/utc_time.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace bk::domain {

std::int64_t unix_now() {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf,
                  sizeof buf,
                  "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  tm.tm_year + 1900,
                  tm.tm_mon + 1,
                  tm.tm_mday,
                  tm.tm_hour,
                  tm.tm_min,
                  tm.tm_sec,
                  static_cast<int>(ms.count()));
    return buf;
}

std::string format_utc(std::int64_t seconds) {
    if (seconds < 0)
        return {};
    std::tm tm{};
    const auto t = static_cast<std::time_t>(seconds);
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::int64_t parse_utc(const std::string& iso) {
    std::tm tm{};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<std::int64_t>(::timegm(&tm));
}

double utc_timestamp(const std::string& iso) {
    const auto t = parse_utc(iso);
    if (t < 0)
        return 0;
    const auto dot = iso.find('.');
    return static_cast<double>(t) +
           (dot == std::string::npos ? 0.0 : std::atoi(iso.substr(dot + 1, 3).c_str()) / 1000.0);
}

double seconds_between(const std::string& a, const std::string& b) {
    if (parse_utc(a) < 0 || parse_utc(b) < 0)
        return 0;
    return utc_timestamp(b) - utc_timestamp(a);
}

}  // namespace bk::domain
