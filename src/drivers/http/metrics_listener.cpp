#include "drivers/http/metrics_listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace bk::drivers::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
}

struct MetricsListener::State {
    explicit State(asio::any_io_executor ex) : acceptor(ex) {}
    tcp::acceptor acceptor;
    Render metrics;
    bool stopped{false};
};

Result<std::pair<std::string, unsigned short>> parse_listen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        return Failure{errc::invalid_config, "http.listen \"" + listen + "\" is not host:port"};
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    int port = -1;
    try {
        std::size_t used = 0;
        port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
        port = -1;
    }
    if (port < 0 || port > 65535) {
        return Failure{errc::invalid_config, "http.listen \"" + listen + "\": bad port"};
    }
    return std::pair<std::string, unsigned short>{host, static_cast<unsigned short>(port)};
}

namespace {

Task<void> session(tcp::socket socket, std::shared_ptr<MetricsListener::State> st) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buf;
    stream.expires_after(std::chrono::seconds(10));
    bhttp::request<bhttp::string_body> req;
    auto [ec, n] = co_await bhttp::async_read(stream, buf, req, kUse);
    if (ec) co_return;
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::server, "backupctl");
    const auto target = std::string(req.target());
    const auto path = target.substr(0, target.find('?'));
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
        res.result(bhttp::status::method_not_allowed);
        res.set(bhttp::field::allow, "GET, HEAD");
        res.body() = "GET only\n";
    } else if (st->stopped) {
        // Stopping: what renders the metrics may be gone already.
        res.result(bhttp::status::service_unavailable);
        res.body() = "stopping\n";
    } else if (path == "/metrics") {
        res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = st->metrics();
    } else if (path == "/healthz") {
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = "ok\n";
    } else {
        res.result(bhttp::status::not_found);
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = "not found (served: /metrics, /healthz)\n";
    }
    res.keep_alive(false);
    res.prepare_payload();
    if (req.method() == bhttp::verb::head) res.body().clear();
    stream.expires_after(std::chrono::seconds(10));
    co_await bhttp::async_write(stream, res, kUse);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

Task<void> accept_loop(std::shared_ptr<MetricsListener::State> st) {
    while (!st->stopped) {
        auto [ec, socket] = co_await st->acceptor.async_accept(kUse);
        if (ec) {
            if (st->stopped || ec == asio::error::operation_aborted) break;
            continue;
        }
        asio::co_spawn(st->acceptor.get_executor(), session(std::move(socket), st), asio::detached);
    }
}

}  // namespace

MetricsListener::MetricsListener(std::shared_ptr<State> st) : state_(std::move(st)) {}

MetricsListener::~MetricsListener() { stop(); }

void MetricsListener::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
}

unsigned short MetricsListener::port() const {
    beast::error_code ec;
    auto ep = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

Result<std::unique_ptr<MetricsListener>> MetricsListener::start(asio::any_io_executor ex,
                                                                const std::string& listen,
                                                                Render metrics) {
    auto where = parse_listen(listen);
    if (!where) return where.error();
    beast::error_code ec;
    const auto address = asio::ip::make_address(where->first, ec);
    if (ec) return Failure{errc::invalid_config, "http.listen \"" + listen + "\": not an IP address"};
    auto st = std::make_shared<State>(ex);
    st->metrics = std::move(metrics);
    const tcp::endpoint ep(address, where->second);
    st->acceptor.open(ep.protocol(), ec);
    if (!ec) st->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) st->acceptor.bind(ep, ec);
    if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Failure{errc::io_error, "cannot listen on " + listen + ": " + ec.message()};
    asio::co_spawn(ex, accept_loop(st), asio::detached);
    return std::unique_ptr<MetricsListener>(new MetricsListener(st));
}

}  // namespace bk::drivers::http
