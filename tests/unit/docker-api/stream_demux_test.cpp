#include "dockerapi/stream_demux.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "support/result_printing.hpp"
#include "support/stream_helpers.hpp"

using dockerapi::StreamDemux;
using dockerapi::StreamKind;

using bk::testing::CollectSink;
using bk::testing::frame;

namespace {

struct Collected {
    std::string out;
    std::string err;
};

void feed(StreamDemux& d, const std::string& bytes, Collected& c) {
    std::span<const char> in(bytes.data(), bytes.size());
    while (auto piece = d.next(in)) {
        auto& dst = piece->kind == StreamKind::stderr_stream ? c.err : c.out;
        dst.append(piece->data.data(), piece->data.size());
    }
    CHECK(in.empty());
}

}  // namespace

TEST_CASE("demux separates stdout and stderr at every split point", "[demux]") {
    std::string big(70000, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>('a' + i % 26);
    }
    const std::string stream = frame(1, "out1\nno-newline") + frame(2, "err1\n") + frame(1, "") +
                               frame(1, big) + frame(2, "tail");
    const std::string want_out = "out1\nno-newline" + big;

    for (std::size_t split = 0; split <= stream.size(); split += (split < 64 ? 1 : 997)) {
        StreamDemux d;
        Collected c;
        feed(d, stream.substr(0, split), c);
        feed(d, stream.substr(split), c);
        REQUIRE(d.status() == StreamDemux::Status::ok);
        REQUIRE(d.at_frame_boundary());
        REQUIRE(c.out == want_out);
        REQUIRE(c.err == "err1\ntail");
    }
}

TEST_CASE("demux byte by byte over every boundary", "[demux]") {
    const std::string stream = frame(1, "hello ") + frame(2, "warn") + frame(1, "world");
    StreamDemux d;
    Collected c;
    for (char ch : stream) {
        feed(d, std::string(1, ch), c);
    }
    CHECK(c.out == "hello world");
    CHECK(c.err == "warn");
    CHECK(d.at_frame_boundary());
}

TEST_CASE("demux reports a stream cut inside a frame", "[demux]") {
    const std::string stream = frame(1, "0123456789");
    for (std::size_t cut = 1; cut < stream.size(); ++cut) {
        StreamDemux d;
        Collected c;
        feed(d, stream.substr(0, cut), c);
        CHECK_FALSE(d.at_frame_boundary());
    }
}

TEST_CASE("demux rejects a corrupt header", "[demux]") {
    SECTION("unknown stream type") {
        std::string bad = frame(1, "ok") + frame(7, "x");
        StreamDemux d;
        Collected c;
        std::span<const char> in(bad.data(), bad.size());
        while (d.next(in)) {
        }
        CHECK(d.status() == StreamDemux::Status::corrupt);
    }
    SECTION("non-zero padding") {
        std::string bad = frame(1, "ok");
        bad[2] = 1;
        StreamDemux d;
        std::span<const char> in(bad.data(), bad.size());
        CHECK_FALSE(d.next(in).has_value());
        CHECK(d.status() == StreamDemux::Status::corrupt);
    }
}
