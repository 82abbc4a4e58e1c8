#pragma once
// Small in-memory tar archives: PUT /containers/{id}/archive (secret files, option files) and the
// one file that GET /containers/{id}/archive returns. Own code (ustar, pax and GNU long names):
// libarchive would bring libxml2 and ICU (38 MB) into the runtime image for these few bytes.

#include <string>
#include <string_view>
#include <vector>

#include "dockerapi/errors.hpp"

namespace dockerapi {

struct TarEntry {
    std::string path;  ///< relative to the extraction point, e.g. ".pgpass"
    std::string content;
    unsigned mode{0600};
    unsigned uid{0};
    unsigned gid{0};
};

/// An uncompressed ustar archive of regular files (paths up to 255 bytes, files below 8 GiB).
Result<std::string> make_tar(const std::vector<TarEntry>& entries);

/// The regular files of an uncompressed tar (ustar, pax `x` headers, GNU `L` long names);
/// directories, links and other entries are skipped. A bad checksum or a cut archive is an error.
Result<std::vector<TarEntry>> read_tar(std::string_view tar);

}  // namespace dockerapi
