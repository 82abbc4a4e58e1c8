#include "adapters/time/system_zone.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace bk::adapters::time {

Result<domain::UtcOffset> system_zone(const std::string& zone) {
    if (zone.empty() || zone.find("..") != std::string::npos ||
        (zone != "UTC" && !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone))) {
        return Failure{errc::invalid_config,
                       "timezone \"" + zone + "\" is not in /usr/share/zoneinfo (install tzdata?)"};
    }
    // One zone per process: the operator's. localtime_r reads TZ after tzset. Called while
    // bootstrap wires, before any other thread runs.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    ::setenv("TZ", zone == "UTC" ? "UTC0" : (":" + zone).c_str(), 1);
    ::tzset();
    return domain::UtcOffset([](std::int64_t utc) {
        const std::time_t t = static_cast<std::time_t>(utc);
        std::tm tm{};
        ::localtime_r(&t, &tm);
        return static_cast<std::int64_t>(tm.tm_gmtoff);
    });
}

}  // namespace bk::adapters::time
