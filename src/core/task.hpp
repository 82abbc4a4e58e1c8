#pragma once
// The one place the core names Asio and Boost.System: the coroutine and result types of the ports.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <system_error>

namespace bk {

template <class T>
using Task = boost::asio::awaitable<T>;

/// backupctl's error codes at the ports.
enum class errc {
    daemon_unavailable = 1,
    timeout,
    cancelled,
    not_found,
    conflict,
    invalid_config,
    invalid_label,
    dump_failed,
    encrypt_failed,
    repo_failed,
    repo_locked,
    restore_failed,
    io_error,
    internal,
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

/// An error with the message a human needs.
struct Failure {
    errc code{errc::internal};
    std::string message;
};

[[noreturn]] void throw_exception_from_error(const Failure& f, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Failure>;

/// The text of an errno value (strerror is not thread-safe; this is).
inline std::string errno_text(int err) {
    return std::generic_category().message(err);
}

}  // namespace bk

template <>
struct std::is_error_code_enum<bk::errc> : std::true_type {};
