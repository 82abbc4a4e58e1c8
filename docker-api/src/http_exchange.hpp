#pragma once
// The HTTP/1.1 exchanges of the client, as templates over the stream type: instantiated for the
// real socket stream in client.cpp and for beast::test::stream in the protocol tests. Internal.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dockerapi/client.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/stream_demux.hpp"
#include "json_models.hpp"

namespace dockerapi::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

inline constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

// Deadlines: beast::basic_stream has them; test streams do not.
template <class S>
void arm(S& /*stream*/, std::chrono::milliseconds /*d*/) {}
template <class P, class E, class R>
void arm(beast::basic_stream<P, E, R>& s, std::chrono::milliseconds d) {
    s.expires_after(d);
}
template <class S>
void disarm(S& /*stream*/) {}
template <class P, class E, class R>
void disarm(beast::basic_stream<P, E, R>& s) {
    s.expires_never();
}

/// Maps an I/O error to a dockerapi error; `during` says what the client was doing.
Error io_error(const boost::system::error_code& ec, std::string_view during);

/// Maps a non-success HTTP status and its body to a dockerapi error.
Error status_error(unsigned status, std::string_view body);

using StringResponse = http::response<http::string_body>;

struct Exchanged {
    Result<StringResponse> response;
    bool nothing_received{false};  ///< the daemon sent no byte: safe to retry on a new connection
};

/// One request, one complete response (ordinary calls).
template <class S>
Task<Exchanged> exchange(S& s,
                         beast::flat_buffer& buf,
                         const http::request<http::string_body>& req,
                         std::size_t body_limit,
                         std::chrono::milliseconds timeout) {
    arm(s, timeout);
    auto [wec, wn] = co_await http::async_write(s, req, kUse);
    if (wec) {
        co_return Exchanged{io_error(wec, "sending the request"), true};
    }
    http::response_parser<http::string_body> p;
    p.body_limit(body_limit);
    if (req.method() == http::verb::head) {
        p.skip(true);
    }
    arm(s, timeout);
    auto [rec, rn] = co_await http::async_read(s, buf, p, kUse);
    if (rec) {
        co_return Exchanged{io_error(rec, "reading the response"), !p.got_some()};
    }
    co_return Exchanged{p.release(), false};
}

/// Writes a request and reads the response header of a streaming response. For a non-success
/// status, reads (a bounded part of) the body and returns the daemon's error.
template <class S, class Body>
Task<Result<void>> start_stream(S& s,
                                beast::flat_buffer& buf,
                                const http::request<http::string_body>& req,
                                http::response_parser<Body>& p,
                                std::chrono::milliseconds timeout) {
    arm(s, timeout);
    auto [wec, wn] = co_await http::async_write(s, req, kUse);
    if (wec) {
        co_return io_error(wec, "sending the request");
    }
    arm(s, timeout);
    auto [rec, rn] = co_await http::async_read_header(s, buf, p, kUse);
    if (rec) {
        co_return io_error(rec, "reading the response header");
    }
    const unsigned status = p.get().result_int();
    if (status >= 200 && status < 300) {
        disarm(s);
        co_return Result<void>{};
    }
    if (status == 101) {
        disarm(s);
        co_return Result<void>{};
    }
    // An error: its body is small and complete.
    std::string body;
    std::vector<char> chunk(4096);
    while (!p.is_done() && body.size() < 65536) {
        if constexpr (std::is_same_v<Body, http::buffer_body>) {
            p.get().body().data = chunk.data();
            p.get().body().size = chunk.size();
            auto [ec, n] = co_await http::async_read_some(s, buf, p, kUse);
            if (ec && ec != http::error::need_buffer) {
                break;
            }
            body.append(chunk.data(), chunk.size() - p.get().body().size);
        } else {
            auto [ec, n] = co_await http::async_read(s, buf, p, kUse);
            if (!ec) {
                body = p.get().body();
            }
            break;
        }
    }
    co_return status_error(status, body);
}

/// The next piece of a streaming body, or an empty span once the message is complete.
template <class S>
Task<Result<std::span<const char>>> read_body_some(S& s,
                                                   beast::flat_buffer& buf,
                                                   http::response_parser<http::buffer_body>& p,
                                                   std::vector<char>& chunk) {
    while (!p.is_done()) {
        p.get().body().data = chunk.data();
        p.get().body().size = chunk.size();
        auto [ec, n] = co_await http::async_read_some(s, buf, p, kUse);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            co_return io_error(ec, "reading a stream");
        }
        const std::size_t got = chunk.size() - p.get().body().size;
        if (got > 0) {
            co_return std::span<const char>(chunk.data(), got);
        }
    }
    co_return std::span<const char>{};
}

/// Hands every payload piece of `input` to `sink`.
inline Task<Result<void>> deliver(StreamDemux& demux,
                                  std::span<const char> input,
                                  StreamSink& sink,
                                  StreamTotals& totals) {
    while (auto piece = demux.next(input)) {
        if (piece->kind == StreamKind::stderr_stream) {
            totals.stderr_bytes += piece->data.size();
        } else {
            totals.stdout_bytes += piece->data.size();
        }
        std::error_code sec = co_await sink.write(piece->kind, piece->data);
        if (sec) {
            co_return Error{errc::sink_failed, 0, sec.message()};
        }
    }
    if (demux.status() == StreamDemux::Status::corrupt) {
        co_return Error{errc::protocol, 0, "corrupt frame header in the attached stream"};
    }
    co_return Result<void>{};
}

/// Demultiplexes a hijacked stream into `sink` until EOF: first the bytes the header read left
/// in `buf` (they belong to the stream), then the raw socket.
template <class S>
Task<Result<StreamTotals>> pump_frames(S& s,
                                       beast::flat_buffer& buf,
                                       std::vector<char>& chunk,
                                       StreamSink& sink) {
    StreamDemux demux;
    StreamTotals totals;
    if (buf.size() > 0) {
        auto r = co_await deliver(
            demux, {static_cast<const char*>(buf.data().data()), buf.data().size()}, sink, totals);
        buf.consume(buf.size());
        if (!r) {
            co_return r.error();
        }
    }
    for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), kUse);
        if (ec == asio::error::eof || ec == http::error::end_of_stream) {
            if (!demux.at_frame_boundary()) {
                co_return Error{
                    errc::truncated_stream, 0, "the stream ended in the middle of a frame"};
            }
            co_return totals;
        }
        if (ec) {
            co_return io_error(ec, "reading the attached stream");
        }
        auto r = co_await deliver(demux, {chunk.data(), n}, sink, totals);
        if (!r) {
            co_return r.error();
        }
    }
}

}  // namespace dockerapi::detail
