#include "domain/operator_config.hpp"

namespace bk::domain {

std::string ConfigProblem::describe() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) {
            out += ":" + std::to_string(column);
        }
    }
    out += ": ";
    if (!path.empty()) {
        out += path + ": ";
    }
    out += message;
    if (!project.empty()) {
        out += " (project \"" + project + "\" is disabled)";
    }
    return out;
}

bool OperatorConfig::has_fatal_problems() const {
    for (const auto& p : problems) {
        if (p.project.empty()) {
            return true;
        }
    }
    return false;
}

}  // namespace bk::domain
