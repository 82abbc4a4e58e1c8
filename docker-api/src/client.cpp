#include "dockerapi/client.hpp"

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>
#include <utility>

#include "http_exchange.hpp"
#include "line_buffer.hpp"

namespace dockerapi {
namespace detail {

Error io_error(const boost::system::error_code& ec, std::string_view during) {
    const std::string what = std::string(" while ") + std::string(during);
    if (ec == beast::error::timeout) {
        return {errc::timeout, 0, "the Docker daemon did not answer in time" + what};
    }
    if (ec == asio::error::operation_aborted) {
        return {errc::cancelled, 0, "cancelled" + what};
    }
    if (ec == http::error::partial_message) {
        return {errc::truncated_stream, 0, "the daemon closed the connection mid-message" + what};
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
        return {errc::transport, 0, "the daemon closed the connection" + what};
    }
    if (ec == http::error::body_limit) {
        return {errc::protocol, 0, "the response body exceeds the client's limit" + what};
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return {errc::protocol, 0, "malformed HTTP from the daemon (" + ec.message() + ")" + what};
    }
    return {errc::transport, 0, ec.message() + what};
}

Error status_error(unsigned status, std::string_view body) {
    errc code = errc::daemon_error;
    std::string message = error_message_from_body(body);
    switch (status) {
        case 304:
            code = errc::not_modified;
            break;
        case 404:
            code = errc::not_found;
            break;
        case 409:
            code = errc::conflict;
            break;
        case 403:
            if (message.find("already exists in network") != std::string::npos) {
                code = errc::conflict;
            }
            break;
        case 500:
            if (message.find("is not connected to network") != std::string::npos ||
                message.find("is not connected to the network") != std::string::npos) {
                code = errc::conflict;
            }
            break;
        default:
            break;
    }
    if (message.empty()) {
        message = "HTTP status " + std::to_string(status);
    }
    return {code, static_cast<int>(status), std::move(message)};
}

using Protocol = asio::generic::stream_protocol;
using SocketStream = beast::basic_stream<Protocol>;

struct Connection {
    explicit Connection(const asio::any_io_executor& ex) : stream(ex) {}
    SocketStream stream;
    beast::flat_buffer buffer;
    bool reused{false};
};
using ConnectionPtr = std::unique_ptr<Connection>;

namespace {

std::string enc(std::string_view v) {
    return boost::urls::encode(v, boost::urls::unreserved_chars);
}

// "1.41" -> {1, 41}; compared numerically per component.
std::pair<int, int> parse_version_pair(std::string_view v) {
    int major = 0;
    int minor = 0;
    auto dot = v.find('.');
    std::from_chars(v.data(), v.data() + (dot == std::string_view::npos ? v.size() : dot), major);
    if (dot != std::string_view::npos) {
        std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor);
    }
    return {major, minor};
}

bool version_complaint(const StringResponse& res) {
    if (res.result_int() != 400) {
        return false;
    }
    const std::string& b = res.body();
    return b.find("is too old") != std::string::npos || b.find("is too new") != std::string::npos;
}

bool idempotent(http::verb v) {
    return v == http::verb::get || v == http::verb::head || v == http::verb::delete_ ||
           v == http::verb::put;
}

template <class T>
Task<Result<T>> shielded(Task<Result<T>> inner) {
    // The caller's coroutine may be set to throw once it is cancelled: errors stay values.
    try {
        co_return co_await std::move(inner);
    } catch (const boost::system::system_error& e) {
        co_return io_error(e.code(), "waiting for the daemon");
    }
}

}  // namespace
}  // namespace detail

using namespace detail;  // NOLINT(google-build-using-namespace): this file is the detail's user

// ---------------------------------------------------------------------------------------------
struct AttachStream::Impl {
    ConnectionPtr conn;
    std::vector<char> chunk = std::vector<char>(std::size_t{64} * 1024);
};

AttachStream::AttachStream() = default;
AttachStream::AttachStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AttachStream::AttachStream(AttachStream&&) noexcept = default;
AttachStream& AttachStream::operator=(AttachStream&&) noexcept = default;
AttachStream::~AttachStream() = default;

Task<Result<StreamTotals>> AttachStream::pump(StreamSink& sink) {
    if (!impl_ || !impl_->conn) {
        co_return Error{errc::invalid_argument, 0, "the stream is closed"};
    }
    impl_->conn->stream.expires_never();
    co_return co_await shielded(
        pump_frames(impl_->conn->stream, impl_->conn->buffer, impl_->chunk, sink));
}

namespace {
Task<Result<void>> write_all(SocketStream& s, std::span<const char> data) {
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(data.data(), data.size()), kUse);
    if (ec) {
        co_return io_error(ec, "writing to the process's stdin");
    }
    co_return Result<void>{};
}
}  // namespace

Task<Result<void>> AttachStream::write_stdin(std::span<const char> data) {
    if (!impl_ || !impl_->conn) {
        co_return Error{errc::invalid_argument, 0, "the stream is closed"};
    }
    co_return co_await shielded(write_all(impl_->conn->stream, data));
}

Result<void> AttachStream::close_stdin() {
    if (!impl_ || !impl_->conn) {
        return Error{errc::invalid_argument, 0, "the stream is closed"};
    }
    boost::system::error_code ec;
    impl_->conn->stream.socket().shutdown(asio::socket_base::shutdown_send, ec);
    if (ec) {
        return io_error(ec, "closing stdin");
    }
    return {};
}

void AttachStream::close() {
    if (impl_ && impl_->conn) {
        boost::system::error_code ec;
        impl_->conn->stream.socket().close(ec);
        impl_->conn.reset();
    }
}

// ---------------------------------------------------------------------------------------------
struct WaitHandle::Impl {
    ConnectionPtr conn;
    http::response_parser<http::buffer_body> parser;
    std::vector<char> chunk = std::vector<char>(4096);
};

WaitHandle::WaitHandle() = default;
WaitHandle::WaitHandle(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WaitHandle::WaitHandle(WaitHandle&&) noexcept = default;
WaitHandle& WaitHandle::operator=(WaitHandle&&) noexcept = default;
WaitHandle::~WaitHandle() = default;

namespace {
Task<Result<WaitResult>> read_wait(WaitHandle::Impl& w) {
    std::string body;
    for (;;) {
        auto piece = co_await read_body_some(w.conn->stream, w.conn->buffer, w.parser, w.chunk);
        if (!piece) {
            Error e = piece.error();
            if (e.code == errc::transport || e.code == errc::truncated_stream) {
                e.code = errc::truncated_stream;
                e.message =
                    "the wait stream ended before the container exited (exit code "
                    "unknown): " +
                    e.message;
            }
            co_return e;
        }
        if (piece->empty()) {
            break;
        }
        body.append(piece->data(), piece->size());
        if (body.size() > 1u << 20) {
            co_return Error{errc::protocol, 0, "wait answer too large"};
        }
    }
    co_return parse_wait(body);
}
}  // namespace

Task<Result<WaitResult>> WaitHandle::result() {
    if (!impl_ || !impl_->conn) {
        co_return Error{errc::invalid_argument, 0, "the wait handle is empty"};
    }
    co_return co_await shielded(read_wait(*impl_));
}

// ---------------------------------------------------------------------------------------------
struct EventStream::Impl {
    ConnectionPtr conn;
    http::response_parser<http::buffer_body> parser;
    std::vector<char> chunk = std::vector<char>(std::size_t{64} * 1024);
    LineBuffer lines{8u << 20};
    bool closed{false};
};

EventStream::EventStream() = default;
EventStream::EventStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStream::EventStream(EventStream&&) noexcept = default;
EventStream& EventStream::operator=(EventStream&&) noexcept = default;
EventStream::~EventStream() = default;

namespace {
Task<Result<std::optional<Event>>> read_event(EventStream::Impl& s) {
    for (;;) {
        if (auto line = s.lines.pop()) {
            auto ev = parse_event(*line);
            if (!ev) {
                co_return ev.error();
            }
            co_return std::optional<Event>(std::move(*ev));
        }
        auto piece = co_await read_body_some(s.conn->stream, s.conn->buffer, s.parser, s.chunk);
        if (!piece) {
            co_return piece.error();
        }
        if (piece->empty()) {
            if (s.lines.has_partial()) {
                co_return Error{errc::truncated_stream, 0, "the events stream ended mid-event"};
            }
            co_return std::optional<Event>{};
        }
        if (!s.lines.append(*piece)) {
            co_return Error{errc::protocol, 0, "an event line exceeds 8 MiB"};
        }
    }
}
}  // namespace

Task<Result<std::optional<Event>>> EventStream::next() {
    if (!impl_ || !impl_->conn || impl_->closed) {
        co_return Error{errc::invalid_argument, 0, "the events stream is closed"};
    }
    co_return co_await shielded(read_event(*impl_));
}

void EventStream::close() {
    // Closing the socket ends a read in flight (it completes with an error); the connection and
    // its buffers stay alive until the stream object goes, since that read still uses them.
    if (impl_ && impl_->conn && !impl_->closed) {
        impl_->closed = true;
        boost::system::error_code ec;
        impl_->conn->stream.socket().close(ec);
    }
}

// ---------------------------------------------------------------------------------------------
struct Client::Impl {
    asio::any_io_executor executor;
    ClientOptions options;
    std::string version;  // negotiated, e.g. "1.41"
    std::vector<ConnectionPtr> idle;

    http::request<http::string_body> make_request(http::verb v,
                                                  const std::string& target,
                                                  std::string body,
                                                  std::string_view type,
                                                  bool versioned = true) const {
        http::request<http::string_body> req{v, versioned ? "/v" + version + target : target, 11};
        req.set(http::field::host, "docker");  // mandatory; any value works
        req.set(http::field::user_agent, "backupctl-dockerapi");
        if (!type.empty()) {
            req.set(http::field::content_type, type);
        }
        req.body() = std::move(body);
        req.prepare_payload();  // Content-Length: 0 on empty POSTs
        return req;
    }

    Error connect_error(const boost::system::error_code& ec) const {
        std::string why = ec.message();
        if (ec == asio::error::access_denied) {
            why += " (the socket needs root or membership of its group)";
        }
        if (ec == beast::error::timeout) {
            return {errc::timeout, 0, "connecting to " + options.address.describe() + " timed out"};
        }
        return {errc::daemon_unavailable,
                0,
                "no Docker daemon at " + options.address.describe() + ": " + why};
    }

    Task<Result<ConnectionPtr>> connect() {
        auto c = std::make_unique<Connection>(executor);
        c->stream.expires_after(options.connect_timeout);
        if (options.address.kind == DaemonAddress::Kind::unix_socket) {
            if (options.address.path.size() >= 108) {
                co_return Error{
                    errc::invalid_argument, 0, "socket path too long: " + options.address.path};
            }
            const Protocol::endpoint ep{
                asio::local::stream_protocol::endpoint(options.address.path)};
            auto [ec] = co_await c->stream.async_connect(ep, kUse);
            if (ec) {
                co_return connect_error(ec);
            }
            co_return c;
        }
        asio::ip::tcp::resolver resolver(executor);
        auto [rec, results] =
            co_await resolver.async_resolve(options.address.host, options.address.port, kUse);
        if (rec) {
            co_return connect_error(rec);
        }
        boost::system::error_code last = asio::error::host_not_found;
        for (const auto& entry : results) {
            const Protocol::endpoint ep{entry.endpoint()};
            c->stream.expires_after(options.connect_timeout);
            auto [ec] = co_await c->stream.async_connect(ep, kUse);
            if (!ec) {
                co_return c;
            }
            last = ec;
            boost::system::error_code ignored;
            c->stream.socket().close(ignored);
        }
        co_return connect_error(last);
    }

    Task<Result<ConnectionPtr>> acquire() {
        if (!idle.empty()) {
            ConnectionPtr c = std::move(idle.back());
            idle.pop_back();
            c->reused = true;
            co_return c;
        }
        co_return co_await connect();
    }

    void release(ConnectionPtr c) {
        if (idle.size() < options.max_idle_connections && c->buffer.size() == 0) {
            idle.push_back(std::move(c));
        }
    }

    // One exchange on a pooled connection; a stale kept-alive connection is retried once.
    Task<Result<StringResponse>> send(http::request<http::string_body> req,
                                      std::chrono::milliseconds timeout) {
        for (int attempt = 0;; ++attempt) {
            auto conn = co_await acquire();
            if (!conn) {
                co_return conn.error();
            }
            const bool reused = (*conn)->reused;
            auto ex = co_await exchange(
                (*conn)->stream, (*conn)->buffer, req, options.body_limit, timeout);
            if (!ex.response) {
                if (reused && ex.nothing_received && attempt == 0 && idempotent(req.method())) {
                    continue;
                }
                co_return ex.response.error();
            }
            if (ex.response->keep_alive() && !ex.response->need_eof()) {
                release(std::move(*conn));
            }
            co_return std::move(*ex.response);
        }
    }

    Task<Result<PingInfo>> negotiate() {
        auto res = co_await send(make_request(http::verb::get, "/_ping", {}, {}, false),
                                 options.request_timeout);
        if (!res) {
            co_return res.error();
        }
        if (res->result_int() != 200) {
            co_return status_error(res->result_int(), res->body());
        }
        PingInfo info;
        info.api_version = std::string((*res)["Api-Version"]);
        info.os_type = std::string((*res)["Ostype"]);
        info.server = std::string((*res)[http::field::server]);
        if (info.api_version.empty()) {
            co_return Error{
                errc::unsupported_version, 200, "the daemon's /_ping has no Api-Version header"};
        }
        const auto server = parse_version_pair(info.api_version);
        const auto mine = parse_version_pair(options.max_api_version);
        version = server < mine ? info.api_version : options.max_api_version;
        co_return info;
    }

    // A versioned call; negotiates first, and once more when the daemon complains.
    Task<Result<StringResponse>> call(http::verb v,
                                      std::string target,
                                      std::string body = {},
                                      std::string type = {},
                                      std::optional<std::chrono::milliseconds> timeout = {}) {
        for (int attempt = 0;; ++attempt) {
            if (version.empty()) {
                auto p = co_await negotiate();
                if (!p) {
                    co_return p.error();
                }
            }
            auto res = co_await send(make_request(v, target, body, type),
                                     timeout.value_or(options.request_timeout));
            if (!res) {
                co_return res.error();
            }
            if (version_complaint(*res)) {
                version.clear();
                if (attempt == 0) {
                    continue;
                }
                co_return Error{
                    errc::unsupported_version, 400, error_message_from_body(res->body())};
            }
            co_return res;
        }
    }

    // The body of a response whose status is one of `ok`, else the daemon's error.
    static Result<std::string> expect(Result<StringResponse> res, unsigned ok, unsigned ok2 = 0) {
        if (!res) {
            return res.error();
        }
        if (res->result_int() == ok || (ok2 != 0 && res->result_int() == ok2)) {
            return std::move(res->body());
        }
        return status_error(res->result_int(), res->body());
    }

    // A request whose response is a stream: its own connection, never pooled.
    template <class Body>
    Task<Result<ConnectionPtr>> open_stream(http::verb v,
                                            std::string target,
                                            std::string body,
                                            std::string type,
                                            http::response_parser<Body>& parser,
                                            bool upgrade) {
        if (version.empty()) {
            auto p = co_await negotiate();
            if (!p) {
                co_return p.error();
            }
        }
        auto conn = co_await connect();
        if (!conn) {
            co_return conn.error();
        }
        auto req = make_request(v, target, std::move(body), type);
        if (upgrade) {
            req.set(http::field::connection, "Upgrade");
            req.set(http::field::upgrade, "tcp");
        }
        parser.body_limit(boost::none);  // streams have no size limit
        auto started = co_await start_stream(
            (*conn)->stream, (*conn)->buffer, req, parser, options.request_timeout);
        if (!started) {
            co_return started.error();
        }
        co_return std::move(*conn);
    }

    Task<Result<AttachStream>> hijack(std::string target, std::string body, std::string type) {
        auto impl = std::make_unique<AttachStream::Impl>();
        http::response_parser<http::buffer_body> parser;
        auto conn = co_await open_stream(
            http::verb::post, std::move(target), std::move(body), std::move(type), parser, true);
        if (!conn) {
            co_return conn.error();
        }
        impl->conn = std::move(*conn);
        co_return AttachStream(std::move(impl));
    }
};

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_unique<Impl>(Impl{std::move(executor), std::move(options), {}, {}})) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

asio::any_io_executor Client::executor() const {
    return impl_->executor;
}

const std::string& Client::api_version() const {
    return impl_->version;
}

// --- system ----------------------------------------------------------------------------------
Task<Result<PingInfo>> Client::ping() {
    co_return co_await shielded(impl_->negotiate());
}

namespace {
template <class T, class Parse>
Task<Result<T>> get_json(Client::Impl& impl, std::string target, Parse parse) {
    auto res = co_await impl.call(http::verb::get, std::move(target));
    auto body = Client::Impl::expect(std::move(res), 200);
    if (!body) {
        co_return body.error();
    }
    co_return parse(*body);
}

Task<Result<void>> post_empty(Client::Impl& impl,
                              std::string target,
                              unsigned ok,
                              unsigned ok2 = 0,
                              std::optional<std::chrono::milliseconds> timeout = {}) {
    auto res = co_await impl.call(http::verb::post, std::move(target), {}, {}, timeout);
    auto body = Client::Impl::expect(std::move(res), ok, ok2);
    if (!body) {
        co_return body.error();
    }
    co_return Result<void>{};
}

Task<Result<void>> send_json(Client::Impl& impl,
                             http::verb v,
                             std::string target,
                             std::string json,
                             unsigned ok,
                             unsigned ok2 = 0) {
    auto res = co_await impl.call(v, std::move(target), std::move(json), "application/json");
    auto body = Client::Impl::expect(std::move(res), ok, ok2);
    if (!body) {
        co_return body.error();
    }
    co_return Result<void>{};
}
}  // namespace

Task<Result<VersionInfo>> Client::version() {
    co_return co_await shielded(get_json<VersionInfo>(*impl_, "/version", parse_version));
}

Task<Result<SystemInfo>> Client::info() {
    co_return co_await shielded(get_json<SystemInfo>(*impl_, "/info", parse_info));
}

// --- containers ------------------------------------------------------------------------------
Task<Result<std::vector<ContainerSummary>>> Client::list_containers(ListContainersOptions o) {
    std::string target = "/containers/json?all=" + std::string(o.all ? "1" : "0");
    if (!o.filters.empty()) {
        target += "&filters=" + enc(serialize(o.filters));
    }
    co_return co_await shielded(
        get_json<std::vector<ContainerSummary>>(*impl_, std::move(target), parse_container_list));
}

Task<Result<ContainerInspect>> Client::inspect_container(std::string id) {
    co_return co_await shielded(get_json<ContainerInspect>(
        *impl_, "/containers/" + enc(id) + "/json", parse_container_inspect));
}

namespace {
Task<Result<CreatedContainer>> do_create(Client::Impl& impl, ContainerSpec spec, std::string name) {
    std::string target = "/containers/create";
    if (!name.empty()) {
        target += "?name=" + enc(name);
    }
    auto res = co_await impl.call(http::verb::post, target, serialize(spec), "application/json");
    auto body = Client::Impl::expect(std::move(res), 201);
    if (!body) {
        co_return body.error();
    }
    co_return parse_created(*body);
}
}  // namespace

Task<Result<CreatedContainer>> Client::create_container(ContainerSpec spec, std::string name) {
    co_return co_await shielded(do_create(*impl_, std::move(spec), std::move(name)));
}

Task<Result<void>> Client::start_container(std::string id) {
    co_return co_await shielded(post_empty(*impl_, "/containers/" + enc(id) + "/start", 204));
}

Task<Result<void>> Client::stop_container(std::string id, std::chrono::seconds grace) {
    // The daemon answers after the container stopped: the deadline covers the grace period.
    const auto timeout = impl_->options.request_timeout +
                         std::chrono::duration_cast<std::chrono::milliseconds>(grace);
    co_return co_await shielded(
        post_empty(*impl_,
                   "/containers/" + enc(id) + "/stop?t=" + std::to_string(grace.count()),
                   204,
                   304,
                   timeout));
}

Task<Result<void>> Client::kill_container(std::string id, std::string signal) {
    co_return co_await shielded(
        post_empty(*impl_, "/containers/" + enc(id) + "/kill?signal=" + enc(signal), 204));
}

namespace {
Task<Result<void>> do_remove(Client::Impl& impl, std::string id, bool force, bool volumes) {
    auto res = co_await impl.call(
        http::verb::delete_,
        "/containers/" + enc(id) + "?force=" + (force ? "1" : "0") + "&v=" + (volumes ? "1" : "0"));
    auto body = Client::Impl::expect(std::move(res), 204);
    if (!body) {
        co_return body.error();
    }
    co_return Result<void>{};
}

const char* condition_name(WaitCondition c) {
    switch (c) {
        case WaitCondition::next_exit:
            return "next-exit";
        case WaitCondition::not_running:
            return "not-running";
        case WaitCondition::removed:
            return "removed";
    }
    return "next-exit";
}

Task<Result<WaitHandle>> do_wait(Client::Impl& impl, std::string id, WaitCondition c) {
    auto w = std::make_unique<WaitHandle::Impl>();
    auto conn =
        co_await impl.open_stream(http::verb::post,
                                  "/containers/" + enc(id) + "/wait?condition=" + condition_name(c),
                                  {},
                                  {},
                                  w->parser,
                                  false);
    if (!conn) {
        co_return conn.error();
    }
    w->conn = std::move(*conn);
    co_return WaitHandle(std::move(w));
}
}  // namespace

Task<Result<void>> Client::remove_container(std::string id, bool force, bool remove_volumes) {
    co_return co_await shielded(do_remove(*impl_, std::move(id), force, remove_volumes));
}

Task<Result<WaitHandle>> Client::wait_container(std::string id, WaitCondition condition) {
    co_return co_await shielded(do_wait(*impl_, std::move(id), condition));
}

Task<Result<AttachStream>> Client::attach_container(std::string id, bool with_stdin) {
    std::string target = "/containers/" + enc(id) + "/attach?stream=1&stdout=1&stderr=1";
    if (with_stdin) {
        target += "&stdin=1";
    }
    co_return co_await shielded(impl_->hijack(std::move(target), {}, {}));
}

Task<Result<void>> Client::put_archive(std::string id, std::string path, std::string tar) {
    co_return co_await shielded(send_json(*impl_,
                                          http::verb::put,
                                          "/containers/" + enc(id) + "/archive?path=" + enc(path),
                                          std::move(tar),
                                          200));
}

// ---------------------------------------------------------------------------------------------
struct ArchiveUpload::Impl {
    ConnectionPtr conn;
    std::chrono::milliseconds answer_timeout{};
    bool finished{false};
};

ArchiveUpload::ArchiveUpload() = default;
ArchiveUpload::ArchiveUpload(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArchiveUpload::ArchiveUpload(ArchiveUpload&&) noexcept = default;
ArchiveUpload& ArchiveUpload::operator=(ArchiveUpload&&) noexcept = default;
ArchiveUpload::~ArchiveUpload() = default;

namespace {
// The daemon's answer to an upload: success, or its error.
Task<Result<void>> read_upload_answer(ArchiveUpload::Impl& u) {
    http::response_parser<http::string_body> p;
    p.body_limit(1u << 20);
    u.conn->stream.expires_after(u.answer_timeout);
    auto [ec, n] = co_await http::async_read(u.conn->stream, u.conn->buffer, p, kUse);
    if (ec) {
        co_return io_error(ec, "reading the answer to an archive upload");
    }
    const unsigned status = p.get().result_int();
    if (status >= 200 && status < 300) {
        co_return Result<void>{};
    }
    co_return status_error(status, p.get().body());
}

Task<Result<void>> write_upload(ArchiveUpload::Impl& u, std::span<const char> data) {
    // A daemon that answered already (a missing path, a bad tar) reads no more: its answer says
    // why, where a write would only see the connection reset.
    boost::system::error_code aec;
    if (u.conn->buffer.size() > 0 || u.conn->stream.socket().available(aec) > 0) {
        auto answer = co_await read_upload_answer(u);
        u.finished = true;
        if (!answer) {
            co_return answer.error();
        }
        co_return Error{errc::protocol, 0, "the daemon answered before the end of the archive"};
    }
    if (data.empty()) {
        co_return Result<void>{};
    }
    u.conn->stream.expires_never();
    auto [ec, n] = co_await asio::async_write(
        u.conn->stream, http::make_chunk(asio::const_buffer(data.data(), data.size())), kUse);
    if (ec) {
        auto answer = co_await read_upload_answer(u);
        u.finished = true;
        if (!answer) {
            co_return answer.error();
        }
        co_return io_error(ec, "sending an archive");
    }
    co_return Result<void>{};
}

Task<Result<void>> finish_upload(ArchiveUpload::Impl& u) {
    u.conn->stream.expires_after(u.answer_timeout);
    auto [ec, n] = co_await asio::async_write(u.conn->stream, http::make_chunk_last(), kUse);
    // Written or not (the daemon may have answered and closed once the tar's end blocks came),
    // its answer decides.
    auto answer = co_await read_upload_answer(u);
    u.finished = true;
    if (!answer && ec && answer.error().code == errc::transport) {
        co_return io_error(ec, "ending an archive");
    }
    co_return answer;
}

Task<Result<ArchiveUpload>> do_upload_archive(Client::Impl& impl,
                                              std::string id,
                                              std::string path) {
    if (impl.version.empty()) {
        auto p = co_await impl.negotiate();
        if (!p) {
            co_return p.error();
        }
    }
    auto conn = co_await impl.connect();
    if (!conn) {
        co_return conn.error();
    }
    http::request<http::empty_body> req{
        http::verb::put,
        "/v" + impl.version + "/containers/" + enc(id) + "/archive?path=" + enc(path),
        11};
    req.set(http::field::host, "docker");
    req.set(http::field::user_agent, "backupctl-dockerapi");
    req.set(http::field::content_type, "application/x-tar");
    req.chunked(true);
    http::request_serializer<http::empty_body> sr{req};
    (*conn)->stream.expires_after(impl.options.request_timeout);
    auto [ec, n] = co_await http::async_write_header((*conn)->stream, sr, kUse);
    if (ec) {
        co_return io_error(ec, "sending the request");
    }
    auto u = std::make_unique<ArchiveUpload::Impl>();
    u->conn = std::move(*conn);
    u->answer_timeout = impl.options.request_timeout;
    co_return ArchiveUpload(std::move(u));
}
}  // namespace

Task<Result<void>> ArchiveUpload::write(std::span<const char> data) {
    if (!impl_ || !impl_->conn || impl_->finished) {
        co_return Error{errc::invalid_argument, 0, "the upload is closed"};
    }
    co_return co_await shielded(write_upload(*impl_, data));
}

Task<Result<void>> ArchiveUpload::finish() {
    if (!impl_ || !impl_->conn || impl_->finished) {
        co_return Error{errc::invalid_argument, 0, "the upload is closed"};
    }
    auto r = co_await shielded(finish_upload(*impl_));
    close();
    co_return r;
}

void ArchiveUpload::close() {
    if (impl_ && impl_->conn) {
        boost::system::error_code ec;
        impl_->conn->stream.socket().close(ec);
        impl_->conn.reset();
    }
}

Task<Result<ArchiveUpload>> Client::upload_archive(std::string id, std::string path) {
    co_return co_await shielded(do_upload_archive(*impl_, std::move(id), std::move(path)));
}

namespace {
Task<Result<std::uint64_t>> do_get_archive(Client::Impl& impl,
                                           std::string id,
                                           std::string path,
                                           ByteSink& sink) {
    http::response_parser<http::buffer_body> parser;
    auto conn = co_await impl.open_stream(http::verb::get,
                                          "/containers/" + enc(id) + "/archive?path=" + enc(path),
                                          {},
                                          {},
                                          parser,
                                          false);
    if (!conn) {
        co_return conn.error();
    }
    std::vector<char> chunk(std::size_t{64} * 1024);
    std::uint64_t total = 0;
    for (;;) {
        auto piece = co_await read_body_some((*conn)->stream, (*conn)->buffer, parser, chunk);
        if (!piece) {
            co_return piece.error();
        }
        if (piece->empty()) {
            co_return total;
        }
        total += piece->size();
        if (auto ec = co_await sink.write(*piece)) {
            co_return Error{errc::sink_failed, 0, ec.message()};
        }
    }
}
}  // namespace

Task<Result<std::uint64_t>> Client::get_archive(std::string id, std::string path, ByteSink& sink) {
    co_return co_await shielded(do_get_archive(*impl_, std::move(id), std::move(path), sink));
}

// --- exec ------------------------------------------------------------------------------------
namespace {
Task<Result<std::string>> do_create_exec(Client::Impl& impl, std::string id, ExecSpec spec) {
    auto res = co_await impl.call(
        http::verb::post, "/containers/" + enc(id) + "/exec", serialize(spec), "application/json");
    auto body = Client::Impl::expect(std::move(res), 201);
    if (!body) {
        co_return body.error();
    }
    co_return parse_id(*body);
}
}  // namespace

Task<Result<std::string>> Client::create_exec(std::string container_id, ExecSpec spec) {
    co_return co_await shielded(do_create_exec(*impl_, std::move(container_id), std::move(spec)));
}

Task<Result<AttachStream>> Client::start_exec(std::string exec_id) {
    co_return co_await shielded(impl_->hijack(
        "/exec/" + enc(exec_id) + "/start", R"({"Detach":false,"Tty":false})", "application/json"));
}

Task<Result<ExecInfo>> Client::inspect_exec(std::string exec_id) {
    co_return co_await shielded(
        get_json<ExecInfo>(*impl_, "/exec/" + enc(exec_id) + "/json", parse_exec_inspect));
}

// --- networks --------------------------------------------------------------------------------
Task<Result<std::vector<NetworkSummary>>> Client::list_networks(Filters filters) {
    std::string target = "/networks";
    if (!filters.empty()) {
        target += "?filters=" + enc(serialize(filters));
    }
    co_return co_await shielded(
        get_json<std::vector<NetworkSummary>>(*impl_, std::move(target), parse_network_list));
}

Task<Result<NetworkSummary>> Client::inspect_network(std::string id) {
    co_return co_await shielded(
        get_json<NetworkSummary>(*impl_, "/networks/" + enc(id), parse_network));
}

namespace {
Task<Result<std::string>> do_create_network(Client::Impl& impl, NetworkSpec spec) {
    auto res = co_await impl.call(
        http::verb::post, "/networks/create", serialize(spec), "application/json");
    auto body = Client::Impl::expect(std::move(res), 200, 201);
    if (!body) {
        co_return body.error();
    }
    co_return parse_id(*body);
}
}  // namespace

Task<Result<std::string>> Client::create_network(NetworkSpec spec) {
    co_return co_await shielded(do_create_network(*impl_, std::move(spec)));
}

Task<Result<void>> Client::remove_network(std::string id) {
    co_return co_await shielded(
        send_json(*impl_, http::verb::delete_, "/networks/" + enc(id), {}, 204, 200));
}

Task<Result<void>> Client::connect_network(std::string network,
                                           std::string container,
                                           std::vector<std::string> aliases) {
    co_return co_await shielded(send_json(*impl_,
                                          http::verb::post,
                                          "/networks/" + enc(network) + "/connect",
                                          serialize_connect(container, aliases),
                                          200));
}

Task<Result<void>> Client::disconnect_network(std::string network,
                                              std::string container,
                                              bool force) {
    co_return co_await shielded(send_json(*impl_,
                                          http::verb::post,
                                          "/networks/" + enc(network) + "/disconnect",
                                          serialize_disconnect(container, force),
                                          200));
}

// --- images ----------------------------------------------------------------------------------
Task<Result<ImageInfo>> Client::inspect_image(std::string name) {
    co_return co_await shielded(
        get_json<ImageInfo>(*impl_, "/images/" + enc(name) + "/json", parse_image));
}

namespace {
Task<Result<void>> do_pull(Client::Impl& impl,
                           std::string image,
                           std::string tag,
                           std::function<void(const PullProgress&)> on_progress) {
    http::response_parser<http::buffer_body> parser;
    auto conn =
        co_await impl.open_stream(http::verb::post,
                                  "/images/create?fromImage=" + enc(image) + "&tag=" + enc(tag),
                                  {},
                                  {},
                                  parser,
                                  false);
    if (!conn) {
        co_return conn.error();
    }
    std::vector<char> chunk(std::size_t{16} * 1024);
    LineBuffer lines(1u << 20);
    bool finished = false;
    for (;;) {
        auto piece = co_await read_body_some((*conn)->stream, (*conn)->buffer, parser, chunk);
        if (!piece) {
            co_return piece.error();
        }
        if (piece->empty()) {
            break;
        }
        if (!lines.append(*piece)) {
            co_return Error{errc::protocol, 0, "a pull progress line exceeds 1 MiB"};
        }
        while (auto line = lines.pop()) {
            auto p = parse_pull_line(*line);
            if (!p) {
                co_return p.error();
            }
            if (p->status.starts_with("Status:")) {
                finished = true;
            }
            if (on_progress) {
                on_progress(*p);
            }
        }
    }
    if (!finished) {
        co_return Error{errc::stream_error,
                        0,
                        "the pull of " + image + ":" + tag + " ended without a final status"};
    }
    co_return Result<void>{};
}

Task<Result<EventStream>> do_events(Client::Impl& impl, EventsOptions o) {
    std::string target = "/events";
    std::string sep = "?";
    if (o.since_nano) {
        target += sep + "since=" + format_event_time(*o.since_nano);
        sep = "&";
    }
    if (o.until_nano) {
        target += sep + "until=" + format_event_time(*o.until_nano);
        sep = "&";
    }
    if (!o.filters.empty()) {
        target += sep + "filters=" + enc(serialize(o.filters));
    }
    auto s = std::make_unique<EventStream::Impl>();
    auto conn = co_await impl.open_stream(http::verb::get, target, {}, {}, s->parser, false);
    if (!conn) {
        co_return conn.error();
    }
    s->conn = std::move(*conn);
    co_return EventStream(std::move(s));
}
}  // namespace

Task<Result<void>> Client::pull_image(std::string image,
                                      std::string tag,
                                      std::function<void(const PullProgress&)> on_progress) {
    co_return co_await shielded(
        do_pull(*impl_, std::move(image), std::move(tag), std::move(on_progress)));
}

Task<Result<EventStream>> Client::events(EventsOptions options) {
    co_return co_await shielded(do_events(*impl_, std::move(options)));
}

}  // namespace dockerapi
