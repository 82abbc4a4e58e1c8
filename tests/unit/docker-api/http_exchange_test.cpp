// Protocol tests of the client's HTTP exchanges over beast::test::stream: canned bytes split at
// every size, chunked bodies, 101 hijacks with multiplexed frames, error bodies, and every I/O
// failing in turn (fail_count) without a hang.
#include "http_exchange.hpp"

#include <boost/beast/_experimental/test/stream.hpp>
#include <catch2/catch.hpp>

#include "support/result_printing.hpp"
#include "support/run_task.hpp"
#include "support/stream_helpers.hpp"

namespace test = boost::beast::test;
using namespace dockerapi;          // NOLINT(google-build-using-namespace)
using namespace dockerapi::detail;  // NOLINT(google-build-using-namespace)
using bk::testing::run_task;

using bk::testing::CollectSink;
using bk::testing::frame;

namespace {

http::request<http::string_body> get(const std::string& target) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "docker");
    req.prepare_payload();
    return req;
}

std::string chunked(const std::vector<std::string>& chunks, bool end = true) {
    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (const auto& c : chunks) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%zx\r\n", c.size());
        out += hex + c + "\r\n";
    }
    return end ? out + "0\r\n\r\n" : out;
}

Task<Result<StreamTotals>> hijack_and_pump(test::stream& ts, CollectSink& sink) {
    beast::flat_buffer buf;
    http::response_parser<http::buffer_body> p;
    auto req = get("/v1.41/containers/x/attach?stream=1&stdout=1&stderr=1");
    auto started = co_await start_stream(ts, buf, req, p, std::chrono::seconds(5));
    if (!started) {
        co_return started.error();
    }
    std::vector<char> chunk(4096);
    co_return co_await pump_frames(ts, buf, chunk, sink);
}

Task<Result<std::string>> read_whole_stream(test::stream& ts) {
    beast::flat_buffer buf;
    http::response_parser<http::buffer_body> p;
    auto req = get("/v1.41/events");
    auto started = co_await start_stream(ts, buf, req, p, std::chrono::seconds(5));
    if (!started) {
        co_return started.error();
    }
    std::vector<char> chunk(7);  // small on purpose: many pieces
    std::string all;
    for (;;) {
        auto piece = co_await read_body_some(ts, buf, p, chunk);
        if (!piece) {
            co_return piece.error();
        }
        if (piece->empty()) {
            co_return all;
        }
        all.append(piece->data(), piece->size());
    }
}

// A connected pair: the client end reads `canned`, then EOF (the daemon end closed); what the
// client writes goes to the daemon end and is ignored.
struct Wire {
    Wire(boost::asio::io_context& ioc,
         const std::string& canned,
         std::size_t read_size = 0,
         test::fail_count* fc = nullptr)
        : client(fc != nullptr ? test::stream(ioc, *fc) : test::stream(ioc)), daemon(ioc) {
        client.connect(daemon);
        client.append(canned);
        if (read_size != 0) {
            client.read_size(read_size);
        }
        daemon.close();
    }
    test::stream client;
    test::stream daemon;
};

const std::string kUpgraded =
    "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

}  // namespace

TEST_CASE("exchange: content-length and chunked answers, read in pieces of any size", "[http]") {
    const std::string body = R"([{"Id":"abc","Names":["/x"]}])";
    const std::vector<std::string> answers = {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body,
        chunked({body.substr(0, 5), body.substr(5)}),
    };
    for (const auto& answer : answers) {
        for (std::size_t read_size : {1u, 2u, 3u, 7u, 64u, 4096u}) {
            boost::asio::io_context ioc;
            Wire w(ioc, answer, read_size);
            test::stream& ts = w.client;
            beast::flat_buffer buf;
            auto ex = run_task(
                ioc,
                exchange(ts, buf, get("/v1.41/containers/json"), 1u << 20, std::chrono::seconds(5)),
                std::chrono::seconds(5));
            REQUIRE(ex.response);
            CHECK(ex.response->result_int() == 200);
            CHECK(ex.response->body() == body);
        }
    }
}

TEST_CASE("exchange: every I/O failing in turn gives an error, never a hang", "[http]") {
    const std::string answer = chunked({R"({"Version":)", R"("20.10"})"});
    bool succeeded = false;
    for (std::size_t n = 0; n < 200 && !succeeded; ++n) {
        boost::asio::io_context ioc;
        test::fail_count fc(n);
        Wire w(ioc, answer, 3, &fc);
        test::stream& ts = w.client;
        beast::flat_buffer buf;
        auto ex =
            run_task(ioc,
                     exchange(ts, buf, get("/v1.41/version"), 1u << 20, std::chrono::seconds(5)),
                     std::chrono::seconds(5));
        if (ex.response) {
            succeeded = true;
            CHECK(ex.response->body() == R"({"Version":"20.10"})");
        } else {
            CHECK(ex.response.error().code == errc::transport);
        }
    }
    CHECK(succeeded);
}

TEST_CASE("exchange: a body over the limit and malformed HTTP are protocol errors", "[http]") {
    boost::asio::io_context ioc;
    {
        Wire w(ioc, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
        test::stream& ts = w.client;
        beast::flat_buffer buf;
        auto ex = run_task(ioc, exchange(ts, buf, get("/x"), 10, std::chrono::seconds(5)));
        REQUIRE_FALSE(ex.response);
        CHECK(ex.response.error().code == errc::protocol);
    }
    {
        Wire w(ioc, "HTTP/9 OK nonsense\r\n\r\n");
        test::stream& ts = w.client;
        beast::flat_buffer buf;
        auto ex = run_task(ioc, exchange(ts, buf, get("/x"), 10, std::chrono::seconds(5)));
        REQUIRE_FALSE(ex.response);
        CHECK(ex.response.error().code == errc::protocol);
    }
    {
        Wire w(ioc, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
        test::stream& ts = w.client;
        beast::flat_buffer buf;
        auto ex = run_task(ioc, exchange(ts, buf, get("/x"), 100, std::chrono::seconds(5)));
        REQUIRE_FALSE(ex.response);
        CHECK(ex.response.error().code == errc::truncated_stream);
        CHECK_FALSE(ex.nothing_received);
    }
}

TEST_CASE("hijack: frames after a 101, split at any size, reach the sink", "[http][attach]") {
    std::string big(100000, 'd');
    const std::string wire =
        kUpgraded + frame(1, "out1\nno-newline") + frame(2, "err1\n") + frame(1, big);
    for (std::size_t read_size : {1u, 5u, 8u, 9u, 1000u, 65536u}) {
        boost::asio::io_context ioc;
        Wire w(ioc, wire, read_size);
        test::stream& ts = w.client;
        CollectSink sink;
        auto r = run_task(ioc, hijack_and_pump(ts, sink), std::chrono::seconds(20));
        REQUIRE(r);
        CHECK(sink.out == "out1\nno-newline" + big);
        CHECK(sink.err == "err1\n");
        CHECK(r->stdout_bytes == sink.out.size());
        CHECK(r->stderr_bytes == 5);
    }
}

TEST_CASE("hijack: a stream cut mid-frame is truncated_stream", "[http][attach]") {
    const std::string full = kUpgraded + frame(1, "0123456789abcdef");
    for (std::size_t cut = kUpgraded.size() + 1; cut < full.size(); ++cut) {
        boost::asio::io_context ioc;
        Wire w(ioc, full.substr(0, cut));
        test::stream& ts = w.client;
        CollectSink sink;
        auto r = run_task(ioc, hijack_and_pump(ts, sink), std::chrono::seconds(5));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::truncated_stream);
    }
}

TEST_CASE("hijack: corrupt frames and a refusing sink stop the stream", "[http][attach]") {
    boost::asio::io_context ioc;
    {
        std::string bad = frame(1, "ok");
        bad[1] = 'x';
        Wire w(ioc, kUpgraded + bad);
        test::stream& ts = w.client;
        CollectSink sink;
        auto r = run_task(ioc, hijack_and_pump(ts, sink));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::protocol);
    }
    {
        Wire w(ioc, kUpgraded + frame(1, std::string(100, 'a')) + frame(1, "b"));
        test::stream& ts = w.client;
        CollectSink sink;
        sink.refuse_after = 10;
        auto r = run_task(ioc, hijack_and_pump(ts, sink));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::sink_failed);
    }
}

TEST_CASE("hijack: every I/O failing in turn gives an error, never a hang", "[http][attach]") {
    const std::string wire = kUpgraded + frame(1, "hello") + frame(2, "x") + frame(1, "world");
    bool succeeded = false;
    for (std::size_t n = 0; n < 200 && !succeeded; ++n) {
        boost::asio::io_context ioc;
        test::fail_count fc(n);
        Wire w(ioc, wire, 4, &fc);
        test::stream& ts = w.client;
        CollectSink sink;
        auto r = run_task(ioc, hijack_and_pump(ts, sink), std::chrono::seconds(5));
        if (r) {
            succeeded = true;
            CHECK(sink.out == "helloworld");
        } else {
            CHECK(r.error().code == errc::transport);
        }
    }
    CHECK(succeeded);
}

TEST_CASE("streams: chunked bodies arrive whole, daemon errors carry status and message",
          "[http][stream]") {
    boost::asio::io_context ioc;
    {
        Wire w(ioc, chunked({"{\"a\":1}\n{\"b\"", ":2}\n"}));
        test::stream& ts = w.client;
        ts.read_size(3);
        auto r = run_task(ioc, read_whole_stream(ts));
        REQUIRE(r);
        CHECK(*r == "{\"a\":1}\n{\"b\":2}\n");
    }
    {
        // A daemon that dies mid-stream: the chunked body never ends.
        Wire w(ioc, chunked({"{\"a\":1}\n"}, false));
        test::stream& ts = w.client;
        auto r = run_task(ioc, read_whole_stream(ts));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::truncated_stream);
    }
    {
        const std::string body = R"({"message":"No such container: x"})";
        Wire w(ioc,
               "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
        test::stream& ts = w.client;
        auto r = run_task(ioc, read_whole_stream(ts));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::not_found);
        CHECK(r.error().http_status == 404);
        CHECK(r.error().message == "No such container: x");
    }
}

TEST_CASE("status and I/O errors map to typed codes", "[http][errors]") {
    CHECK(status_error(404, R"({"message":"no such image"})").code == errc::not_found);
    CHECK(status_error(409, R"({"message":"name in use"})").code == errc::conflict);
    CHECK(status_error(304, "").code == errc::not_modified);
    CHECK(status_error(403, R"({"message":"endpoint with name a already exists in network n"})")
              .code == errc::conflict);
    CHECK(status_error(500, R"({"message":"container abc is not connected to network n"})").code ==
          errc::conflict);
    auto e500 = status_error(500, R"({"message":"boom"})");
    CHECK(e500.code == errc::daemon_error);
    CHECK(e500.describe() == "Docker daemon error: boom (HTTP 500)");
    CHECK(status_error(400, "client version 1.11 is too old\n").message ==
          "client version 1.11 is too old");

    CHECK(io_error(beast::error::timeout, "x").code == errc::timeout);
    CHECK(io_error(boost::asio::error::operation_aborted, "x").code == errc::cancelled);
    CHECK(io_error(boost::asio::error::connection_reset, "x").code == errc::transport);
    CHECK(io_error(http::error::partial_message, "x").code == errc::truncated_stream);
    CHECK(io_error(http::error::bad_chunk, "x").code == errc::protocol);
}
