#include "core/task.hpp"

#include <string>

namespace bk {
namespace {
class Category final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "backupctl"; }
    [[nodiscard]] std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::daemon_unavailable:
                return "Docker engine unavailable";
            case errc::timeout:
                return "timed out";
            case errc::cancelled:
                return "cancelled";
            case errc::not_found:
                return "not found";
            case errc::conflict:
                return "conflict";
            case errc::invalid_config:
                return "invalid configuration";
            case errc::invalid_label:
                return "invalid label";
            case errc::dump_failed:
                return "dump failed";
            case errc::encrypt_failed:
                return "encryption failed";
            case errc::repo_failed:
                return "repository failed";
            case errc::repo_locked:
                return "repository locked";
            case errc::restore_failed:
                return "restore failed";
            case errc::io_error:
                return "I/O error";
            case errc::internal:
                return "internal error";
        }
        return "unknown";
    }
};
}  // namespace

const std::error_category& error_category() noexcept {
    static const Category c;
    return c;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

void throw_exception_from_error(const Failure& f, const boost::source_location& /*loc*/) {
    throw std::system_error(make_error_code(f.code), f.message);
}

}  // namespace bk
