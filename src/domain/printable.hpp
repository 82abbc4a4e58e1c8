#pragma once
// Text from labels, the config, snapshot tags and the engine reaches terminals, e-mail headers,
// log lines, argv and option files. What is printable there, and how to show what is not.

#include <optional>
#include <string>
#include <string_view>

namespace bk::domain {

/// Why `text` cannot be a name: the first control character (C0, DEL, C1), Unicode direction
/// control (U+200E/F, U+202A-U+202E, U+2066-U+2069) or byte that is not UTF-8, with its offset.
/// nullopt when every character is printable.
std::optional<std::string> unprintable(std::string_view text);

enum class Layout {
    escape,  ///< one value: every unprintable character is escaped, newlines and tabs too
    keep,    ///< a whole text: its newlines and tabs stay, everything else unprintable is escaped
};

/// `text` with each unprintable character written out, so that a terminal shows it instead of
/// obeying it: \n \r \t, \u00XX for other controls, \uXXXX for direction controls and \xNN for
/// a byte that is not UTF-8. Within a JSON string the result is still valid JSON (\xNN aside).
std::string escape_unprintable(std::string_view text, Layout layout = Layout::escape);

/// How many bytes at the end of `text` are the start of a UTF-8 sequence that is not complete
/// yet (0-3): a stream that escapes text as it comes holds those back until the rest arrives.
std::size_t incomplete_utf8_tail(std::string_view text);

}  // namespace bk::domain
