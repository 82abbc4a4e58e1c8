#include "domain/suggest.hpp"

#include <algorithm>
#include <vector>

namespace bk::domain {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= m; ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

std::optional<std::string> nearest(std::string_view word,
                                   std::span<const std::string_view> candidates) {
    std::optional<std::string> best;
    std::size_t best_d = SIZE_MAX;
    for (auto c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    // Close enough: at most a third of the word's length, and never more than 3 edits.
    const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3));
    if (best && best_d <= limit) {
        return best;
    }
    // A candidate that the word starts with or contains (e.g. "db.names" -> "db.name").
    for (auto c : candidates) {
        if (c.size() >= 3 && (word.starts_with(c) || c.starts_with(word)) && word.size() >= 3) {
            return std::string(c);
        }
    }
    return std::nullopt;
}

}  // namespace bk::domain
