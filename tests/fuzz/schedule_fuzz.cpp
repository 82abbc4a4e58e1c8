// Cron and duration parsing over any text (first byte: which; the rest: the text): a value or an
// error, never an exception; a cron that parses answers next_due (later than its start, on a
// minute, matching the schedule) in bounded time; a duration survives format_duration.
#include <chrono>
#include <ctime>
#include <string>

#include "domain/duration.hpp"
#include "domain/schedule.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bk::domain;  // NOLINT(google-build-using-namespace)
    bk::fuzz::FuzzInput in(data, size);
    const auto choice = in.byte();
    const auto text = in.rest();
    if (choice % 2 == 0) {
        auto cron = parse_cron(text);
        BK_FUZZ_CHECK(cron.value.has_value() != !cron.error.empty());
        if (!cron)
            return 0;
        // A fixed offset chosen by the input (whole quarter hours, -12h..+14h).
        const std::int64_t offset = (static_cast<std::int64_t>(choice >> 1) % 105 - 48) * 900;
        const UtcOffset utc_offset = [offset](std::int64_t) { return offset; };
        const std::int64_t after = 1'798'761'600;  // 2027-01-01T00:00:00Z
        const auto due = next_due(*cron, after, utc_offset);
        BK_FUZZ_CHECK(due == -1 || (due > after && due % 60 == 0));
        if (due != -1) {
            const std::time_t local = static_cast<std::time_t>(due + offset);
            std::tm tm{};
            gmtime_r(&local, &tm);
            BK_FUZZ_CHECK(
                cron->matches(tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1, tm.tm_wday));
            (void)interval_after(*cron, after, utc_offset);
        }
        return 0;
    }
    auto d = parse_duration(text);
    BK_FUZZ_CHECK(d.value.has_value() != !d.error.empty());
    if (!d)
        return 0;
    if (d->count() >= 0) {
        const auto again = parse_duration(format_duration(*d));
        BK_FUZZ_CHECK(!again || *again == *d);
    }
    return 0;
}
