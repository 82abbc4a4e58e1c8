#pragma once
// Errors of the Engine API client. Every call returns Result<T>: a value or an Error that says
// what went wrong (the code), the daemon's HTTP status when it answered, and a readable message.

#include <boost/system/result.hpp>

#include <string>
#include <system_error>

namespace dockerapi {

enum class errc {
    daemon_unavailable = 1,  ///< nothing listens at the socket / address (ENOENT, ECONNREFUSED)
    timeout,                 ///< a deadline passed before the daemon answered
    cancelled,               ///< the operation was cancelled by its caller
    transport,               ///< the connection failed or was cut in the middle of an exchange
    protocol,                ///< the bytes are not valid HTTP or not the expected framing
    malformed_body,          ///< the body is not the JSON this call expects
    truncated_stream,        ///< a stream ended in the middle of a frame or a message
    not_found,               ///< the daemon answered 404
    conflict,                ///< the daemon answered 409
    not_modified,            ///< the daemon answered 304 (e.g. start of a running container)
    daemon_error,            ///< any other non-success status from the daemon
    unsupported_version,     ///< the daemon's API version range does not meet the client's
    invalid_argument,        ///< the caller's arguments cannot be sent (e.g. a bad DOCKER_HOST)
    sink_failed,             ///< the caller's sink refused bytes; the stream was abandoned
    stream_error,            ///< the daemon reported an error inside a stream (pull, events)
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

/// The error value of every dockerapi call.
struct Error {
    errc code{errc::transport};
    int http_status{0};   ///< 0 when the daemon never answered
    std::string message;  ///< the daemon's message, or what the client saw

    /// One line for humans: "<code>: <message> (HTTP <status>)".
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] bool is(errc e) const noexcept { return code == e; }
};

/// Lets boost::system::result<T, Error>::value() throw a std::system_error carrying the message.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace dockerapi

template <>
struct std::is_error_code_enum<dockerapi::errc> : std::true_type {};
