#pragma once
// Helpers of the fuzz targets: an input taken apart into choices, lines and the rest, and a check
// that aborts (libFuzzer records the input as a crash; the replay test fails).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#define BK_FUZZ_CHECK(cond)                                                                    \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)

namespace bk::fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size)
        : rest_(reinterpret_cast<const char*>(data), size) {}

    /// The next byte (0 when none is left).
    std::uint8_t byte() {
        if (rest_.empty())
            return 0;
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    /// Up to the next '\n' (not included), or the rest.
    std::string_view line() {
        const auto nl = rest_.find('\n');
        const auto l = rest_.substr(0, nl);
        rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
        return l;
    }
    [[nodiscard]] std::string_view rest() const { return rest_; }
    [[nodiscard]] bool empty() const { return rest_.empty(); }

private:
    std::string_view rest_;
};

/// Calls `feed` with pieces of `data` whose sizes come from `sizes` (1..256 bytes each, cycling),
/// so that a parser sees its input split at arbitrary places.
template <class Feed>
void in_pieces(std::string_view data, std::string_view sizes, Feed&& feed) {
    std::size_t k = 0;
    while (!data.empty()) {
        std::size_t n =
            sizes.empty()
                ? data.size()
                : static_cast<std::size_t>(static_cast<unsigned char>(sizes[k++ % sizes.size()])) +
                      1;
        n = std::min(n, data.size());
        feed(std::span<const char>(data.data(), n));
        data.remove_prefix(n);
    }
}

}  // namespace bk::fuzz
