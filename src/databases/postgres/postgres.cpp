#include "databases/postgres/postgres.hpp"

#include "domain/dump_census.hpp"
#include "domain/table_name.hpp"

namespace bk::databases::postgres {
namespace {

class PostgresKind final : public domain::DatabaseKind {
public:
    [[nodiscard]] std::string_view name() const override { return "postgres"; }
    [[nodiscard]] std::vector<std::string_view> aliases() const override { return {"postgresql"}; }
    [[nodiscard]] bool matches_image(std::string_view repo) const override {
        return repo.find("postgres") != std::string_view::npos ||
               repo.find("postgis") != std::string_view::npos ||
               repo.find("timescaledb") != std::string_view::npos;
    }
    [[nodiscard]] std::string file_name(const std::string& target,
                                        const std::string& database) const override {
        return target + "/" + (database == "*" ? std::string("all") : database) + ".sql";
    }
    [[nodiscard]] std::unique_ptr<domain::DumpCheck> check(bool all) const override {
        return std::make_unique<domain::DumpCensus>(domain::DumpDialect::postgres, all);
    }
    [[nodiscard]] std::string_view describe() const override {
        return "PostgreSQL: pg_dump (pg_dumpall for every database) of the server's own image";
    }
};

// The count of one table, the name as the dump text wrote it. The name reaches the server as
// hex data and format's %I quotes it: no byte of it passes through psql's own lexer, where `\!`
// would run a shell command.
std::optional<std::string> count_sql(const std::string& table) {
    auto parts = domain::sql_name_parts(table, '"', true);
    if (!parts)
        return std::nullopt;
    std::string format = "SELECT count(*) FROM ";
    std::string args;
    for (std::size_t i = 0; i < parts->size(); ++i) {
        format += i == 0 ? "%I" : ".%I";
        args += ", convert_from(decode('" + domain::to_hex((*parts)[i]) +
                "', 'hex'), current_setting('server_encoding'))";
    }
    return "SELECT format('" + format + "'" + args + ") \\gexec\n";
}

class PostgresEngine final : public Engine {
public:
    [[nodiscard]] std::string_view name() const override { return "postgres"; }
    [[nodiscard]] std::string project_user() const override { return "postgres"; }
    [[nodiscard]] std::string default_user(const Env& env) const override {
        auto it = env.find("POSTGRES_USER");
        return it != env.end() && !it->second.empty() ? it->second : "postgres";
    }
    [[nodiscard]] std::string password_variable(const std::string& /*user*/,
                                                const Env& /*env*/) const override {
        return "POSTGRES_PASSWORD";
    }
    [[nodiscard]] std::vector<std::string> default_variables() const override {
        return {"POSTGRES_DB", "POSTGRES_USER"};
    }
    [[nodiscard]] std::string default_database(const Env& env) const override {
        for (const char* k : {"POSTGRES_DB", "POSTGRES_USER"}) {
            if (auto it = env.find(k); it != env.end() && !it->second.empty())
                return it->second;
        }
        return "postgres";
    }
    [[nodiscard]] ClientSetup client(const Connection& c) const override {
        ClientSetup s;
        s.env = {"PGPASSFILE=/tmp/backupctl.pgpass"};
        s.files.push_back({"backupctl.pgpass", "*:*:*:*:" + pgpass_escape(c.password) + "\n"});
        s.connection = {"-h", c.host, "-U", c.user, "--no-password"};
        if (c.port > 0)
            s.connection.insert(s.connection.end(), {"-p", std::to_string(c.port)});
        return s;
    }
    [[nodiscard]] std::vector<std::string> dump(const std::string& database) const override {
        if (database == "*")
            return {"pg_dumpall"};
        return {"pg_dump", "-d", database_arg(database)};
    }
    [[nodiscard]] std::vector<std::string> probe(const std::string& database) const override {
        return {"psql",
                "-d",
                database_arg(database == "*" ? "postgres" : database),
                "-qtAc",
                "SELECT 1"};
    }
    [[nodiscard]] LoadPlan load(const std::string& database) const override {
        if (database == "*")
            return {{"psql", "-d", "postgres", "-q"}, {}, {}};  // pg_dumpall: "role exists"
                                                                // errors are expected
        // One session: the database emptied first (a dump restores into an empty one), then
        // the dump, in a transaction only our COMMIT ends, written after the stream proved
        // whole: killed before that, the server rolls it back. \connect reads a name with '='
        // as a conninfo (psql strips the quotes): it gets a conninfo of dbname alone.
        return {{"psql",
                 "-d",
                 "postgres",
                 "-q",
                 "-v",
                 "ON_ERROR_STOP=1",
                 "-v",
                 "db=" + database,
                 "-v",
                 "dbconn=" + database_arg(database)},
                "SELECT coalesce((SELECT pg_catalog.pg_get_userbyid(datdba) FROM "
                "pg_catalog.pg_database WHERE datname = :'db'), current_user) AS owner \\gset\n"
                "DROP DATABASE IF EXISTS :\"db\" WITH (FORCE);\n"
                "CREATE DATABASE :\"db\" OWNER :\"owner\" TEMPLATE template0;\n"
                "\\connect -reuse-previous=on :\"dbconn\"\n"
                "BEGIN;\n",
                "\nCOMMIT;\n"};
    }
    [[nodiscard]] std::optional<CountPlan> count(const std::string& database,
                                                 const std::vector<std::string>& tables,
                                                 std::string& why) const override {
        CountPlan p{{"psql", "-d", database_arg(database), "-qtA", "-v", "ON_ERROR_STOP=1"}, {}};
        for (const auto& t : tables) {
            auto sql = count_sql(t);
            if (!sql) {
                why = cannot_count(t);
                return std::nullopt;
            }
            p.input += *sql;
        }
        return p;
    }
    [[nodiscard]] std::vector<std::string> ready() const override {
        return {"psql", "-d", "postgres", "-qtAc", "SELECT 1"};
    }
    [[nodiscard]] std::vector<std::string> scratch_variables() const override {
        return {"POSTGRES_USER",
                "POSTGRES_DB",
                "POSTGRES_INITDB_ARGS",
                "PGDATA",
                "LANG",
                "LC_ALL",
                "TZ"};
    }
    [[nodiscard]] std::string scratch_password_file_variable() const override {
        return "POSTGRES_PASSWORD_FILE";
    }
    [[nodiscard]] std::string explain_failure(const domain::Target& t,
                                              const std::string& tail) const override {
        // pg_dump: "aborting because of server version mismatch" / "server version: 16.4;
        // pg_dump version: 15.8"
        if (tail.find("server version mismatch") == std::string::npos)
            return {};
        std::string versions;
        if (auto at = tail.find("server version:"); at != std::string::npos) {
            versions = tail.substr(at, tail.find('\n', at) - at);
            while (!versions.empty() && (versions.back() == '\r' || versions.back() == ' '))
                versions.pop_back();
        }
        const std::string image = t.database->dump_image.empty() ? t.image : t.database->dump_image;
        return "the client in " + image + " is older than the server" +
               (versions.empty() ? std::string{} : " (" + versions + ")") +
               ": pg_dump refuses to dump a newer server; set " +
               (t.source == domain::Origin::config
                    ? "database.image (or defaults.client_images.postgres)"
                    : std::string("backupctl.db.image")) +
               " to a postgres image of the server's major version or newer";
    }
};

}  // namespace

std::string database_arg(const std::string& database) {
    // libpq reads -d as a conninfo when it holds '=' or starts like a URI: "host=elsewhere
    // dbname=x". Such a name goes as a conninfo of dbname alone, quoted: the name and nothing
    // else (libpq expands only the first dbname). A plain name stays as it is.
    const bool conninfo = database.find('=') != std::string::npos ||
                          database.starts_with("postgresql:") || database.starts_with("postgres:");
    if (!conninfo)
        return database;
    std::string quoted = "dbname='";
    for (char c : database) {
        if (c == '\'' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "'";
}

std::string pgpass_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ':' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

std::shared_ptr<const domain::DatabaseKind> kind() {
    return std::make_shared<const PostgresKind>();
}
std::shared_ptr<const Engine> engine() {
    return std::make_shared<const PostgresEngine>();
}

}  // namespace bk::databases::postgres
