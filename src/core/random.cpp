#include "core/random.hpp"

#include <cerrno>
#include <system_error>
#include <vector>

#include <sys/random.h>

namespace bk {

Result<std::string> random_hex(std::size_t bytes) {
    return random_hex(bytes, [](void* buffer, std::size_t length, unsigned flags) {
        return ::getrandom(buffer, length, flags);
    });
}

Result<std::string> random_hex(std::size_t bytes, const RandomSource& source) {
    std::vector<unsigned char> raw(bytes);
    std::size_t got = 0;
    while (got < raw.size()) {
        errno = 0;
        const ssize_t n = source(raw.data() + got, raw.size() - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int err = errno;
            return Failure{errc::io_error,
                           "cannot read random bytes (getrandom: " +
                               (n < 0 && err != 0 ? std::generic_category().message(err)
                                                  : std::string("no bytes")) +
                               ")"};
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * raw.size());
    for (const unsigned char c : raw) {
        out += kHex[c >> 4U];
        out += kHex[c & 15U];
    }
    return out;
}

}  // namespace bk
