#include "adapters/docker/docker_dumper.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <map>
#include <variant>

#include "adapters/docker/db_client.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "adapters/docker/stream_watchdog.hpp"
#include "dockerapi/client.hpp"
#include "dockerapi/tar.hpp"
#include "domain/output_tail.hpp"
#include "domain/telling_line.hpp"

namespace bk::adapters::docker {
namespace {

// Forwards stdout to the run's sink, keeps the stderr tail and the end of stdout (for the marker).
class DumpSink final : public DockerDumper::StreamSink {
public:
    explicit DumpSink(domain::ByteSink& out, domain::DumpCheck* census = nullptr)
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
            if (census_ != nullptr)
                census_->feed_messages(data);
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
    domain::DumpCheck* census_;
};

}  // namespace

Task<Result<std::vector<domain::DumpItem>>> DockerDumper::plan(const domain::Target& t) {
    if (!t.database) {
        co_return std::vector<domain::DumpItem>{};
    }
    const auto* engine = engine_of(kinds_, t);
    if (engine == nullptr) {
        co_return Failure{errc::dump_failed, no_engine(t)};
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
        const auto db = engine->default_database(env_map(inspect->env));
        names = {db.empty() ? std::string("*") : db};
    }
    std::vector<domain::DumpItem> items;
    items.reserve(names.size());
    for (const auto& n : names) {
        items.push_back({n, t.database->kind->file_name(t.name, n)});
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
    const auto* engine = engine_of(kinds_, t);
    if (engine == nullptr) {
        co_return Failure{errc::dump_failed, no_engine(t)};
    }
    auto cred = co_await resolve_credentials(client_, t, *engine);
    if (!cred.error.empty()) {
        co_return Failure{errc::dump_failed, cred.error};
    }
    auto base = client_command(
        t, cred, instance_id_, *engine, probe ? engine->probe(database) : engine->dump(database));
    if (engine->placement().target_volumes) {
        // A file kind's helper: the target's named volume holding the file, at its path.
        auto vols = helper_volumes(cred.mounts, {database}, t.container_name);
        if (!vols.error.empty()) {
            co_return Failure{errc::dump_failed, vols.error};
        }
        base.spec.binds = std::move(vols.binds);
    }
    co_return Command{std::move(base.spec), std::move(base.secret_files)};
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
    if (!t.database->kind) {
        outcome.error = no_engine(t);
        co_return outcome;
    }
    auto check = t.database->kind->check(item.database == "*");
    DumpSink dsink(sink, check.get());
    outcome = co_await execute(std::move(*cmd),
                               dsink,
                               "backupctl-dump-" + run_id + "-" + std::to_string(++sequence_),
                               limits);
    outcome.bytes = dsink.bytes;
    outcome.stderr_tail = dsink.stderr_tail.text();
    outcome.completion_marker = check->complete();
    outcome.rows = check->rows();
    outcome.rows_partial = check->partial();
    outcome.check_problem = check->problem();
    if (outcome.error.empty() && outcome.exit_code != 0) {
        if (const auto* engine = engine_of(kinds_, t); engine != nullptr)
            outcome.error = engine->explain_failure(t, outcome.stderr_tail);
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
