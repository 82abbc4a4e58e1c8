#include "domain/provenance.hpp"

#include <algorithm>
#include <cctype>

namespace bk::domain {
namespace {

bool all_hex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
}

}  // namespace

std::string image_repository(std::string_view image) {
    if (image.starts_with("sha256:"))
        return {};
    if ((image.size() == 12 || image.size() == 64) && all_hex(image))
        return {};
    if (auto at = image.find('@'); at != std::string_view::npos)
        image = image.substr(0, at);
    const auto slash = image.rfind('/');
    const auto colon = image.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        image = image.substr(0, colon);  // the tag
    }
    for (std::string_view prefix : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
        if (image.starts_with(prefix))
            image.remove_prefix(prefix.size());
    }
    if (image.starts_with("library/"))
        image.remove_prefix(8);
    return std::string(image);
}

Provenance provenance_of(const Target& target) {
    Provenance p;
    p.target = target.name;
    p.origin = target.source == Origin::config ? "config" : "labels";
    if (target.source == Origin::labels) {
        p.compose_project = target.compose_project;
        p.compose_service = target.compose_service;
        p.image = image_repository(target.image);
    }
    if (target.database)
        p.db_type = target.database->kind_name();
    return p;
}

std::string describe(const Provenance& p) {
    if (p.origin == "config")
        return "config project" + (p.db_type.empty() ? "" : ", " + p.db_type);
    std::string out = "labels: ";
    if (p.compose_project.empty() && p.compose_service.empty()) {
        out += "no compose project";
    } else {
        out += "compose project " + p.compose_project + ", service " + p.compose_service;
    }
    out += ", image " + (p.image.empty() ? std::string("(by id)") : p.image);
    if (!p.db_type.empty())
        out += ", " + p.db_type;
    return out;
}

std::vector<std::string> provenance_changes(const Provenance& known, const Provenance& now) {
    std::vector<std::string> out;
    auto field = [&out](const char* what, const std::string& a, const std::string& b) {
        if (a != b) {
            out.push_back(std::string(what) + " " + (a.empty() ? "(none)" : a) + " -> " +
                          (b.empty() ? "(none)" : b));
        }
    };
    field("origin", known.origin, now.origin);
    if (!out.empty() || now.origin == "config")
        return out;
    field("compose project", known.compose_project, now.compose_project);
    field("compose service", known.compose_service, now.compose_service);
    if (!known.image.empty() && !now.image.empty())
        field("image", known.image, now.image);
    field("database", known.db_type, now.db_type);
    return out;
}

}  // namespace bk::domain
