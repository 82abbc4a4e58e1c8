#include "adapters/notify/http/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>
#include <openssl/err.h>

#include <charconv>

namespace bk::adapters::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace urls = boost::urls;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = std::size_t{64} * 1024;

struct Target {
    bool tls{false};
    std::string host;
    std::string port;
    std::string path;  ///< with the query
};

// scheme://host[:port][/path][?query], parsed by Boost.URL (RFC 3986: a space or a control
// character is no URL). No user info: a URL with credentials in it is refused. Messages never
// quote the URL (its path or query may be a secret).
Result<Target> parse_target(const std::string& url) {
    const auto u = urls::parse_uri(url);
    if (!u)
        return Failure{errc::invalid_config, "not a valid URL (" + u.error().message() + ")"};
    Target t;
    if (u->scheme_id() == urls::scheme::https) {
        t.tls = true;
    } else if (u->scheme_id() != urls::scheme::http) {
        return Failure{errc::invalid_config, "not an http:// or https:// URL"};
    }
    if (u->has_userinfo()) {
        return Failure{errc::invalid_config,
                       "the URL has user info (put credentials in a secret header or file)"};
    }
    switch (u->host_type()) {
        case urls::host_type::name:
        case urls::host_type::ipv4:
        case urls::host_type::ipv6:
            t.host = u->host_address();
            break;
        default:
            return Failure{errc::invalid_config, "the URL's host is malformed"};
    }
    if (t.host.empty())
        return Failure{errc::invalid_config, "the URL has no host"};
    for (const char c : t.host) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return Failure{errc::invalid_config, "the URL's host is malformed"};
    }
    t.port = u->port();  // digits only (RFC 3986), but of any length
    if (t.port.empty())
        t.port = t.tls ? "443" : "80";
    unsigned long port = 0;
    const auto [end, ec] = std::from_chars(t.port.data(), t.port.data() + t.port.size(), port);
    if (ec != std::errc{} || end != t.port.data() + t.port.size() || port == 0 || port > 65535)
        return Failure{errc::invalid_config, "the URL's port is not a port number"};
    t.path = u->encoded_target();
    if (t.path.empty() || t.path.front() != '/')
        t.path.insert(0, "/");
    return t;
}

Failure net_failure(const beast::error_code& ec,
                    const std::string& what,
                    const std::string& origin) {
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
Task<Result<HttpResponse>> exchange(Stream& stream,
                                    const HttpRequest& r,
                                    const Target& t,
                                    const std::string& origin) {
    http::request<http::string_body> req{r.method == "GET"   ? http::verb::get
                                         : r.method == "PUT" ? http::verb::put
                                                             : http::verb::post,
                                         t.path,
                                         11};
    const bool default_port = (t.tls && t.port == "443") || (!t.tls && t.port == "80");
    const auto host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
    req.set(http::field::host, default_port ? host : host + ":" + t.port);
    req.set(http::field::user_agent, "backupctl/0.1");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : r.headers)
        req.set(k, v);
    if (r.method != "GET" || !r.body.empty()) {
        req.body() = r.body;
        req.prepare_payload();
    }
    auto [wec, wn] = co_await http::async_write(stream, req, kUse);
    if (wec)
        co_return net_failure(wec, "sending to", origin);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    auto [rec, rn] = co_await http::async_read(stream, buf, parser, kUse);
    if (rec && rec != http::error::body_limit)
        co_return net_failure(rec, "reading from", origin);
    HttpResponse out;
    out.status = static_cast<int>(parser.get().result_int());
    out.body = std::move(parser.get().body());
    co_return out;
}

}  // namespace

std::string url_origin(const std::string& url) {
    auto t = parse_target(url);
    if (!t)
        return "(a bad URL)";
    const bool default_port = (t->tls && t->port == "443") || (!t->tls && t->port == "80");
    const auto host = t->host.find(':') != std::string::npos ? "[" + t->host + "]" : t->host;
    return std::string(t->tls ? "https://" : "http://") + host +
           (default_port ? "" : ":" + t->port);
}

std::string query_encode(const std::string& value) {
    return urls::encode(value, urls::unreserved_chars);
}

std::chrono::milliseconds timeout_setting(const std::string& value) {
    if (value.empty())
        return std::chrono::seconds(10);
    try {
        const double s = std::stod(value);
        if (s > 0 && s <= 600)
            return std::chrono::milliseconds(static_cast<long long>(s * 1000));
    } catch (const std::exception&) {
    }
    return std::chrono::seconds(10);
}

Task<Result<HttpResponse>> http_request(asio::any_io_executor ex, HttpRequest r) {
    auto t = parse_target(r.url);
    if (!t)
        co_return t.error();
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
        if (!ec)
            resolver.cancel();
    });
    auto [rec, endpoints] = co_await resolver.async_resolve(t->host, t->port, kUse);
    guard.cancel();
    if (rec) {
        if (rec == asio::error::operation_aborted)
            co_return Failure{errc::timeout, "resolving " + origin + " timed out"};
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
            co_return Failure{errc::invalid_config,
                              "TLS trust anchors" +
                                  (r.ca_file.empty() ? std::string{} : " " + r.ca_file) + ": " +
                                  ec.message()};
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
        if (out)
            co_await stream.async_shutdown(kUse);  // a peer that just closes is fine too
    }
    co_return out;
}

Task<Result<void>> http_expect_2xx(asio::any_io_executor ex, HttpRequest request) {
    const auto origin = url_origin(request.url);
    auto r = co_await http_request(std::move(ex), std::move(request));
    if (!r)
        co_return r.error();
    if (r->status / 100 != 2) {
        std::string body = r->body.substr(0, 200);
        for (auto& c : body)
            if (c == '\n' || c == '\r')
                c = ' ';
        co_return Failure{errc::io_error,
                          "HTTP " + std::to_string(r->status) + " from " + origin +
                              (body.empty() ? std::string{} : ": " + body)};
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::notify
