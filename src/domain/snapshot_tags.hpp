#pragma once
// restic tags of our snapshots: "key:value". restic splits a --tag argument at commas, so a value
// (a database name from the server's own listing, a mount path, a file path) is encoded: ',', '%',
// and control characters become %XX. A name can never add a tag ("db:x,target:victim").
// Values of older snapshots never held a comma; one holding '%' followed by two hex digits would
// be read decoded.

#include <string>
#include <string_view>
#include <vector>

namespace bk::domain {

/// "key:" + the encoded value.
std::string snapshot_tag(std::string_view key, std::string_view value);
/// The decoded value of the first tag "key:..." in `tags`; empty when none.
std::string snapshot_tag_value(const std::vector<std::string>& tags, std::string_view key);
/// %XX of ',', '%' and control characters.
std::string encode_tag_value(std::string_view value);
std::string decode_tag_value(std::string_view value);

}  // namespace bk::domain
