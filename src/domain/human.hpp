#pragma once
// Figures for humans: byte counts with binary units ("1.9 GiB", "512 B").

#include <cstdint>
#include <string>

namespace bk::domain {

std::string human_bytes(double bytes);
inline std::string human_bytes(std::uint64_t bytes) {
    return human_bytes(static_cast<double>(bytes));
}

}  // namespace bk::domain
