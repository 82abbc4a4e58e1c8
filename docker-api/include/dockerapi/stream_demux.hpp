#pragma once
// Decoder of the multiplexed attach/exec stream (Tty=false): 8-byte headers
// [type, 0, 0, 0, len(4, big-endian)] followed by len payload bytes. Frames are arbitrary
// slices of output, not lines. Pure: no I/O, no allocation, zero copy.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace dockerapi {

enum class StreamKind : std::uint8_t { stdin_stream = 0, stdout_stream = 1, stderr_stream = 2 };

/// A run of payload bytes of one stream; points into the caller's input buffer.
struct StreamPiece {
    StreamKind kind;
    std::span<const char> data;
};

class StreamDemux {
public:
    enum class Status { ok, corrupt };

    /// Takes bytes from the front of `input` (advancing it) and returns the next payload piece,
    /// or nothing when `input` is used up (a header split across calls is kept inside).
    /// After a corrupt header, status() is corrupt and nothing more is returned.
    std::optional<StreamPiece> next(std::span<const char>& input);

    [[nodiscard]] Status status() const noexcept { return status_; }
    /// True between frames: a stream that ends here ended cleanly.
    [[nodiscard]] bool at_frame_boundary() const noexcept {
        return header_have_ == 0 && remaining_ == 0;
    }

private:
    std::array<unsigned char, 8> header_{};
    std::size_t header_have_{0};
    std::uint32_t remaining_{0};
    StreamKind kind_{StreamKind::stdout_stream};
    Status status_{Status::ok};
};

}  // namespace dockerapi
