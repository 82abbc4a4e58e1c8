#include "domain/database_kind.hpp"

#include <algorithm>
#include <cctype>

namespace bk::domain {
namespace {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The repository name of an image reference: no registry or namespace, no tag, no digest.
std::string_view repository_of(std::string_view image) {
    if (auto at = image.find('@'); at != std::string_view::npos)
        image = image.substr(0, at);
    auto slash = image.rfind('/');
    std::string_view repo = slash == std::string_view::npos ? image : image.substr(slash + 1);
    if (auto colon = repo.find(':'); colon != std::string_view::npos)
        repo = repo.substr(0, colon);
    return repo;
}

}  // namespace

void DatabaseKinds::add(std::shared_ptr<const DatabaseKind> kind) {
    kinds_.push_back(std::move(kind));
}

std::shared_ptr<const DatabaseKind> DatabaseKinds::find(std::string_view name) const {
    for (const auto& k : kinds_) {
        if (same_name(k->name(), name))
            return k;
        for (auto alias : k->aliases()) {
            if (same_name(alias, name))
                return k;
        }
    }
    return nullptr;
}

std::shared_ptr<const DatabaseKind> DatabaseKinds::infer(std::string_view image) const {
    const auto repo = repository_of(image);
    if (repo.empty())
        return nullptr;
    for (const auto& k : kinds_) {
        if (k->matches_image(repo))
            return k;
    }
    return nullptr;
}

std::vector<std::string> DatabaseKinds::names() const {
    std::vector<std::string> out;
    out.reserve(kinds_.size());
    for (const auto& k : kinds_)
        out.emplace_back(k->name());
    return out;
}

std::string DatabaseKinds::names_text() const {
    std::string out;
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
        if (i > 0)
            out += i + 1 == kinds_.size() ? " or " : ", ";
        out += kinds_[i]->name();
    }
    return out;
}

}  // namespace bk::domain
