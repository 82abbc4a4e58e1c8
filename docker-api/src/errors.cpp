#include "dockerapi/errors.hpp"

#include <stdexcept>

namespace dockerapi {
namespace {

class Category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "dockerapi"; }
    [[nodiscard]] std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::daemon_unavailable:
                return "Docker daemon unavailable";
            case errc::timeout:
                return "timed out";
            case errc::cancelled:
                return "cancelled";
            case errc::transport:
                return "connection to the Docker daemon failed";
            case errc::protocol:
                return "protocol error";
            case errc::malformed_body:
                return "malformed response body";
            case errc::truncated_stream:
                return "stream truncated";
            case errc::not_found:
                return "not found";
            case errc::conflict:
                return "conflict";
            case errc::not_modified:
                return "not modified";
            case errc::daemon_error:
                return "Docker daemon error";
            case errc::unsupported_version:
                return "unsupported API version";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::sink_failed:
                return "stream consumer failed";
            case errc::stream_error:
                return "error reported inside the stream";
        }
        return "unknown dockerapi error";
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const Category category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

std::string Error::describe() const {
    std::string out = make_error_code(code).message();
    if (!message.empty()) {
        out += ": ";
        out += message;
    }
    if (http_status != 0) {
        out += " (HTTP " + std::to_string(http_status) + ")";
    }
    return out;
}

void throw_exception_from_error(const Error& e, const boost::source_location& /*loc*/) {
    throw std::system_error(make_error_code(e.code), e.message);
}

}  // namespace dockerapi
