// The attach stream demultiplexer over any bytes (first line: the sizes of the reads): every
// payload byte it returns is a byte of the input, in order, and a split never changes the result.
#include <string>

#include "dockerapi/stream_demux.hpp"
#include "fuzz_input.hpp"

namespace {

struct Out {
    std::string stdout_bytes;
    std::string stderr_bytes;
    dockerapi::StreamDemux::Status status{};
    bool boundary{false};
};

template <class Split>
Out run(std::string_view bytes, Split&& split) {
    Out o;
    dockerapi::StreamDemux d;
    split(bytes, [&](std::span<const char> input) {
        const char* const begin = input.data();
        const char* const end = begin + input.size();
        while (auto piece = d.next(input)) {
            BK_FUZZ_CHECK(piece->data.data() >= begin);
            BK_FUZZ_CHECK(piece->data.data() + piece->data.size() <= end);
            auto& dst = piece->kind == dockerapi::StreamKind::stderr_stream ? o.stderr_bytes
                                                                            : o.stdout_bytes;
            dst.append(piece->data.data(), piece->data.size());
        }
        // Everything is taken, unless the stream went corrupt.
        BK_FUZZ_CHECK(input.empty() || d.status() == dockerapi::StreamDemux::Status::corrupt);
    });
    o.status = d.status();
    o.boundary = d.at_frame_boundary();
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bk::fuzz::FuzzInput in(data, size);
    const auto sizes = in.line();
    const auto bytes = in.rest();
    const auto split = run(
        bytes, [sizes](std::string_view b, auto&& feed) { bk::fuzz::in_pieces(b, sizes, feed); });
    const auto whole = run(bytes, [](std::string_view b, auto&& feed) {
        feed(std::span<const char>(b.data(), b.size()));
    });
    BK_FUZZ_CHECK(split.stdout_bytes == whole.stdout_bytes);
    BK_FUZZ_CHECK(split.stderr_bytes == whole.stderr_bytes);
    BK_FUZZ_CHECK(split.status == whole.status);
    BK_FUZZ_CHECK(split.boundary == whole.boundary);
    BK_FUZZ_CHECK(whole.stdout_bytes.size() + whole.stderr_bytes.size() <= bytes.size());
    return 0;
}
