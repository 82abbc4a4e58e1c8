#include "adapters/docker/docker_dumper.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <map>
#include <variant>

#include "adapters/docker/db_client.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "adapters/docker/stream_watchdog.hpp"
#include "dockerapi/client.hpp"
#include "dockerapi/tar.hpp"
#include "domain/dump_census.hpp"
#include "domain/output_tail.hpp"
#include "domain/telling_line.hpp"

namespace bk::adapters::docker {
namespace {

// Forwards stdout to the run's sink, keeps the stderr tail and the end of stdout (for the marker).
class DumpSink final : public DockerDumper::StreamSink {
public:
    explicit DumpSink(domain::ByteSink& out, domain::DumpCensus* census = nullptr)
        : out_(out), census_(census) {}
    std::shared_ptr<StreamActivity> activity{std::make_shared<StreamActivity>()};
    domain::OutputTail stderr_tail{4096};
    std::uint64_t bytes{0};
    std::string sink_error;
    [[nodiscard]] std::string failure() const override { return sink_error; }
    [[nodiscard]] std::shared_ptr<StreamActivity> stream_activity() const override {
        return activity;
    }

    dockerapi::Task<std::error_code> write(dockerapi::StreamKind kind,
                                           std::span<const char> data) override {
        if (kind == dockerapi::StreamKind::stderr_stream) {
            stderr_tail.append(std::string_view(data.data(), data.size()));
            co_return std::error_code{};
        }
        bytes += data.size();
        if (census_ != nullptr)
            census_->feed(data);
        activity->begin();
        auto r = co_await out_.write(data);
        activity->end();
        if (!r) {
            sink_error = r.error().message;
            co_return std::make_error_code(std::errc::broken_pipe);
        }
        co_return std::error_code{};
    }

private:
    domain::ByteSink& out_;
    domain::DumpCensus* census_;
};

}  // namespace

std::string client_too_old(const domain::Target& t, const std::string& stderr_tail) {
    // pg_dump: "aborting because of server version mismatch" / "server version: 16.4; pg_dump
    // version: 15.8"
    if (!is_pg(t) || stderr_tail.find("server version mismatch") == std::string::npos) {
        return {};
    }
    std::string versions;
    if (auto at = stderr_tail.find("server version:"); at != std::string::npos) {
        versions = stderr_tail.substr(at, stderr_tail.find('\n', at) - at);
        while (!versions.empty() && (versions.back() == '\r' || versions.back() == ' ')) {
            versions.pop_back();
        }
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

Task<Result<std::vector<domain::DumpItem>>> DockerDumper::plan(const domain::Target& t) {
    if (!t.database) {
        co_return std::vector<domain::DumpItem>{};
    }
    std::vector<std::string> names = t.database->names;
    if (names.empty() && t.source == domain::Origin::config) {
        names = {"*"};  // a project without database.name: every database (nothing is read
                        // from the server container's environment)
    }
    if (names.empty()) {
        auto inspect = co_await client_.inspect_container(t.container_id);
        if (!inspect) {
            co_return to_failure(inspect.error());
        }
        auto env = env_map(inspect->env);
        std::string db = is_pg(t)      ? first_of(env, {"POSTGRES_DB", "POSTGRES_USER"})
                         : is_mongo(t) ? first_of(env, {"MONGO_INITDB_DATABASE"})
                                       : first_of(env, {"MARIADB_DATABASE", "MYSQL_DATABASE"});
        if (is_pg(t) && db.empty())
            db = "postgres";
        names = {db.empty() ? std::string("*") : db};
    }
    std::vector<domain::DumpItem> items;
    items.reserve(names.size());
    for (const auto& n : names) {
        items.push_back({n,
                         t.name + "/" + (n == "*" ? std::string("all") : n) +
                             (is_mongo(t) ? ".archive" : ".sql")});
    }
    co_return items;
}

// The client command of a dump (or of a probe: one query through the same credentials).
Task<Result<DockerDumper::Command>> DockerDumper::command(const domain::Target& t,
                                                          const std::string& database,
                                                          bool probe) {
    if (database != "*") {
        if (auto why = unsafe_database_name(database); !why.empty()) {
            co_return Failure{errc::dump_failed, "the database name " + why};
        }
    }
    auto cred = co_await resolve_credentials(client_, t);
    if (!cred.error.empty()) {
        co_return Failure{errc::dump_failed, cred.error};
    }
    const auto type = t.database->type;
    auto base = client_command(t, cred, instance_id_);
    Command c{std::move(base.spec), std::move(base.secret_files)};
    auto& spec = c.spec;
    const auto conn = connection_args(t, cred);
    auto with_conn = [&conn](std::vector<std::string> argv) {
        argv.insert(argv.begin() + 1, conn.begin(), conn.end());
        return argv;
    };
    if (type == domain::DbType::postgres) {
        if (probe) {
            spec.cmd = with_conn({"psql",
                                  "-d",
                                  pg_database_arg(database == "*" ? "postgres" : database),
                                  "-qtAc",
                                  "SELECT 1"});
        } else if (database == "*") {
            spec.cmd = with_conn({"pg_dumpall"});
        } else {
            spec.cmd = with_conn({"pg_dump", "-d", pg_database_arg(database)});
        }
    } else if (type == domain::DbType::mysql || type == domain::DbType::mariadb) {
        const bool maria = type == domain::DbType::mariadb;
        if (probe) {
            spec.cmd = with_conn({maria ? "mariadb" : "mysql", "-e", "SELECT 1"});
            if (database != "*")
                spec.cmd.push_back(database);
        } else {
            spec.cmd = with_conn({maria ? "mariadb-dump" : "mysqldump",
                                  "--single-transaction",
                                  "--routines",
                                  "--events",
                                  "--triggers"});
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
        spec.cmd = with_conn({"mongodump", "--archive"});
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

Task<domain::DumpOutcome> DockerDumper::dump(const domain::Target& t,
                                             const domain::DumpItem& item,
                                             domain::ByteSink& sink,
                                             std::string run_id,
                                             domain::StreamLimits limits) {
    domain::DumpOutcome outcome;
    auto cmd = co_await command(t, item.database, false);
    if (!cmd) {
        outcome.error = cmd.error().message;
        co_return outcome;
    }
    cmd->spec.labels[kRunLabel] = run_id;
    domain::DumpCensus census(t.database->type, item.database == "*");
    DumpSink dsink(sink, &census);
    outcome = co_await execute(std::move(*cmd),
                               dsink,
                               "backupctl-dump-" + run_id + "-" + std::to_string(++sequence_),
                               limits);
    outcome.bytes = dsink.bytes;
    outcome.stderr_tail = dsink.stderr_tail.text();
    outcome.completion_marker = census.complete();
    outcome.rows = census.rows();
    outcome.rows_partial = census.partial();
    if (t.database->type == domain::DbType::mongodb && !census.complete() &&
        outcome.stderr_tail.empty()) {
        outcome.stderr_tail = "archive check: " + census.problem();
    }
    if (outcome.error.empty() && outcome.exit_code != 0) {
        outcome.error = client_too_old(t, outcome.stderr_tail);
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
        domain::StreamLimits limits;
        limits.deadline = std::chrono::steady_clock::now() + t.timeout;
        limits.idle = t.idle_timeout;
        auto o = co_await execute(std::move(*cmd),
                                  dsink,
                                  "backupctl-probe-" + run_id + "-" + std::to_string(++sequence_),
                                  limits);
        if (!o.error.empty()) {
            co_return Failure{errc::dump_failed, o.error};
        }
        if (o.exit_code != 0) {
            const auto tail = domain::telling_line(dsink.stderr_tail.text());
            co_return Failure{errc::dump_failed,
                              "database " + item.database + " answered exit " +
                                  std::to_string(o.exit_code) + ": " + tail};
        }
    }
    co_return Result<void>{};
}

// One client container: create, write the secret files, attach, start, stream, wait, remove.
Task<domain::DumpOutcome> DockerDumper::execute(Command cmd,
                                                StreamSink& dsink,
                                                std::string name,
                                                domain::StreamLimits limits) {
    // NOLINTNEXTLINE(google-build-using-namespace): the namespace of the operators || and &&
    using namespace boost::asio::experimental::awaitable_operators;
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
        if (!a)
            failure = "attach: " + a.error().describe();
        else
            attach = std::move(*a);
    }
    if (failure.empty()) {
        auto w = co_await client_.wait_container(id, dockerapi::WaitCondition::next_exit);
        if (!w)
            failure = "wait: " + w.error().describe();
        else
            wait = std::move(*w);
    }
    if (failure.empty()) {
        auto s = co_await client_.start_container(id);
        if (!s)
            failure = "start: " + s.error().describe();
    }
    if (failure.empty()) {
        // The stream against the deadline and the idle limit: when they pass, the pump is
        // cancelled and the container killed (what it wrote so far is never committed).
        auto raced = co_await (attach->pump(dsink) || watchdog(limits, dsink.stream_activity()));
        bool killed = false;
        if (raced.index() == 1) {
            failure = describe(std::get<1>(raced), limits);
            outcome.timed_out = std::get<1>(raced) == Cut::deadline;
        } else if (auto& pumped = std::get<0>(raced); !pumped) {
            failure = dsink.failure().empty() ? "reading the dump: " + pumped.error().describe()
                                              : "storing the dump: " + dsink.failure();
        }
        if (!failure.empty()) {
            attach->close();
            co_await client_.kill_container(id, "KILL");
            killed = true;
        }
        // A dump may close its output and go on running: the wait has the same deadline, and
        // a killed one a short one (the engine answers at once).
        domain::StreamLimits wait_limits = limits;
        wait_limits.idle = std::chrono::seconds(0);
        if (killed) {
            wait_limits.deadline = std::min(limits.deadline, std::chrono::steady_clock::now()) +
                                   std::chrono::seconds(30);
            wait_limits.cut.reset();  // cut already: the engine answers at once
        }
        auto waited = co_await (wait->result() || watchdog(wait_limits, dsink.stream_activity()));
        Result<dockerapi::WaitResult> status = Failure{errc::timeout, "timed out"};
        if (waited.index() == 0) {
            auto& w = std::get<0>(waited);
            if (w) {
                status = *w;
            } else if (failure.empty()) {
                failure = "waiting for the dump: " + w.error().describe();
            }
        } else if (failure.empty()) {
            failure = describe(std::get<1>(waited), wait_limits);
            outcome.timed_out = std::get<1>(waited) == Cut::deadline;
        }
        if (status) {
            outcome.exit_code = status->status_code;
            if (!status->error.empty() && failure.empty())
                failure = status->error;
        }
    }
    co_await client_.remove_container(id, true, true);
    outcome.error = failure;
    co_return outcome;
}

}  // namespace bk::adapters::docker
