#pragma once
// Table names as a dump writes them (`public."a (b"`, `` `shop`.`a``b` ``) and the identifiers
// they stand for. Dump text is untrusted: a name is taken apart by the quoting rules of its SQL,
// never pasted into SQL again.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bk::domain {

/// The length of the (possibly qualified) name at the start of `text`: parts separated by '.',
/// each bare (up to a space, '.', '(' or ';') or quoted with `quote` (doubled inside). 0 when
/// no whole name starts there (an unterminated quote, an empty part).
std::size_t sql_name_length(std::string_view text, char quote);

/// The identifiers of a name as sql_name_length() delimits it, unquoted; bare parts folded to
/// lower case when `fold_bare` (PostgreSQL's rule). nullopt unless `name` is exactly one name of
/// 1 to 3 parts without control bytes.
std::optional<std::vector<std::string>> sql_name_parts(std::string_view name,
                                                       char quote,
                                                       bool fold_bare);

/// Bytes as lower-case hex: a name handed to SQL as data (decode('..','hex'), X'..').
std::string to_hex(std::string_view bytes);

}  // namespace bk::domain
