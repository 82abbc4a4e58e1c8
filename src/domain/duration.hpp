#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "domain/parsed.hpp"

namespace bk::domain {

/// Parses "90s", "30m", "1h", "1h30m", "2d", "1w": units s, m, h, d, w, at least one.
Parsed<std::chrono::seconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::seconds d);

}  // namespace bk::domain
