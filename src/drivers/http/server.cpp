#include "drivers/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <list>

#include "core/task_group.hpp"
#include "drivers/http/api.hpp"

namespace bk::drivers::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxQueued = 256;  // per event-stream client
}  // namespace

struct Subscriber {
    explicit Subscriber(asio::any_io_executor ex) : wake(ex) {}
    std::deque<std::string> queue;
    asio::steady_timer wake;
};

/// An open connection, in accept order in State::connections.
struct Connection {
    beast::tcp_stream* stream{nullptr};
    bool waiting{true};  ///< still waiting for its request: may be closed to make room
    bool listed{true};
    std::list<Connection*>::iterator at;
};

struct HttpServer::State {
    explicit State(asio::any_io_executor ex) : acceptor(ex), backoff(ex), tasks(ex) {}
    tcp::acceptor acceptor;
    asio::steady_timer backoff;
    Options options;
    bool stopped{false};
    std::vector<std::weak_ptr<Subscriber>> subscribers;
    std::list<Connection*> connections;
    Counters counters;
    std::string metrics;
    std::optional<std::chrono::steady_clock::time_point> metrics_at;
    TaskGroup tasks;  ///< the accept loop and every session: none is detached
};

Result<std::pair<std::string, unsigned short>> parse_listen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        return Failure{errc::invalid_config, "http.listen \"" + listen + "\" is not host:port"};
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        host = "0.0.0.0";
    int port = -1;
    try {
        std::size_t used = 0;
        port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1)
            port = -1;
    } catch (const std::exception&) {
        port = -1;
    }
    if (port < 0 || port > 65535) {
        return Failure{errc::invalid_config, "http.listen \"" + listen + "\": bad port"};
    }
    return std::pair<std::string, unsigned short>{host, static_cast<unsigned short>(port)};
}

namespace {

template <class Res>
void common_headers(Res& res) {
    res.set(bhttp::field::server, "backupctl");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "no-store");
}

Task<void> event_stream(beast::tcp_stream& stream,
                        unsigned version,
                        std::shared_ptr<HttpServer::State> st) {
    ++st->counters.event_streams;
    struct Count {
        std::size_t& n;
        ~Count() { --n; }
    } count{st->counters.event_streams};
    auto sub = std::make_shared<Subscriber>(stream.get_executor());
    st->subscribers.push_back(sub);
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, version};
    common_headers(res);
    res.set(bhttp::field::content_type, "text/event-stream");
    res.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    stream.expires_after(std::chrono::seconds(10));
    auto [hec, hn] = co_await bhttp::async_write_header(stream, sr, kUse);
    if (hec)
        co_return;
    std::string hello = "retry: 2000\n: backupctl events\n\n";
    stream.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(hello), kUse);
    if (wec)
        co_return;
    while (!st->stopped) {
        if (sub->queue.empty()) {
            sub->wake.expires_after(std::chrono::seconds(15));
            boost::system::error_code ec;
            co_await sub->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (st->stopped)
                break;
            if (!ec && sub->queue.empty())
                sub->queue.push_back(": keep-alive\n\n");  // 15 s idle
        }
        std::string out;
        while (!sub->queue.empty()) {
            out += sub->queue.front();
            sub->queue.pop_front();
        }
        if (out.empty())
            continue;
        stream.expires_after(std::chrono::seconds(10));
        auto [ec2, n2] = co_await asio::async_write(stream, asio::buffer(out), kUse);
        if (ec2)
            break;  // the client went away
    }
}

/// The /metrics text, at most a second old (the metrics run SQLite queries per target on the
/// event loop: a client asking in a loop must not stall the daemon).
const std::string& metrics_text(HttpServer::State& st) {
    const auto now = std::chrono::steady_clock::now();
    if (!st.metrics_at || now - *st.metrics_at >= std::chrono::seconds(1)) {
        st.metrics = st.options.metrics ? st.options.metrics() : std::string{};
        st.metrics_at = now;
    }
    return st.metrics;
}

Task<void> session(tcp::socket socket, std::shared_ptr<HttpServer::State> st) {
    beast::tcp_stream stream(std::move(socket));
    Connection conn;
    conn.stream = &stream;
    conn.at = st->connections.insert(st->connections.end(), &conn);
    ++st->counters.open;
    struct Unlist {
        HttpServer::State& st;
        Connection& c;
        ~Unlist() {
            if (c.listed) {
                st.connections.erase(c.at);
                --st.counters.open;
            }
        }
    } unlist{*st, conn};
    beast::flat_buffer buf;
    stream.expires_after(std::chrono::seconds(10));
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(std::uint64_t{16} * 1024);
    auto [ec, n] = co_await bhttp::async_read(stream, buf, parser, kUse);
    conn.waiting = false;
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
    common_headers(res);
    res.keep_alive(false);
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
        res.result(bhttp::status::payload_too_large);
        res.set(bhttp::field::content_type, "application/json");
        res.body() = R"({"error":{"code":"too_large","message":"request too large"}})";
    } else if (ec) {
        co_return;  // cut, timed out or not HTTP
    } else {
        const auto& req = parser.get();
        res.version(req.version());
        const std::string target(req.target());
        const auto path = target.substr(0, target.find('?'));
        const bool get = req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
        if (st->stopped) {
            res.result(bhttp::status::service_unavailable);
            res.body() = "stopping\n";
        } else if (path == "/healthz" && get) {
            res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
            const auto problem = st->options.health ? st->options.health() : std::string{};
            if (!problem.empty())
                res.result(bhttp::status::service_unavailable);
            res.body() = problem.empty() ? "ok\n" : problem + "\n";
        } else if (path == "/readyz" && get) {
            // Ready: the daemon knows its targets (first discovery done); alive is /healthz.
            res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
            const auto waiting = st->options.ready ? st->options.ready() : std::string{};
            if (!waiting.empty())
                res.result(bhttp::status::service_unavailable);
            res.body() = waiting.empty() ? "ready\n" : waiting + "\n";
        } else if (path == "/metrics" && get) {
            res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            res.body() = metrics_text(*st);
        } else if ((path == "/" || path == "/index.html") && get) {
            res.set(bhttp::field::content_type, "text/html; charset=utf-8");
            res.set("Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "connect-src 'self'; img-src data:; frame-ancestors 'none'");
            res.body() = kDashboardHtml;
        } else if (st->options.api == nullptr) {
            res.result(bhttp::status::not_found);
            res.body() = "not found\n";
        } else {
            Request r;
            r.method = std::string(req.method_string());
            r.target = target;
            r.authorization = std::string(req[bhttp::field::authorization]);
            r.body = req.body();
            const bool events = path == "/api/v1/events" && req.method() == bhttp::verb::get &&
                                st->options.api->enabled() && st->options.api->authorized(r);
            if (events && st->counters.event_streams < st->options.max_event_streams) {
                co_await event_stream(stream, req.version(), st);
                co_return;
            }
            if (events) {
                res.result(bhttp::status::service_unavailable);
                res.set(bhttp::field::content_type, "application/json");
                res.set(bhttp::field::retry_after, "5");
                res.body() = R"({"error":{"code":"busy","message":"too many event streams )" +
                             std::string("(http.max_event_streams: ") +
                             std::to_string(st->options.max_event_streams) + ")\"}}";
            } else {
                auto out = co_await st->options.api->serve(r);
                res.result(static_cast<unsigned>(out.status));
                res.set(bhttp::field::content_type, out.content_type);
                for (const auto& [k, v] : out.headers)
                    res.set(k, v);
                res.body() = std::move(out.body);
            }
        }
        if (req.method() == bhttp::verb::head) {
            res.prepare_payload();
            res.body().clear();
        }
    }
    if (res.body().size() > 0 || res[bhttp::field::content_length].empty())
        res.prepare_payload();
    stream.expires_after(std::chrono::seconds(10));
    co_await bhttp::async_write(stream, res, kUse);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

/// Over the cap: the oldest connection still waiting for its request is closed to make room
/// (true), else the new one is answered 503 and closed (false).
bool make_room(HttpServer::State& st) {
    for (auto* c : st.connections) {
        if (c->waiting) {
            c->listed = false;
            st.connections.erase(c->at);
            --st.counters.open;
            ++st.counters.evicted;
            beast::error_code ignored;
            c->stream->socket().close(ignored);  // its read ends with operation_aborted
            return true;
        }
    }
    return false;
}

void refuse(tcp::socket& socket) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nServer: backupctl\r\nContent-Type: text/plain\r\n"
        "Retry-After: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";
    beast::error_code ignored;
    socket.non_blocking(true, ignored);  // a fresh socket's send buffer takes it whole
    socket.write_some(asio::buffer(kBusy.data(), kBusy.size()), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

Task<void> accept_loop(std::shared_ptr<HttpServer::State> st) {
    // After an accept error (EMFILE: the listener stays readable, so retrying at once spins at
    // 100 % CPU) wait 50 ms, doubling to 1 s, until an accept works again.
    std::chrono::milliseconds pause{0};
    while (!st->stopped) {
        auto [ec, socket] = co_await st->acceptor.async_accept(kUse);
        if (ec) {
            if (st->stopped || ec == asio::error::operation_aborted)
                break;
            ++st->counters.accept_errors;
            pause = pause.count() == 0 ? std::chrono::milliseconds(50)
                                       : std::min(pause * 2, std::chrono::milliseconds(1000));
            st->backoff.expires_after(pause);
            auto [wec] = co_await st->backoff.async_wait(kUse);
            (void)wec;
            continue;
        }
        pause = std::chrono::milliseconds(0);
        if (st->counters.open >= st->options.max_connections && !make_room(*st)) {
            ++st->counters.refused;
            refuse(socket);
            continue;
        }
        st->tasks.spawn(session(std::move(socket), st));
    }
}

}  // namespace

HttpServer::HttpServer(std::shared_ptr<State> st) : state_(std::move(st)) {}

HttpServer::~HttpServer() {
    try {
        stop();
    } catch (...) {
        // A destructor never throws: what stop() could not close goes with the io_context.
    }
}

void HttpServer::stop() {
    if (state_->stopped)
        return;
    state_->stopped = true;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
    state_->backoff.cancel();
    for (auto& w : state_->subscribers) {
        if (auto s = w.lock())
            s->wake.cancel();
    }
    // The sessions in flight (an event stream lasts for ever) end through their slots.
    state_->tasks.cancel_all();
}

Task<bool> HttpServer::wait_until(std::chrono::steady_clock::time_point deadline) {
    auto st = state_;
    co_return co_await st->tasks.wait_until(deadline);
}

void HttpServer::publish(const app::RunEvent& e) {
    if (e.type != "progress")
        state_->metrics_at.reset();  // a run started or ended: the next /metrics is fresh
    const std::string text = "event: " + e.type + "\ndata: " + Api::event_json(e) + "\n\n";
    std::erase_if(state_->subscribers, [](const auto& w) { return w.expired(); });
    for (auto& w : state_->subscribers) {
        auto s = w.lock();
        if (!s)
            continue;
        if (s->queue.size() >= kMaxQueued) {
            // A slow client: drop its oldest progress line, never a start or an end.
            for (auto it = s->queue.begin(); it != s->queue.end(); ++it) {
                if (it->rfind("event: progress", 0) == 0) {
                    s->queue.erase(it);
                    break;
                }
            }
        }
        s->queue.push_back(text);
        s->wake.cancel();
    }
}

HttpServer::Counters HttpServer::counters() const {
    return state_->counters;
}

unsigned short HttpServer::port() const {
    beast::error_code ec;
    auto ep = state_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::any_io_executor ex, Options options) {
    auto where = parse_listen(options.listen);
    if (!where)
        return where.error();
    beast::error_code ec;
    const auto address = asio::ip::make_address(where->first, ec);
    if (ec)
        return Failure{errc::invalid_config,
                       "http.listen \"" + options.listen + "\": not an IP address"};
    auto st = std::make_shared<State>(ex);
    const auto listen = options.listen;
    st->options = std::move(options);
    const tcp::endpoint ep(address, where->second);
    st->acceptor.open(ep.protocol(), ec);
    if (!ec)
        st->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        st->acceptor.bind(ep, ec);
    if (!ec)
        st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Failure{errc::io_error, "cannot listen on " + listen + ": " + ec.message()};
    st->tasks.spawn(accept_loop(st));
    return std::unique_ptr<HttpServer>(new HttpServer(st));
}

}  // namespace bk::drivers::http
