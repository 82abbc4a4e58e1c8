#pragma once
// Retention: how many snapshots restic keeps per group (`restic forget --keep-*`).

#include <string>
#include <string_view>

#include "domain/parsed.hpp"

namespace bk::domain {

struct Retention {
    int last{0};
    int hourly{0};
    int daily{0};
    int weekly{0};
    int monthly{0};
    int yearly{0};

    [[nodiscard]] bool empty() const {
        return last + hourly + daily + weekly + monthly + yearly == 0;
    }
    /// "last=3,daily=7": the label form, keys in a fixed order, zeros left out.
    [[nodiscard]] std::string to_string() const;
    bool operator==(const Retention&) const = default;
};

/// Parses "last=3,daily=7,weekly=4,monthly=6" (keys: last hourly daily weekly monthly yearly).
Parsed<Retention> parse_retention(std::string_view text);

}  // namespace bk::domain
