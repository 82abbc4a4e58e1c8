#include "adapters/docker/docker_dumper.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <map>

#include "adapters/docker/docker_target_source.hpp"
#include "adapters/docker/mongo_archive.hpp"
#include "domain/telling_line.hpp"
#include "dockerapi/client.hpp"
#include "dockerapi/tar.hpp"

namespace bk::adapters::docker {
namespace {

std::map<std::string, std::string> env_map(const std::vector<std::string>& env) {
    std::map<std::string, std::string> m;
    for (const auto& kv : env) {
        auto eq = kv.find('=');
        if (eq != std::string::npos) m[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return m;
}

std::string first_of(const std::map<std::string, std::string>& env,
                     std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        if (auto it = env.find(k); it != env.end() && !it->second.empty()) return it->second;
    }
    return {};
}

bool is_pg(const domain::Target& t) {
    return t.database && t.database->type == domain::DbType::postgres;
}

bool is_mongo(const domain::Target& t) {
    return t.database && t.database->type == domain::DbType::mongodb;
}

// The one file of a tar stream (GET /archive of a single file).
class TarCollector final : public dockerapi::ByteSink {
public:
    std::string tar;
    dockerapi::Task<std::error_code> write(std::span<const char> data) override {
        tar.append(data.data(), data.size());
        if (tar.size() > (1u << 20)) {
            co_return std::make_error_code(std::errc::file_too_large);
        }
        co_return std::error_code{};
    }
};

std::optional<std::string> first_file_of(const std::string& tar) {
    struct archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    std::optional<std::string> out;
    if (archive_read_open_memory(a, tar.data(), tar.size()) == ARCHIVE_OK) {
        struct archive_entry* e = nullptr;
        if (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            std::string content(static_cast<std::size_t>(archive_entry_size(e)), '\0');
            if (archive_read_data(a, content.data(), content.size()) ==
                static_cast<la_ssize_t>(content.size())) {
                out = std::move(content);
            }
        }
    }
    archive_read_free(a);
    return out;
}

struct Credentials {
    std::string user;
    std::string password;
    std::map<std::string, std::string> env;  // non-secret defaults only are read from it
    std::string host;
    std::string error;
};

// Forwards stdout to the run's sink, keeps the stderr tail and the end of stdout (for the marker).
class DumpSink final : public DockerDumper::StreamSink {
public:
    explicit DumpSink(domain::ByteSink& out, MongoArchiveCheck* archive = nullptr)
        : out_(out), archive_(archive) {}
    std::string stderr_tail;
    std::string stdout_tail;
    std::uint64_t bytes{0};
    std::string sink_error;
    [[nodiscard]] std::string failure() const override { return sink_error; }

    dockerapi::Task<std::error_code> write(dockerapi::StreamKind kind,
                                           std::span<const char> data) override {
        if (kind == dockerapi::StreamKind::stderr_stream) {
            stderr_tail.append(data.data(), data.size());
            if (stderr_tail.size() > 8192) stderr_tail.erase(0, stderr_tail.size() - 4096);
            co_return std::error_code{};
        }
        bytes += data.size();
        stdout_tail.append(data.data(), data.size());
        if (stdout_tail.size() > 4096) stdout_tail.erase(0, stdout_tail.size() - 1024);
        if (archive_ != nullptr) archive_->feed(data);
        auto r = co_await out_.write(data);
        if (!r) {
            sink_error = r.error().message;
            co_return std::make_error_code(std::errc::broken_pipe);
        }
        co_return std::error_code{};
    }

private:
    domain::ByteSink& out_;
    MongoArchiveCheck* archive_;
};

bool marker_seen(domain::DbType type, const std::string& item_db, const std::string& tail) {
    // The trailer is in the last lines; current pg_dump follows it with "\unrestrict <token>".
    const std::string end = tail.size() > 512 ? tail.substr(tail.size() - 512) : tail;
    switch (type) {
        case domain::DbType::postgres:
            return end.find(item_db == "*" ? "-- PostgreSQL database cluster dump complete"
                                           : "-- PostgreSQL database dump complete") !=
                   std::string::npos;
        case domain::DbType::mysql:
        case domain::DbType::mariadb: return end.find("-- Dump completed") != std::string::npos;
        case domain::DbType::mongodb: return false;  // MongoArchiveCheck decides
    }
    return false;
}

std::string pgpass_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// YAML double-quoted scalar for mongodump's --config file.
std::string yaml_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string cnf_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

namespace {
Task<Credentials> resolve(dockerapi::Client& client, const domain::Target& t) {
    Credentials c;
    auto inspect = co_await client.inspect_container(t.container_id);
    if (!inspect) {
        c.error = "target container " + t.container_name + ": " + inspect.error().describe();
        co_return c;
    }
    if (!inspect->state.running) {
        c.error = "target container " + t.container_name + " is not running (" +
                  inspect->state.status + ")";
        co_return c;
    }
    auto env = env_map(inspect->env);
    const bool pg = is_pg(t);
    const auto& db = *t.database;
    // The target's name resolves on user networks; the default bridge has no DNS.
    c.host = inspect->name;
    if (auto n = inspect->networks.find(t.network);
        n != inspect->networks.end() && (t.network == "bridge" || t.network.empty())) {
        c.host = n->second.ip_address;
    }
    if (is_mongo(t) && db.user.empty() && db.password_env.empty() &&
        first_of(env, {"MONGO_INITDB_ROOT_USERNAME"}).empty()) {
        co_return c;  // the official image without MONGO_INITDB_ROOT_*: no authentication
    }
    c.user = !db.user.empty() ? db.user
             : pg ? first_of(env, {"POSTGRES_USER"})
             : is_mongo(t) ? first_of(env, {"MONGO_INITDB_ROOT_USERNAME"})
                  : std::string{};
    if (c.user.empty()) c.user = pg ? "postgres" : "root";
    // The password variable: the label's, else the image's usual one for this user.
    std::string var = db.password_env;
    if (var.empty()) {
        if (pg) {
            var = "POSTGRES_PASSWORD";
        } else if (is_mongo(t)) {
            var = "MONGO_INITDB_ROOT_PASSWORD";
        } else if (c.user == "root") {
            var = env.contains("MARIADB_ROOT_PASSWORD") || env.contains("MARIADB_ROOT_PASSWORD_FILE")
                      ? "MARIADB_ROOT_PASSWORD"
                      : "MYSQL_ROOT_PASSWORD";
        } else {
            var = env.contains("MARIADB_PASSWORD") || env.contains("MARIADB_PASSWORD_FILE")
                      ? "MARIADB_PASSWORD"
                      : "MYSQL_PASSWORD";
        }
    }
    if (auto it = env.find(var); it != env.end()) {
        c.password = it->second;
    } else if (auto f = env.find(var + "_FILE"); f != env.end()) {
        TarCollector tar;
        auto got = co_await client.get_archive(t.container_id, f->second, tar);
        auto content = got ? first_file_of(tar.tar) : std::nullopt;
        if (!content) {
            c.error = "cannot read " + var + "_FILE (" + f->second + ") from " + t.container_name;
            co_return c;
        }
        while (!content->empty() && (content->back() == '\n' || content->back() == '\r')) {
            content->pop_back();
        }
        c.password = *content;
    } else {
        c.error = "the target has neither " + var + " nor " + var + "_FILE in its environment";
        co_return c;
    }
    // Non-secret defaults only.
    for (const char* k : {"POSTGRES_DB", "POSTGRES_USER", "MARIADB_DATABASE", "MYSQL_DATABASE",
                          "MONGO_INITDB_DATABASE"}) {
        if (auto it = env.find(k); it != env.end()) c.env[k] = it->second;
    }
    co_return c;
}
}  // namespace

Task<Result<std::vector<domain::DumpItem>>> DockerDumper::plan(const domain::Target& t) {
    if (!t.database) {
        co_return std::vector<domain::DumpItem>{};
    }
    std::vector<std::string> names = t.database->names;
    if (names.empty()) {
        auto inspect = co_await client_.inspect_container(t.container_id);
        if (!inspect) {
            co_return to_failure(inspect.error());
        }
        auto env = env_map(inspect->env);
        std::string db = is_pg(t)      ? first_of(env, {"POSTGRES_DB", "POSTGRES_USER"})
                         : is_mongo(t) ? first_of(env, {"MONGO_INITDB_DATABASE"})
                                       : first_of(env, {"MARIADB_DATABASE", "MYSQL_DATABASE"});
        if (is_pg(t) && db.empty()) db = "postgres";
        names = {db.empty() ? std::string("*") : db};
    }
    std::vector<domain::DumpItem> items;
    for (const auto& n : names) {
        items.push_back({n, t.name + "/" + (n == "*" ? std::string("all") : n) +
                                (is_mongo(t) ? ".archive" : ".sql")});
    }
    co_return items;
}

// The client command of a dump (or of a probe: one query through the same credentials).
Task<Result<DockerDumper::Command>> DockerDumper::command(const domain::Target& t,
                                                         const std::string& database,
                                                         bool probe) {
    auto cred = co_await resolve(client_, t);
    if (!cred.error.empty()) {
        co_return Failure{errc::dump_failed, cred.error};
    }
    const auto type = t.database->type;
    Command c;
    auto& spec = c.spec;
    spec.image = t.database->dump_image.empty() ? t.image : t.database->dump_image;
    spec.entrypoint = std::vector<std::string>{""};  // run the client directly
    spec.user = "0:0";
    spec.labels = {{kEphemeralLabel, "true"}, {kInstanceLabel, instance_id_}, {kTargetLabel, t.name}};
    spec.network_mode = t.network;
    if (!t.network.empty() && t.network != "host" && t.network != "bridge") {
        spec.networks[t.network] = {};
    }
    auto& secret_files = c.secret_files;
    if (type == domain::DbType::postgres) {
        spec.env = {"PGPASSFILE=/tmp/backupctl.pgpass"};
        secret_files.push_back({"backupctl.pgpass", "*:*:*:*:" + pgpass_escape(cred.password) + "\n",
                                0600, 0, 0});
        if (probe) {
            spec.cmd = {"psql", "-h", cred.host, "-U", cred.user, "--no-password", "-d",
                        database == "*" ? "postgres" : database, "-qtAc", "SELECT 1"};
        } else if (database == "*") {
            spec.cmd = {"pg_dumpall", "-h", cred.host, "-U", cred.user, "--no-password"};
        } else {
            spec.cmd = {"pg_dump", "-h", cred.host, "-U", cred.user, "--no-password", "-d",
                        database};
        }
    } else if (type == domain::DbType::mysql || type == domain::DbType::mariadb) {
        secret_files.push_back({"backupctl.my.cnf",
                                "[client]\nuser=\"" + cnf_escape(cred.user) + "\"\npassword=\"" +
                                    cnf_escape(cred.password) + "\"\nhost=\"" + cred.host + "\"\n",
                                0600, 0, 0});
        const bool maria = type == domain::DbType::mariadb;
        if (probe) {
            spec.cmd = {maria ? "mariadb" : "mysql", "--defaults-extra-file=/tmp/backupctl.my.cnf",
                        "-e", "SELECT 1"};
            if (database != "*") spec.cmd.push_back(database);
        } else {
            spec.cmd = {maria ? "mariadb-dump" : "mysqldump",
                        "--defaults-extra-file=/tmp/backupctl.my.cnf", "--single-transaction",
                        "--routines", "--events", "--triggers"};
            if (database == "*") {
                spec.cmd.push_back("--all-databases");
            } else {
                spec.cmd.push_back("--databases");
                spec.cmd.push_back(database);
            }
        }
    } else {
        // mongodump reads the password from its --config file (mongo-tools >= 100.3). A probe
        // dumps nothing: --archive to stdout of an unknown collection lists and authenticates.
        spec.cmd = {"mongodump", "--archive", "--host", cred.host};
        if (!cred.user.empty()) {
            secret_files.push_back({"backupctl.mongodump.yaml",
                                    "password: " + yaml_quote(cred.password) + "\n", 0600, 0, 0});
            spec.cmd.insert(spec.cmd.end(), {"--username", cred.user, "--authenticationDatabase",
                                             "admin", "--config", "/tmp/backupctl.mongodump.yaml"});
        }
        if (database != "*") {
            spec.cmd.push_back("--db");
            spec.cmd.push_back(database);
        }
        if (probe) {
            spec.cmd.push_back("--collection");
            spec.cmd.push_back("backupctl-probe-nonexistent");
        }
    }
    co_return c;
}

Task<domain::DumpOutcome> DockerDumper::dump(const domain::Target& t, const domain::DumpItem& item,
                                             domain::ByteSink& sink, std::string run_id) {
    domain::DumpOutcome outcome;
    auto cmd = co_await command(t, item.database, false);
    if (!cmd) {
        outcome.error = cmd.error().message;
        co_return outcome;
    }
    cmd->spec.labels[kRunLabel] = run_id;
    const auto type = t.database->type;
    MongoArchiveCheck archive;
    DumpSink dsink(sink, type == domain::DbType::mongodb ? &archive : nullptr);
    outcome = co_await execute(std::move(*cmd), dsink,
                               "backupctl-dump-" + run_id + "-" + std::to_string(++sequence_));
    outcome.bytes = dsink.bytes;
    outcome.stderr_tail = dsink.stderr_tail;
    outcome.completion_marker = type == domain::DbType::mongodb
                                    ? archive.complete()
                                    : marker_seen(type, item.database, dsink.stdout_tail);
    if (type == domain::DbType::mongodb && !archive.complete() && outcome.stderr_tail.empty()) {
        outcome.stderr_tail = "archive check: " + archive.problem();
    }
    co_return outcome;
}

namespace {
// Swallows a probe's output.
class NullSink final : public domain::ByteSink {
public:
    Task<Result<void>> write(std::span<const char>) override { co_return Result<void>{}; }
};
}  // namespace

Task<Result<void>> DockerDumper::probe(const domain::Target& t, std::string run_id) {
    auto items = co_await plan(t);
    if (!items) {
        co_return items.error();
    }
    for (const auto& item : *items) {
        auto cmd = co_await command(t, item.database, true);
        if (!cmd) {
            co_return cmd.error();
        }
        cmd->spec.labels[kRunLabel] = run_id;
        NullSink null;
        DumpSink dsink(null);
        auto o = co_await execute(std::move(*cmd), dsink,
                                  "backupctl-probe-" + run_id + "-" + std::to_string(++sequence_));
        if (!o.error.empty()) {
            co_return Failure{errc::dump_failed, o.error};
        }
        if (o.exit_code != 0) {
            const auto tail = domain::telling_line(dsink.stderr_tail);
            co_return Failure{errc::dump_failed, "database " + item.database + " answered exit " +
                                                       std::to_string(o.exit_code) + ": " + tail};
        }
    }
    co_return Result<void>{};
}

// One client container: create, write the secret files, attach, start, stream, wait, remove.
Task<domain::DumpOutcome> DockerDumper::execute(Command cmd, StreamSink& dsink, std::string name) {
    domain::DumpOutcome outcome;
    auto& spec = cmd.spec;
    auto& secret_files = cmd.secret_files;
    auto tar = dockerapi::make_tar(secret_files);
    if (!tar) {
        outcome.error = tar.error().describe();
        co_return outcome;
    }
    auto created = co_await client_.create_container(spec, name);
    if (!created) {
        outcome.error = "creating the dump container: " + created.error().describe();
        co_return outcome;
    }
    const std::string id = created->id;
    std::string failure;
    if (!secret_files.empty()) {
        auto put = co_await client_.put_archive(id, "/tmp", *tar);
        if (!put) {
            failure = "writing the credentials file: " + put.error().describe();
        }
    }
    std::optional<dockerapi::AttachStream> attach;
    std::optional<dockerapi::WaitHandle> wait;
    if (failure.empty()) {
        auto a = co_await client_.attach_container(id, false);
        if (!a) failure = "attach: " + a.error().describe();
        else attach = std::move(*a);
    }
    if (failure.empty()) {
        auto w = co_await client_.wait_container(id, dockerapi::WaitCondition::next_exit);
        if (!w) failure = "wait: " + w.error().describe();
        else wait = std::move(*w);
    }
    if (failure.empty()) {
        auto s = co_await client_.start_container(id);
        if (!s) failure = "start: " + s.error().describe();
    }
    if (failure.empty()) {
        auto pumped = co_await attach->pump(dsink);
        if (!pumped) {
            failure = dsink.failure().empty() ? "reading the dump: " + pumped.error().describe()
                                              : "storing the dump: " + dsink.failure();
            attach->close();
            co_await client_.kill_container(id, "KILL");
        }
        auto status = co_await wait->result();
        if (status) {
            outcome.exit_code = status->status_code;
            if (!status->error.empty() && failure.empty()) failure = status->error;
        } else if (failure.empty()) {
            failure = "waiting for the dump: " + status.error().describe();
        }
    }
    co_await client_.remove_container(id, true, true);
    outcome.error = failure;
    co_return outcome;
}

}  // namespace bk::adapters::docker
