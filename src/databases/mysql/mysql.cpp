#include "databases/mysql/mysql.hpp"

#include "domain/dump_census.hpp"
#include "domain/table_name.hpp"

namespace bk::databases::mysql {
namespace {

bool has(std::string_view s, std::string_view w) {
    return s.find(w) != std::string_view::npos;
}

class MysqlKind final : public domain::DatabaseKind {
public:
    explicit MysqlKind(bool maria) : maria_(maria) {}
    [[nodiscard]] std::string_view name() const override { return maria_ ? "mariadb" : "mysql"; }
    [[nodiscard]] bool matches_image(std::string_view repo) const override {
        if (maria_)
            return has(repo, "mariadb");
        return !has(repo, "mariadb") && (has(repo, "mysql") || has(repo, "percona"));
    }
    [[nodiscard]] std::string file_name(const std::string& target,
                                        const std::string& database) const override {
        return target + "/" + (database == "*" ? std::string("all") : database) + ".sql";
    }
    [[nodiscard]] std::unique_ptr<domain::DumpCheck> check(bool all) const override {
        return std::make_unique<domain::DumpCensus>(
            maria_ ? domain::DumpDialect::mariadb : domain::DumpDialect::mysql, all);
    }
    [[nodiscard]] std::string_view describe() const override {
        return maria_ ? "MariaDB: mariadb-dump of the server's own image"
                      : "MySQL, Percona: mysqldump of the server's own image";
    }

private:
    bool maria_;
};

std::string backtick(const std::string& id) {
    std::string out = "`";
    for (char c : id) {
        out += c;
        if (c == '`')
            out += '`';
    }
    return out + "`";
}

// The count of one table, the name as the dump text wrote it: the name reaches the server as
// hex data, backticks doubled there; no byte of it passes through the client's own lexer.
std::optional<std::string> count_sql(const std::string& table) {
    auto parts = domain::sql_name_parts(table, '`', false);
    if (!parts)
        return std::nullopt;
    std::string concat = "CONCAT('SELECT count(*) FROM '";
    for (std::size_t i = 0; i < parts->size(); ++i) {
        concat += std::string(i == 0 ? "" : ", '.'") + ", '`', REPLACE(CONVERT(X'" +
                  domain::to_hex((*parts)[i]) + "' USING utf8mb4), '`', '``'), '`'";
    }
    return "SET @backupctl_count = " + concat +
           ");\nPREPARE backupctl_count FROM @backupctl_count;\nEXECUTE backupctl_count;\n"
           "DEALLOCATE PREPARE backupctl_count;\n";
}

class MysqlEngine final : public Engine {
public:
    explicit MysqlEngine(bool maria) : maria_(maria) {}
    [[nodiscard]] std::string_view name() const override { return maria_ ? "mariadb" : "mysql"; }
    [[nodiscard]] std::string project_user() const override { return "root"; }
    [[nodiscard]] std::string default_user(const Env& /*env*/) const override { return "root"; }
    [[nodiscard]] std::string password_variable(const std::string& user,
                                                const Env& env) const override {
        // The image's usual variable for this user: MariaDB's images take both spellings.
        if (user == "root") {
            return env.contains("MARIADB_ROOT_PASSWORD") ||
                           env.contains("MARIADB_ROOT_PASSWORD_FILE")
                       ? "MARIADB_ROOT_PASSWORD"
                       : "MYSQL_ROOT_PASSWORD";
        }
        return env.contains("MARIADB_PASSWORD") || env.contains("MARIADB_PASSWORD_FILE")
                   ? "MARIADB_PASSWORD"
                   : "MYSQL_PASSWORD";
    }
    [[nodiscard]] std::vector<std::string> default_variables() const override {
        return {"MARIADB_DATABASE", "MYSQL_DATABASE"};
    }
    [[nodiscard]] std::string default_database(const Env& env) const override {
        for (const char* k : {"MARIADB_DATABASE", "MYSQL_DATABASE"}) {
            if (auto it = env.find(k); it != env.end() && !it->second.empty())
                return it->second;
        }
        return {};
    }
    [[nodiscard]] ClientSetup client(const Connection& c) const override {
        ClientSetup s;
        s.files.push_back(
            {"backupctl.my.cnf",
             "[client]\nuser=\"" + cnf_escape(c.user) + "\"\npassword=\"" + cnf_escape(c.password) +
                 "\"\nhost=\"" + cnf_escape(c.host) + "\"\n" +
                 (c.port > 0 ? "port=" + std::to_string(c.port) + "\n" : std::string{})});
        s.connection = {"--defaults-extra-file=/tmp/backupctl.my.cnf"};
        return s;
    }
    [[nodiscard]] std::vector<std::string> dump(const std::string& database) const override {
        std::vector<std::string> argv{maria_ ? "mariadb-dump" : "mysqldump",
                                      "--single-transaction",
                                      "--routines",
                                      "--events",
                                      "--triggers"};
        if (database == "*") {
            argv.emplace_back("--all-databases");
        } else {
            argv.insert(argv.end(), {"--databases", database});
        }
        return argv;
    }
    [[nodiscard]] std::vector<std::string> probe(const std::string& database) const override {
        std::vector<std::string> argv{program(), "-e", "SELECT 1"};
        if (database != "*")
            argv.push_back(database);
        return argv;
    }
    [[nodiscard]] LoadPlan load(const std::string& database) const override {
        LoadPlan p{{program()}, {}, {}};
        if (database != "*")
            p.preamble = "DROP DATABASE IF EXISTS " + backtick(database) + ";\n";
        return p;
    }
    [[nodiscard]] std::optional<CountPlan> count(const std::string& /*database*/,
                                                 const std::vector<std::string>& tables,
                                                 std::string& why) const override {
        CountPlan p{{program(), "--batch", "--skip-column-names"}, {}};
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
        return {program(), "-e", "SELECT 1"};
    }
    [[nodiscard]] std::vector<std::string> scratch_variables() const override {
        return {"MARIADB_DATABASE", "MYSQL_DATABASE", "LANG", "TZ"};
    }
    [[nodiscard]] std::string scratch_password_file_variable() const override {
        return maria_ ? "MARIADB_ROOT_PASSWORD_FILE" : "MYSQL_ROOT_PASSWORD_FILE";
    }

private:
    [[nodiscard]] std::string program() const { return maria_ ? "mariadb" : "mysql"; }
    bool maria_;
};

}  // namespace

std::string cnf_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        // A line break would end the value and start a line of the caller's choosing.
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
    }
    return out;
}

std::shared_ptr<const domain::DatabaseKind> mysql_kind() {
    return std::make_shared<const MysqlKind>(false);
}
std::shared_ptr<const Engine> mysql_engine() {
    return std::make_shared<const MysqlEngine>(false);
}
std::shared_ptr<const domain::DatabaseKind> mariadb_kind() {
    return std::make_shared<const MysqlKind>(true);
}
std::shared_ptr<const Engine> mariadb_engine() {
    return std::make_shared<const MysqlEngine>(true);
}

}  // namespace bk::databases::mysql
