#pragma once
// One HTTP(S) request with a deadline for the whole exchange, for notifiers and monitors.
// TLS certificates are verified (the system's CAs, or `ca_file`), the host name too. Errors never
// name the URL's path or query: webhook URLs and push URLs carry their secret there.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/task.hpp"

namespace bk::adapters::notify {

struct HttpRequest {
    std::string method{"POST"};
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{10000};
    std::string ca_file;  ///< extra trust anchors (PEM); empty: the system's
};

struct HttpResponse {
    int status{0};
    std::string body;  ///< at most 64 KiB
};

/// Errors: timeout; daemon_unavailable (DNS, refused, TLS); invalid_config (a bad URL).
/// An HTTP error status is not an error here: the caller decides.
Task<Result<HttpResponse>> http_request(boost::asio::any_io_executor ex, HttpRequest request);

/// Sends and wants a 2xx; another status becomes io_error "HTTP 500 from https://host: <body>".
Task<Result<void>> http_expect_2xx(boost::asio::any_io_executor ex, HttpRequest request);

/// "https://hooks.slack.com" of "https://hooks.slack.com/services/T/B/X": what messages show.
std::string url_origin(const std::string& url);

/// Percent-encodes a query parameter value.
std::string query_encode(const std::string& value);

/// A setting of a notifier or monitor, from its secrets or its plain settings.
template <class Config>
std::string setting(const Config& c, const std::string& key) {
    if (auto it = c.secrets.find(key); it != c.secrets.end())
        return it->second.reveal();
    if (auto it = c.settings.find(key); it != c.settings.end())
        return it->second;
    return {};
}

/// The `timeout` setting (seconds, default 10) as a duration.
std::chrono::milliseconds timeout_setting(const std::string& value);

}  // namespace bk::adapters::notify
