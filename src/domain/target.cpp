#include "domain/target.hpp"

namespace bk::domain {

std::string DatabaseSpec::kind_name() const {
    return kind ? std::string(kind->name()) : std::string{};
}

bool DatabaseSpec::is(std::string_view name) const {
    return kind && kind->name() == name;
}

bool Target::stopped() const {
    // "paused" and "restarting" are not stopped: the one resumes, the other is on its way back.
    return source == Origin::labels && !container_id.empty() &&
           (container_state == "exited" || container_state == "created" ||
            container_state == "dead");
}

}  // namespace bk::domain

#include "domain/discovery.hpp"

namespace bk::domain {

std::string LabelProblem::describe() const {
    std::string out = label;
    if (!value.empty()) {
        out += "=\"" + value + "\"";
    }
    out += ": " + message;
    if (!suggestion.empty()) {
        out += " (" + suggestion + ")";
    }
    return out;
}

const char* to_string(Disposition d) {
    switch (d) {
        case Disposition::target:
            return "target";
        case Disposition::invalid:
            return "invalid";
        case Disposition::not_enabled:
            return "not-enabled";
        case Disposition::other_scope:
            return "other-scope";
        case Disposition::ignored:
            return "ignored";
    }
    return "invalid";
}

}  // namespace bk::domain
