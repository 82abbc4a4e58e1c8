#pragma once
// The most telling line of a program's stderr: the last one that says "error" or "fatal",
// else the last non-empty one; and the last line alone.

#include <string>
#include <string_view>

namespace bk::domain {

std::string telling_line(std::string_view text);
/// The last non-empty line (without its line end).
std::string last_line(std::string_view text);

}  // namespace bk::domain
