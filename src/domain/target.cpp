#include "domain/target.hpp"

namespace bk::domain {

const char* to_string(DbType t) {
    switch (t) {
        case DbType::postgres:
            return "postgres";
        case DbType::mysql:
            return "mysql";
        case DbType::mariadb:
            return "mariadb";
        case DbType::mongodb:
            return "mongodb";
    }
    return "postgres";
}

std::optional<DbType> db_type_from_string(std::string_view s) {
    if (s == "postgres" || s == "postgresql")
        return DbType::postgres;
    if (s == "mysql")
        return DbType::mysql;
    if (s == "mariadb")
        return DbType::mariadb;
    if (s == "mongodb" || s == "mongo")
        return DbType::mongodb;
    return std::nullopt;
}

std::optional<DbType> infer_db_type(std::string_view image) {
    // Drop the digest and the tag, keep the last path component.
    if (auto at = image.find('@'); at != std::string_view::npos) {
        image = image.substr(0, at);
    }
    auto slash = image.rfind('/');
    std::string_view repo = slash == std::string_view::npos ? image : image.substr(slash + 1);
    if (auto colon = repo.find(':'); colon != std::string_view::npos) {
        repo = repo.substr(0, colon);
    }
    auto has = [&repo](std::string_view w) { return repo.find(w) != std::string_view::npos; };
    if (has("postgres") || has("postgis") || has("timescaledb"))
        return DbType::postgres;
    if (has("mariadb"))
        return DbType::mariadb;
    if (has("mysql") || has("percona"))
        return DbType::mysql;
    if (has("mongo"))
        return DbType::mongodb;
    return std::nullopt;
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
