#pragma once
// Random bytes from the kernel, checked: passwords, names and ids are made of them, and a failed
// read must be an error, never a predictable (all-zero) value.

#include <cstddef>
#include <functional>
#include <string>

#include "core/task.hpp"
#include <sys/types.h>

namespace bk {

/// getrandom(2)'s shape; tests pass one that fails.
using RandomSource = std::function<ssize_t(void* buffer, std::size_t length, unsigned flags)>;

/// `bytes` random bytes from getrandom(2) as 2 * `bytes` lower-case hex digits. A read cut short
/// by a signal is continued. Errors: io_error (the kernel refused, or gave no bytes).
Result<std::string> random_hex(std::size_t bytes);
/// The same from `source` (tests).
Result<std::string> random_hex(std::size_t bytes, const RandomSource& source);

}  // namespace bk
