#include "adapters/notify/http/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>

#include <cctype>

namespace bk::adapters::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 64 * 1024;

struct Target {
    bool tls{false};
    std::string host;
    std::string port;
    std::string path;  ///< with the query
};

// scheme://host[:port][/path][?query] (no user info: a URL with credentials in it is refused).
Result<Target> parse_target(const std::string& url) {
    Target t;
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        t.tls = true;
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        return Failure{errc::invalid_config, "not an http:// or https:// URL"};
    }
    const auto slash = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, slash);
    t.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (const auto hash = t.path.find('#'); hash != std::string::npos) t.path.erase(hash);
    if (t.path.empty() || t.path.front() == '?') t.path = "/" + t.path;
    if (authority.find('@') != std::string::npos) {
        return Failure{errc::invalid_config, "the URL has user info (put credentials in a secret header or file)"};
    }
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) return Failure{errc::invalid_config, "the URL has an unclosed [IPv6] host"};
        t.host = authority.substr(1, close - 1);
        authority.erase(0, close + 1);
        if (!authority.empty() && authority.front() == ':') t.port = authority.substr(1);
        else if (!authority.empty()) return Failure{errc::invalid_config, "the URL's host is malformed"};
    } else {
        const auto colon = authority.rfind(':');
        t.host = authority.substr(0, colon);
        if (colon != std::string::npos) t.port = authority.substr(colon + 1);
    }
    if (t.host.empty()) return Failure{errc::invalid_config, "the URL has no host"};
    if (t.port.empty()) t.port = t.tls ? "443" : "80";
    if (t.port.find_first_not_of("0123456789") != std::string::npos || t.port.size() > 5) {
        return Failure{errc::invalid_config, "the URL's port is not a number"};
    }
    for (char c : t.path) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return Failure{errc::invalid_config, "the URL has a space or control character"};
        }
    }
    return t;
}

Failure net_failure(const beast::error_code& ec, const std::string& what, const std::string& origin) {
    if (ec == beast::error::timeout) {
        return {errc::timeout, what + " " + origin + " timed out"};
    }
    std::string msg = ec.message();
    if (ec.category() == asio::error::get_ssl_category()) {
        // "certificate verify failed" and the like: OpenSSL's reason string.
        char buf[256];
        ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
        msg = buf;
    }
    return {errc::daemon_unavailable, what + " " + origin + ": " + msg};
}

template <class Stream>
Task<Result<HttpResponse>> exchange(Stream& stream, const HttpRequest& r,
                                    const Target& t, const std::string& origin) {
    http::request<http::string_body> req{r.method == "GET" ? http::verb::get
                                         : r.method == "PUT" ? http::verb::put
                                                             : http::verb::post,
                                         t.path, 11};
    const bool default_port = (t.tls && t.port == "443") || (!t.tls && t.port == "80");
    const auto host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
    req.set(http::field::host, default_port ? host : host + ":" + t.port);
    req.set(http::field::user_agent, "backupctl/0.1");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : r.headers) req.set(k, v);
    if (r.method != "GET" || !r.body.empty()) {
        req.body() = r.body;
        req.prepare_payload();
    }
    auto [wec, wn] = co_await http::async_write(stream, req, kUse);
    if (wec) co_return net_failure(wec, "sending to", origin);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    auto [rec, rn] = co_await http::async_read(stream, buf, parser, kUse);
    if (rec && rec != http::error::body_limit) co_return net_failure(rec, "reading from", origin);
    HttpResponse out;
    out.status = static_cast<int>(parser.get().result_int());
    out.body = std::move(parser.get().body());
    co_return out;
}

}  // namespace

std::string url_origin(const std::string& url) {
    auto t = parse_target(url);
    if (!t) return "(a bad URL)";
    const bool default_port = (t->tls && t->port == "443") || (!t->tls && t->port == "80");
    const auto host = t->host.find(':') != std::string::npos ? "[" + t->host + "]" : t->host;
    return std::string(t->tls ? "https://" : "http://") + host + (default_port ? "" : ":" + t->port);
}

std::string query_encode(const std::string& value) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::chrono::milliseconds timeout_setting(const std::string& value) {
    if (value.empty()) return std::chrono::seconds(10);
    try {
        const double s = std::stod(value);
        if (s > 0 && s <= 600) return std::chrono::milliseconds(static_cast<long long>(s * 1000));
    } catch (const std::exception&) {
    }
    return std::chrono::seconds(10);
}

Task<Result<HttpResponse>> http_request(asio::any_io_executor ex, HttpRequest r) {
    auto t = parse_target(r.url);
    if (!t) co_return t.error();
    const std::string origin = url_origin(r.url);
    const auto deadline = std::chrono::steady_clock::now() + r.timeout;
    auto left = [deadline] {
        return std::max(std::chrono::steady_clock::duration(std::chrono::milliseconds(1)),
                        deadline - std::chrono::steady_clock::now());
    };

    asio::ip::tcp::resolver resolver(ex);
    beast::tcp_stream tcp(ex);
    // The resolver has no deadline of its own; the stream's timer bounds the rest.
    asio::steady_timer guard(ex, r.timeout);
    guard.async_wait([&resolver](const boost::system::error_code& ec) {
        if (!ec) resolver.cancel();
    });
    auto [rec, endpoints] = co_await resolver.async_resolve(t->host, t->port, kUse);
    guard.cancel();
    if (rec) {
        if (rec == asio::error::operation_aborted) co_return Failure{errc::timeout, "resolving " + origin + " timed out"};
        co_return Failure{errc::daemon_unavailable, "resolving " + origin + ": " + rec.message()};
    }
    tcp.expires_after(left());
    auto [cec, ep] = co_await tcp.async_connect(endpoints, kUse);
    if (cec) {
        co_return net_failure(cec, "connecting to", origin);
    }
    Result<HttpResponse> out = Failure{errc::internal, "no exchange"};
    if (!t->tls) {
        tcp.expires_after(left());
        out = co_await exchange(tcp, r, *t, origin);
    } else {
        ssl::context ctx(ssl::context::tls_client);
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        boost::system::error_code ec;
        if (r.ca_file.empty()) {
            ctx.set_default_verify_paths(ec);
        } else {
            ctx.load_verify_file(r.ca_file, ec);
        }
        if (ec) {
            co_return Failure{errc::invalid_config, "TLS trust anchors" +
                                                        (r.ca_file.empty() ? std::string{} : " " + r.ca_file) +
                                                        ": " + ec.message()};
        }
        ctx.set_verify_mode(ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), ctx);
        stream.set_verify_callback(ssl::host_name_verification(t->host));
        if (!SSL_set_tlsext_host_name(stream.native_handle(), t->host.c_str())) {
            co_return Failure{errc::internal, "TLS: cannot set the server name"};
        }
        beast::get_lowest_layer(stream).expires_after(left());
        auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, kUse);
        if (hec) {
            co_return net_failure(hec, "TLS handshake with", origin);
        }
        out = co_await exchange(stream, r, *t, origin);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        if (out) co_await stream.async_shutdown(kUse);  // a peer that just closes is fine too
    }
    co_return out;
}

Task<Result<void>> http_expect_2xx(asio::any_io_executor ex, HttpRequest request) {
    const auto origin = url_origin(request.url);
    auto r = co_await http_request(std::move(ex), std::move(request));
    if (!r) co_return r.error();
    if (r->status / 100 != 2) {
        std::string body = r->body.substr(0, 200);
        for (auto& c : body) if (c == '\n' || c == '\r') c = ' ';
        co_return Failure{errc::io_error, "HTTP " + std::to_string(r->status) + " from " + origin +
                                              (body.empty() ? std::string{} : ": " + body)};
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::notify
