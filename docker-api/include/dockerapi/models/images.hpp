#pragma once

#include <map>
#include <string>
#include <vector>

namespace dockerapi {

struct ImageInfo {
    std::string id;
    std::vector<std::string> repo_tags;
    std::vector<std::string> env;
    std::vector<std::string> cmd;
    std::vector<std::string> entrypoint;
    std::string user;
    std::map<std::string, std::string> labels;
};

/// One line of the pull progress stream.
struct PullProgress {
    std::string status;
    std::string id;
    std::string progress;
};

}  // namespace dockerapi
