#pragma once
// What gpg says about a public key file, without importing it anywhere: its fingerprint, whether
// it can encrypt, whether it is expired or revoked, and when it expires.

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <string>

#include "core/task.hpp"

namespace bk::adapters::process {

struct KeyStatus {
    std::string fingerprint;
    bool can_encrypt{false};
    bool expired{false};
    bool revoked{false};
    std::int64_t expires{0};  ///< Unix time; 0 = never
};

/// Parses `gpg --with-colons` output of one key (the first `pub` record and its `fpr`).
KeyStatus parse_gpg_colons(const std::string& colons, std::int64_t now);

/// Errors: not_found (no such file), invalid_config (not a key gpg can read).
Task<Result<KeyStatus>> inspect_public_key(boost::asio::any_io_executor ex, std::string file);

}  // namespace bk::adapters::process
