#pragma once
// Helpers for tests of multiplexed streams: build frames, collect what a sink receives.

#include <cstdint>
#include <string>

#include "dockerapi/client.hpp"

namespace bk::testing {

/// One frame of the attach/exec stream: [type, 0, 0, 0, length (big-endian)] + payload.
inline std::string frame(int type, const std::string& payload) {
    std::string h(8, '\0');
    h[0] = static_cast<char>(type);
    const auto n = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) {
        h[static_cast<std::size_t>(7 - i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    }
    return h + payload;
}

/// Keeps stdout and stderr apart; refuses bytes past `refuse_after`.
class CollectSink final : public dockerapi::StreamSink {
public:
    std::string out;
    std::string err;
    std::size_t refuse_after{SIZE_MAX};
    dockerapi::Task<std::error_code> write(dockerapi::StreamKind kind,
                                           std::span<const char> data) override {
        (kind == dockerapi::StreamKind::stderr_stream ? err : out).append(data.data(), data.size());
        if (out.size() + err.size() > refuse_after) {
            co_return std::make_error_code(std::errc::no_space_on_device);
        }
        co_return std::error_code{};
    }
};

}  // namespace bk::testing
