#pragma once
// Runs a test's own shell command (built from the test's strings only) and captures its output.

#include <cstdio>
#include <stdexcept>
#include <string>

#include <sys/wait.h>

namespace bk::testing {

struct ShellResult {
    int exit_code{-1};
    std::string out;  ///< stdout (stderr goes to the test log unless the command redirects it)
};

inline ShellResult sh(const std::string& command) {
    ShellResult r;
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) {
        throw std::runtime_error("popen failed: " + command);
    }
    char buf[65536];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
        r.out.append(buf, n);
    }
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// Single-quotes a value for the shell.
inline std::string quoted(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

}  // namespace bk::testing
