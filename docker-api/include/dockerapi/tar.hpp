#pragma once
// Small in-memory tar archives for PUT /containers/{id}/archive (secret files, option files).

#include <string>
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

/// An uncompressed POSIX (ustar/pax) tar of regular files.
Result<std::string> make_tar(const std::vector<TarEntry>& entries);

}  // namespace dockerapi
