#pragma once
// An in-process fake Docker daemon on a unix socket, for integration tests of dockerapi: a route
// table (method + path regex -> reply), a log of the requests it got, and fault switches
// (cut the connection after N bytes, never answer, stream chunks and keep the stream open,
// hijack and send raw frames). Replies are written byte for byte, so tests control the framing.

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/test_env.hpp"

namespace bk::testing {

struct FakeRequest {
    std::string method;
    std::string target;  ///< as sent, e.g. "/v1.41/containers/json?all=1"
    std::string path;    ///< without the version prefix and query, e.g. "/containers/json"
    std::string query;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lower-case names
    int connection{0};                           ///< which accepted connection carried it

    /// The decoded value of a query parameter, or "".
    [[nodiscard]] std::string param(const std::string& name) const;
};

struct FakeReply {
    unsigned status{200};
    std::string content_type{"application/json"};
    std::string body;                      ///< sent with Content-Length unless chunks are given
    std::vector<std::string> chunks;       ///< Transfer-Encoding: chunked, one chunk each
    bool end_chunks{true};                 ///< false: the chunked stream stays open
    bool hijack{false};                    ///< 101 UPGRADED, then `body` raw
    bool drain_stdin{false};               ///< hijack: then read what the client writes until EOF
    std::optional<std::size_t> cut_after;  ///< close after this many bytes of the whole reply
    bool never_answer{false};              ///< read the request, then stay silent
    bool close{false};                     ///< Connection: close after this reply
    std::map<std::string, std::string> headers;

    static FakeReply json(std::string body, unsigned status = 200);
    static FakeReply error(unsigned status, const std::string& message);
};

class FakeDockerd {
public:
    using Handler = std::function<FakeReply(const FakeRequest&)>;

    /// Listens on a fresh socket under /tmp; /_ping answers with `api_version`.
    explicit FakeDockerd(boost::asio::io_context& ioc, std::string api_version = "1.41");
    ~FakeDockerd();
    FakeDockerd(const FakeDockerd&) = delete;
    FakeDockerd& operator=(const FakeDockerd&) = delete;

    [[nodiscard]] std::string socket_path() const;
    /// Adds a route; later routes win over earlier ones. `path_regex` matches the path without
    /// the version prefix and query.
    void route(const std::string& method, const std::string& path_regex, Handler handler);
    /// Drops every open connection (the daemon "restarts" its API).
    void drop_connections();

    [[nodiscard]] const std::vector<FakeRequest>& requests() const;
    [[nodiscard]] int connections_accepted() const;

    struct State;

private:
    std::shared_ptr<State> state_;
    TempDir dir_;
};

}  // namespace bk::testing
