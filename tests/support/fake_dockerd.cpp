#include "support/fake_dockerd.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/decode_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace bk::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using local = asio::local::stream_protocol;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string FakeRequest::param(const std::string& name) const {
    std::size_t pos = 0;
    while (pos <= query.size()) {
        auto amp = query.find('&', pos);
        std::string kv =
            query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        auto eq = kv.find('=');
        if (kv.substr(0, eq) == name) {
            std::string raw = eq == std::string::npos ? "" : kv.substr(eq + 1);
            boost::urls::decode_view dv(raw);
            return std::string(dv.begin(), dv.end());
        }
        if (amp == std::string::npos) {
            break;
        }
        pos = amp + 1;
    }
    return {};
}

FakeReply FakeReply::json(std::string body, unsigned status) {
    FakeReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

FakeReply FakeReply::error(unsigned status, const std::string& message) {
    return json(R"({"message":")" + message + "\"}\n", status);
}

struct Route {
    std::string method;
    std::regex path;
    FakeDockerd::Handler handler;
};

struct FakeDockerd::State {
    explicit State(asio::io_context& c) : ioc(c), acceptor(c) {}
    asio::io_context& ioc;
    local::acceptor acceptor;
    std::string socket_path;
    std::vector<Route> routes;
    std::vector<FakeRequest> requests;
    std::vector<std::weak_ptr<local::socket>> sockets;
    int accepted{0};
    bool stopped{false};
};

namespace {

const char* reason(unsigned status) {
    switch (status) {
        case 101:
            return "UPGRADED";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 409:
            return "Conflict";
        case 500:
            return "Internal Server Error";
        default:
            return "Status";
    }
}

std::string serialize_reply(const FakeReply& r) {
    std::string out;
    if (r.hijack) {
        out =
            "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
            "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
        return out + r.body;
    }
    out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
    if (!r.headers.contains("Api-Version")) {
        out += "Api-Version: 1.41\r\n";
    }
    out += "Server: Docker/20.10.24+dfsg1 (linux)\r\n";
    for (const auto& [k, v] : r.headers) {
        out += k + ": " + v + "\r\n";
    }
    if (r.close) {
        out += "Connection: close\r\n";
    }
    if (r.status == 204 || r.status == 304) {
        return out + "\r\n";
    }
    if (!r.content_type.empty()) {
        out += "Content-Type: " + r.content_type + "\r\n";
    }
    if (!r.chunks.empty() || !r.end_chunks) {
        out += "Transfer-Encoding: chunked\r\n\r\n";
        for (const auto& c : r.chunks) {
            char hex[32];
            std::snprintf(hex, sizeof hex, "%zx\r\n", c.size());
            out += hex + c + "\r\n";
        }
        if (r.end_chunks) {
            out += "0\r\n\r\n";
        }
        return out;
    }
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
    return out + r.body;
}

FakeRequest to_fake(const http::request<http::string_body>& req, int connection) {
    FakeRequest f;
    f.method = std::string(req.method_string());
    f.target = std::string(req.target());
    f.body = req.body();
    f.connection = connection;
    for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
            return static_cast<char>(std::tolower(c));
        });
        f.headers[name] = std::string(field.value());
    }
    std::string path = f.target;
    if (auto q = path.find('?'); q != std::string::npos) {
        f.query = path.substr(q + 1);
        path.resize(q);
    }
    static const std::regex version_prefix(R"(^/v[0-9]+\.[0-9]+(/.*)$)");
    std::smatch m;
    if (std::regex_match(path, m, version_prefix)) {
        path = m[1];
    }
    f.path = path;
    return f;
}

asio::awaitable<void> serve(std::shared_ptr<FakeDockerd::State> st,
                            std::shared_ptr<local::socket> sock,
                            int connection) {
    boost::beast::flat_buffer buf;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        auto [ec, n] = co_await http::async_read(*sock, buf, parser, kUse);
        if (ec) {
            co_return;
        }
        FakeRequest req = to_fake(parser.get(), connection);
        st->requests.push_back(req);
        FakeReply reply = FakeReply::error(404, "page not found");
        for (auto it = st->routes.rbegin(); it != st->routes.rend(); ++it) {
            if (it->method == req.method && std::regex_match(req.path, it->path)) {
                reply = it->handler(req);
                break;
            }
        }
        if (reply.never_answer) {
            // Stay silent until the client gives up (or the server is destroyed).
            asio::steady_timer t(st->ioc, std::chrono::hours(1));
            co_await t.async_wait(kUse);
            co_return;
        }
        std::string bytes = serialize_reply(reply);
        if (reply.cut_after && *reply.cut_after < bytes.size()) {
            bytes.resize(*reply.cut_after);
            co_await asio::async_write(*sock, asio::buffer(bytes), kUse);
            boost::system::error_code ignored;
            sock->shutdown(local::socket::shutdown_both, ignored);
            sock->close(ignored);
            co_return;
        }
        auto [wec, wn] = co_await asio::async_write(*sock, asio::buffer(bytes), kUse);
        if (wec) {
            co_return;
        }
        if (!reply.end_chunks) {
            // An open stream: wait until the client or the test closes it.
            char c;
            co_await sock->async_read_some(asio::buffer(&c, 1), kUse);
            co_return;
        }
        if (reply.hijack && reply.drain_stdin) {
            // A process that reads its stdin to the end, then exits (stdout closes).
            std::array<char, 4096> sink{};
            for (;;) {
                auto [rec, rn] = co_await sock->async_read_some(asio::buffer(sink), kUse);
                if (rec)
                    break;
            }
        }
        if (reply.hijack || reply.close) {
            boost::system::error_code ignored;
            sock->shutdown(local::socket::shutdown_both, ignored);
            sock->close(ignored);
            co_return;
        }
    }
}

asio::awaitable<void> accept_loop(std::shared_ptr<FakeDockerd::State> st) {
    for (;;) {
        auto sock = std::make_shared<local::socket>(st->ioc);
        auto [ec] = co_await st->acceptor.async_accept(*sock, kUse);
        if (ec || st->stopped) {
            co_return;
        }
        st->sockets.push_back(sock);
        const int id = ++st->accepted;
        asio::co_spawn(st->ioc, serve(st, sock, id), asio::detached);
    }
}

}  // namespace

FakeDockerd::FakeDockerd(asio::io_context& ioc, std::string api_version)
    : state_(std::make_shared<State>(ioc)) {
    state_->socket_path = (dir_.path() / "d.sock").string();
    local::endpoint ep(state_->socket_path);
    state_->acceptor.open(ep.protocol());
    state_->acceptor.bind(ep);
    state_->acceptor.listen();
    route("GET", "/_ping", [api_version](const FakeRequest&) {
        FakeReply r;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "OK";
        r.headers["Api-Version"] = api_version;
        r.headers["Ostype"] = "linux";
        return r;
    });
    asio::co_spawn(ioc, accept_loop(state_), asio::detached);
}

FakeDockerd::~FakeDockerd() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    drop_connections();
}

std::string FakeDockerd::socket_path() const {
    return state_->socket_path;
}

void FakeDockerd::route(const std::string& method, const std::string& path_regex, Handler handler) {
    state_->routes.push_back(Route{method, std::regex(path_regex), std::move(handler)});
}

void FakeDockerd::drop_connections() {
    for (auto& weak : state_->sockets) {
        if (auto s = weak.lock()) {
            boost::system::error_code ignored;
            s->shutdown(local::socket::shutdown_both, ignored);
            s->close(ignored);
        }
    }
    state_->sockets.clear();
}

const std::vector<FakeRequest>& FakeDockerd::requests() const {
    return state_->requests;
}

int FakeDockerd::connections_accepted() const {
    return state_->accepted;
}

}  // namespace bk::testing
