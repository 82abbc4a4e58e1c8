#pragma once

#include <map>
#include <string>
#include <vector>

namespace dockerapi {

struct NetworkSummary {
    std::string id;
    std::string name;
    std::string driver;
    std::string scope;
    bool internal{false};
    bool attachable{false};
    std::map<std::string, std::string> labels;
    /// container id -> endpoint name (filled by inspect; the list view leaves it empty)
    std::map<std::string, std::string> containers;
};

struct NetworkSpec {
    std::string name;
    std::string driver{"bridge"};
    bool internal{false};
    bool attachable{false};
    std::map<std::string, std::string> labels;
};

}  // namespace dockerapi
