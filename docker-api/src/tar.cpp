#include "dockerapi/tar.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>

namespace dockerapi {
namespace {

la_ssize_t append_to_string(struct archive* /*a*/, void* client, const void* buf, size_t n) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
}

}  // namespace

Result<std::string> make_tar(const std::vector<TarEntry>& entries) {
    std::string out;
    std::unique_ptr<struct archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                                     &archive_write_free);
    auto fail = [&](const char* what) {
        const char* msg = archive_error_string(a.get());
        return Error{errc::invalid_argument, 0,
                     std::string("tar: ") + what + (msg != nullptr ? std::string(": ") + msg : "")};
    };
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
        archive_write_open(a.get(), &out, nullptr, &append_to_string, nullptr) != ARCHIVE_OK) {
        return fail("cannot open the archive");
    }
    const std::time_t now = std::time(nullptr);
    for (const auto& e : entries) {
        std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(
            archive_entry_new(), &archive_entry_free);
        archive_entry_set_pathname(entry.get(), e.path.c_str());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), static_cast<mode_t>(e.mode));
        archive_entry_set_uid(entry.get(), e.uid);
        archive_entry_set_gid(entry.get(), e.gid);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.content.size()));
        archive_entry_set_mtime(entry.get(), now, 0);
        if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
            return fail("cannot write an entry header");
        }
        if (!e.content.empty() &&
            archive_write_data(a.get(), e.content.data(), e.content.size()) < 0) {
            return fail("cannot write an entry");
        }
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) {
        return fail("cannot close the archive");
    }
    return out;
}

}  // namespace dockerapi
