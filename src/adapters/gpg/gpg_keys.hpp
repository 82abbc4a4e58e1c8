#pragma once
// What gpg says about a public key file, without importing it anywhere: its fingerprint, whether
// it can encrypt, whether it is expired or revoked, and when it expires.

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "domain/ports/checks.hpp"

namespace bk::adapters::gpg {

/// The domain's own record of a key (the KeyInspector port returns it as is).
using KeyStatus = domain::KeyStatus;

/// Parses `gpg --with-colons` output of one key (the first `pub` record and its `fpr`).
KeyStatus parse_gpg_colons(const std::string& colons, std::int64_t now);

/// Errors: not_found (no such file), invalid_config (not a key gpg can read).
Task<Result<KeyStatus>> inspect_public_key(boost::asio::any_io_executor ex, std::string file);

/// One key of a key file, as `gpg --with-colons --import-options show-only` lists it.
struct ListedKey {
    bool secret{false};                     ///< a `sec` record (the file holds the secret key)
    std::string fingerprint;                ///< the primary key's
    std::vector<std::string> fingerprints;  ///< the primary key's and every subkey's
    std::vector<std::string> emails;        ///< of its user ids, lower-case
};

/// Every key of a listing (a file may hold several).
std::vector<ListedKey> parse_key_listing(const std::string& colons);

/// The key files of a directory for one recipient (the original backupctl's GPG_KEYS_DIR).
struct RecipientKeys {
    std::string fingerprint;
    std::string public_key_file;
    std::string private_key_file;  ///< empty when the directory holds no secret key for it
};

/// Looks at the *.gpg, *.pub and *.asc files of `dir` (each read by gpg in an empty home of its
/// own, never imported anywhere) for the key that carries `recipient` as the e-mail address of a
/// user id, or as its fingerprint or long key id (a subkey's too). Errors (invalid_config, the
/// message naming the recipient, the directory and the files looked at): no such directory, no
/// such key, keys of several fingerprints, a recipient that is neither an address nor a
/// fingerprint.
Task<Result<RecipientKeys>> find_recipient_keys(boost::asio::any_io_executor ex,
                                                std::string dir,
                                                std::string recipient);

}  // namespace bk::adapters::gpg
