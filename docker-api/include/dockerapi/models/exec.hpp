#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dockerapi {

/// Body of POST /containers/{id}/exec. No shell is involved: cmd is the argv.
struct ExecSpec {
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    std::string user;
    std::string working_dir;
    bool attach_stdin{false};
    bool attach_stdout{true};
    bool attach_stderr{true};
};

/// GET /exec/{id}/json.
struct ExecInfo {
    std::string id;
    std::string container_id;
    bool running{false};
    std::optional<int> exit_code;  ///< null while running
    std::int64_t pid{0};
};

}  // namespace dockerapi
