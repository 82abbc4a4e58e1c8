#include "databases/mongodb/mongodb.hpp"

#include "domain/dump_census.hpp"

namespace bk::databases::mongodb {
namespace {

std::string first_of(const Env& env, const char* key) {
    auto it = env.find(key);
    return it == env.end() ? std::string{} : it->second;
}

class MongoKind final : public domain::DatabaseKind {
public:
    [[nodiscard]] std::string_view name() const override { return "mongodb"; }
    [[nodiscard]] std::vector<std::string_view> aliases() const override { return {"mongo"}; }
    [[nodiscard]] bool matches_image(std::string_view repo) const override {
        return repo.find("mongo") != std::string_view::npos;
    }
    [[nodiscard]] std::string file_name(const std::string& target,
                                        const std::string& database) const override {
        return target + "/" + (database == "*" ? std::string("all") : database) + ".archive";
    }
    [[nodiscard]] std::unique_ptr<domain::DumpCheck> check(bool all) const override {
        return std::make_unique<domain::DumpCensus>(domain::DumpDialect::mongodb, all);
    }
    [[nodiscard]] bool drill_counts() const override { return false; }
    [[nodiscard]] std::string_view describe() const override {
        return "MongoDB: mongodump --archive of the server's own image";
    }
};

class MongoEngine final : public Engine {
public:
    [[nodiscard]] std::string_view name() const override { return "mongodb"; }
    [[nodiscard]] std::string project_user() const override { return {}; }
    [[nodiscard]] bool project_needs_password() const override { return false; }
    [[nodiscard]] bool unauthenticated(const Env& env,
                                       const domain::DatabaseSpec& db) const override {
        // The official image without MONGO_INITDB_ROOT_*: no authentication.
        return db.user.empty() && db.password_env.empty() &&
               first_of(env, "MONGO_INITDB_ROOT_USERNAME").empty();
    }
    [[nodiscard]] std::string default_user(const Env& env) const override {
        auto u = first_of(env, "MONGO_INITDB_ROOT_USERNAME");
        return u.empty() ? "root" : u;
    }
    [[nodiscard]] std::string password_variable(const std::string& /*user*/,
                                                const Env& /*env*/) const override {
        return "MONGO_INITDB_ROOT_PASSWORD";
    }
    [[nodiscard]] std::vector<std::string> default_variables() const override {
        return {"MONGO_INITDB_DATABASE"};
    }
    [[nodiscard]] std::string default_database(const Env& env) const override {
        return first_of(env, "MONGO_INITDB_DATABASE");
    }
    [[nodiscard]] ClientSetup client(const Connection& c) const override {
        ClientSetup s;
        s.connection = {"--host", c.host};
        if (c.port > 0)
            s.connection.insert(s.connection.end(), {"--port", std::to_string(c.port)});
        if (!c.user.empty()) {
            s.files.push_back(
                {"backupctl.mongodump.yaml", "password: " + yaml_quote(c.password) + "\n"});
            s.connection.insert(s.connection.end(),
                                {"--username",
                                 c.user,
                                 "--authenticationDatabase",
                                 "admin",
                                 "--config",
                                 "/tmp/backupctl.mongodump.yaml"});
        }
        return s;
    }
    [[nodiscard]] std::vector<std::string> dump(const std::string& database) const override {
        std::vector<std::string> argv{"mongodump", "--archive"};
        if (database != "*")
            argv.insert(argv.end(), {"--db", database});
        return argv;
    }
    [[nodiscard]] std::vector<std::string> probe(const std::string& database) const override {
        // Dumps nothing: --archive to stdout of an unknown collection lists and authenticates.
        auto argv = dump(database);
        argv.insert(argv.end(), {"--collection", "backupctl-probe-nonexistent"});
        return argv;
    }
    [[nodiscard]] LoadPlan load(const std::string& database) const override {
        LoadPlan p{{"mongorestore", "--archive", "--drop"}, {}, {}};
        if (database != "*")
            p.argv.push_back("--nsInclude=" + database + ".*");
        return p;
    }
    [[nodiscard]] std::optional<CountPlan> count(const std::string& /*database*/,
                                                 const std::vector<std::string>& /*tables*/,
                                                 std::string& why) const override {
        why = "counting documents needs mongosh, which this version does not use";
        return std::nullopt;
    }
    [[nodiscard]] std::vector<std::string> ready() const override {
        return {"mongodump",
                "--archive",
                "--db",
                "admin",
                "--collection",
                "backupctl-probe-nonexistent"};
    }
    [[nodiscard]] std::vector<std::string> scratch_variables() const override {
        return {"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_DATABASE"};
    }
    [[nodiscard]] std::string scratch_password_file_variable() const override {
        return "MONGO_INITDB_ROOT_PASSWORD_FILE";
    }
    [[nodiscard]] std::vector<std::string> scratch_extra(const Env& env) const override {
        if (env.contains("MONGO_INITDB_ROOT_USERNAME"))
            return {};
        return {"MONGO_INITDB_ROOT_USERNAME=root"};
    }
};

}  // namespace

std::string yaml_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::shared_ptr<const domain::DatabaseKind> kind() {
    return std::make_shared<const MongoKind>();
}
std::shared_ptr<const Engine> engine() {
    return std::make_shared<const MongoEngine>();
}

}  // namespace bk::databases::mongodb
