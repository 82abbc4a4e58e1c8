#pragma once
// "Did you mean ...?": the nearest of a set of valid words to a mistyped one.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bk::domain {

/// Levenshtein distance with adjacent transpositions counted as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word`, when it is close enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word,
                                   std::span<const std::string_view> candidates);

}  // namespace bk::domain
