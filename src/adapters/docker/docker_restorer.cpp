#include "adapters/docker/docker_restorer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <optional>
#include <sstream>
#include <utility>

#include "adapters/docker/db_client.hpp"
#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "core/random.hpp"
#include "domain/table_name.hpp"
#include "domain/telling_line.hpp"
#include "domain/utc_time.hpp"

namespace bk::adapters::docker {
namespace {

namespace asio = boost::asio;

std::string failure_of(const std::string& what, int exit_code, const std::string& err) {
    const auto line = domain::telling_line(err);
    return what + " exited " + std::to_string(exit_code) + (line.empty() ? "" : ": " + line);
}

// The load of one dump: a client container fed through its stdin. `restart`: the target it
// stopped first (a file kind's restore), started again whatever the load's outcome.
// `on_output`: what the client wrote to stdout, once it ended well (a drill session's counts).
class DockerLoad final : public domain::RestoreLoad {
public:
    DockerLoad(std::unique_ptr<ClientContainer> c, std::string what, std::string epilogue)
        : c_(std::move(c)), what_(std::move(what)), epilogue_(std::move(epilogue)) {}
    DockerLoad(const DockerLoad&) = delete;
    DockerLoad& operator=(const DockerLoad&) = delete;
    void restart_after(dockerapi::Client& client, std::string container_id) {
        client_ = &client;
        restart_ = std::move(container_id);
    }
    void on_output(std::function<Result<void>(const std::string&)> f) { on_output_ = std::move(f); }

    Task<Result<void>> write(std::span<const char> data) override {
        auto w = co_await c_->write(data);
        if (!w) {
            // It stopped reading: most likely it failed; its own words say why.
            const auto why = domain::telling_line(c_->err_tail());
            co_return Failure{errc::restore_failed,
                              what_ + " stopped taking data" + (why.empty() ? "" : ": " + why)};
        }
        co_return Result<void>{};
    }
    Task<Result<void>> finish() override {
        auto done = co_await finish_client();
        co_await restart();
        co_return done;
    }
    Task<void> abort() override {
        co_await c_->abort();
        co_await restart();
    }

private:
    Task<Result<void>> finish_client() {
        if (!epilogue_.empty()) {
            auto w = co_await write(std::span<const char>(epilogue_.data(), epilogue_.size()));
            if (!w) {
                co_await c_->abort();
                co_return w.error();
            }
        }
        auto rc = co_await c_->finish();
        if (!rc) {
            co_return rc.error();
        }
        if (*rc != 0) {
            co_return Failure{errc::restore_failed, failure_of(what_, *rc, c_->err_tail())};
        }
        if (on_output_)
            co_return on_output_(c_->out());
        co_return Result<void>{};
    }
    Task<void> restart() {
        if (client_ == nullptr || restart_.empty())
            co_return;
        auto id = std::exchange(restart_, std::string{});
        co_await client_->start_container(id);
    }

    std::unique_ptr<ClientContainer> c_;
    std::string what_;
    std::string epilogue_;
    dockerapi::Client* client_{nullptr};
    std::string restart_;
    std::function<Result<void>(const std::string&)> on_output_;
};

// The load of a files snapshot: its tar streamed into the target by PUT /archive.
class ArchiveLoad final : public domain::RestoreLoad {
public:
    ArchiveLoad(dockerapi::ArchiveUpload up, std::string where)
        : up_(std::move(up)), where_(std::move(where)) {}
    Task<Result<void>> write(std::span<const char> data) override {
        auto w = co_await up_.write(data);
        if (!w) {
            co_return Failure{errc::restore_failed,
                              "extracting into " + where_ + ": " + w.error().describe()};
        }
        co_return Result<void>{};
    }
    Task<Result<void>> finish() override {
        auto done = co_await up_.finish();
        if (!done) {
            co_return Failure{errc::restore_failed,
                              "extracting into " + where_ + ": " + done.error().describe()};
        }
        co_return Result<void>{};
    }
    Task<void> abort() override {
        up_.close();
        co_return;
    }

private:
    dockerapi::ArchiveUpload up_;
    std::string where_;
};

// A client of `into` takes each piece of input within its idle timeout and ends within its
// timeout (the drill as a whole has its own deadline on top).
domain::StreamLimits client_limits(const domain::Target& into) {
    domain::StreamLimits limits;
    limits.deadline = std::chrono::steady_clock::now() + into.timeout;
    limits.idle = into.idle_timeout;
    return limits;
}

}  // namespace

std::map<std::string, std::string> restored_copy_labels(const std::string& target,
                                                        const std::string& run_id,
                                                        const std::string& at) {
    return {{kRestoredFromLabel, target}, {kRunLabel, run_id}, {kRestoredAtLabel, at}};
}

std::string DockerRestorer::name(const std::string& run_id) {
    return "backupctl-restore-" + run_id + "-" + std::to_string(++sequence_);
}

Task<Result<std::unique_ptr<ClientContainer>>> DockerRestorer::start_client(
    const domain::Target& into,
    const std::vector<std::string>& args,
    const std::string& run_id,
    std::size_t keep_stdout,
    ClientPlace place) {
    const auto* engine = engine_of(kinds_, into);
    if (engine == nullptr) {
        co_return Failure{errc::restore_failed, no_engine(into)};
    }
    Credentials cred;
    if (!place.isolated) {
        cred = co_await resolve_credentials(client_, into, *engine);
        if (!cred.error.empty()) {
            co_return Failure{errc::restore_failed, cred.error};
        }
    }
    auto cmd = client_command(into, cred, instance_id_, *engine, args);
    cmd.spec.labels[kRunLabel] = run_id;
    if (place.isolated) {
        cmd.spec.cmd = args;  // no connection: it reaches nothing but itself
        cmd.spec.network_mode = "none";
        cmd.spec.networks.clear();
        cmd.secret_files.clear();
    }
    if (!place.files.empty()) {
        // A file kind's helper: the target's named volumes holding the files, at their paths.
        auto vols = helper_volumes(cred.mounts, place.files, into.container_name);
        if (!vols.error.empty()) {
            co_return Failure{errc::restore_failed, vols.error};
        }
        cmd.spec.binds = std::move(vols.binds);
    }
    if (place.stopped != nullptr) {
        // The files are replaced under a server that does not run (started again by the load).
        auto stopped = co_await client_.stop_container(into.container_id, std::chrono::seconds(30));
        if (!stopped) {
            co_return Failure{
                errc::restore_failed,
                "stopping " + into.container_name + ": " + stopped.error().describe()};
        }
        *place.stopped = true;
    }
    auto started = co_await ClientContainer::start(
        client_, std::move(cmd), name(run_id), keep_stdout, client_limits(into));
    if (!started && place.stopped != nullptr && *place.stopped) {
        co_await client_.start_container(into.container_id);
        *place.stopped = false;
    }
    co_return started;
}

Task<Result<DockerRestorer::Ran>> DockerRestorer::run(const domain::Target& into,
                                                      std::vector<std::string> args,
                                                      std::string input,
                                                      std::string run_id) {
    auto c = co_await start_client(into, args, run_id, 1u << 20);
    if (!c) {
        co_return c.error();
    }
    if (!input.empty()) {
        auto w = co_await (*c)->write(std::span<const char>(input.data(), input.size()));
        if (!w) {
            co_await (*c)->abort();
            co_return w.error();
        }
    }
    auto rc = co_await (*c)->finish();
    if (!rc) {
        co_return rc.error();
    }
    co_return Ran{*rc, (*c)->out(), (*c)->err_tail()};
}

Task<Result<std::unique_ptr<domain::RestoreLoad>>> DockerRestorer::open_load(
    const domain::Target& into, std::string database, std::string run_id) {
    if (!into.database) {
        co_return Failure{errc::restore_failed, into.name + " has no database"};
    }
    const auto* engine = engine_of(kinds_, into);
    if (engine == nullptr) {
        co_return Failure{errc::restore_failed, no_engine(into)};
    }
    if (auto session = drill_sessions_.find(into.container_name);
        session != drill_sessions_.end()) {
        // A drill in one session: loaded, checked and counted inside the client container.
        auto argv = engine->drill_session(database);
        if (!argv) {
            co_return Failure{errc::restore_failed, "no drill session for " + into.name};
        }
        ClientPlace isolated;
        isolated.isolated = true;
        auto c = co_await start_client(into, *argv, run_id, std::size_t{8} << 20, isolated);
        if (!c) {
            co_return c.error();
        }
        auto load = std::make_unique<DockerLoad>(
            std::move(*c), "the drill of " + into.name + " " + database, std::string{});
        auto* counts = &session->second[database];
        const std::vector<std::string> none;
        load->on_output([engine, counts, none](const std::string& out) -> Result<void> {
            std::string why;
            auto parsed = engine->parse_counts(out, none, why);
            if (!parsed)
                return Failure{errc::restore_failed, why};
            *counts = std::move(*parsed);
            return Result<void>{};
        });
        co_return std::unique_ptr<domain::RestoreLoad>(std::move(load));
    }
    // One client session: the database emptied first (a dump restores into an empty one), then
    // the dump, then what the kind writes once the stream proved whole (psql's COMMIT).
    auto plan = engine->load(database);
    const auto& argv = plan.argv;
    const auto& preamble = plan.preamble;
    const auto& epilogue = plan.epilogue;
    const auto placement = engine->placement();
    ClientPlace place;
    bool stopped = false;
    if (placement.target_volumes)
        place.files = {database};
    if (placement.stop_target_to_load && !into.container_id.empty())
        place.stopped = &stopped;
    auto c = co_await start_client(into, argv, run_id, 0, place);
    if (!c) {
        co_return c.error();
    }
    auto load = std::make_unique<DockerLoad>(
        std::move(*c), argv.front() + " into " + into.container_name, epilogue);
    if (stopped)
        load->restart_after(client_, into.container_id);
    if (!preamble.empty()) {
        auto w = co_await load->write(std::span<const char>(preamble.data(), preamble.size()));
        if (!w) {
            co_await load->abort();
            co_return w.error();
        }
    }
    co_return std::unique_ptr<domain::RestoreLoad>(std::move(load));
}

Task<Result<std::map<std::string, std::uint64_t>>> DockerRestorer::count_rows(
    const domain::Target& into,
    std::string database,
    std::vector<std::string> tables,
    std::string run_id) {
    std::map<std::string, std::uint64_t> out;
    if (tables.empty()) {
        co_return out;
    }
    if (auto session = drill_sessions_.find(into.container_name);
        session != drill_sessions_.end()) {
        // Counted by the drill's own session, after its load.
        auto counted = session->second.find(database);
        if (counted == session->second.end()) {
            co_return Failure{errc::restore_failed, "the drill counted nothing for " + database};
        }
        for (const auto& t : tables) {
            if (auto it = counted->second.find(t); it != counted->second.end())
                out[t] = it->second;
        }
        co_return out;
    }
    const auto* engine = engine_of(kinds_, into);
    if (engine == nullptr) {
        co_return Failure{errc::restore_failed, no_engine(into)};
    }
    std::string why;
    auto plan = engine->count(database, tables, why);
    if (!plan) {
        co_return Failure{errc::restore_failed, why};
    }
    auto argv = std::move(plan->argv);
    auto sql = std::move(plan->input);
    auto ran = co_await run(into, std::move(argv), std::move(sql), run_id);
    if (!ran) {
        co_return ran.error();
    }
    if (ran->exit_code != 0) {
        co_return Failure{errc::restore_failed,
                          failure_of("counting rows", ran->exit_code, ran->err)};
    }
    auto counted = engine->parse_counts(ran->out, tables, why);
    if (!counted) {
        co_return Failure{errc::restore_failed, why};
    }
    out = std::move(*counted);
    co_return out;
}

Task<Result<domain::Target>> DockerRestorer::clone(const domain::Target& target,
                                                   bool scratch,
                                                   std::string run_id) {
    const auto* engine = engine_of(kinds_, target);
    if (engine == nullptr) {
        co_return Failure{errc::restore_failed, no_engine(target)};
    }
    if (engine->drills_in_session()) {
        if (!scratch) {
            co_return Failure{errc::restore_failed,
                              "a new container of " + target.name + " (" +
                                  target.database->kind_name() +
                                  ") is not made by restore: restore into the target"};
        }
        // Nothing to start: each load is a session of its own (drill_session()).
        domain::Target session = target;
        session.container_name = "backupctl-drill-" + run_id;
        drill_sessions_[session.container_name].clear();
        co_return session;
    }
    // A config project whose database is outside Docker has no container: its client image
    // serves as the drill's server.
    const bool outside = target.container_id.empty();
    if (outside && !scratch) {
        co_return Failure{errc::restore_failed,
                          "the database of " + target.name +
                              " is outside Docker: a new container needs its container to copy; "
                              "restore into the server itself, or --into-container NAME"};
    }
    dockerapi::ContainerInspect inspect;
    if (!outside) {
        auto got = co_await client_.inspect_container(target.container_id);
        if (!got) {
            co_return Failure{
                errc::restore_failed,
                "target container " + target.container_name + ": " + got.error().describe()};
        }
        inspect = std::move(*got);
    }
    domain::Target server = target;
    server.volumes.clear();
    server.paths.clear();
    server.pre_hook.clear();
    server.post_hook.clear();
    // The new server is reached as a labelled one is: its credentials are in its own
    // environment (a project's backup user does not exist in a fresh server), default port.
    if (target.source == domain::Origin::config)
        server.database->user.clear();
    server.source = domain::Origin::labels;
    server.database->port = 0;
    server.database->password = {};
    dockerapi::ContainerSpec spec;
    // Exactly the target's image, also when its tag moved on.
    spec.image = outside ? target.image : inspect.image_id;
    spec.log_driver.clear();
    std::string password;
    if (scratch) {
        // Made before anything is created: a failure leaves nothing to clean up.
        auto random = random_hex(16);
        if (!random)
            co_return Failure{errc::restore_failed,
                              "the drill server's password: " + random.error().message};
        password = std::move(*random);
        server.container_name = "backupctl-drill-" + run_id;
        dockerapi::NetworkSpec net;
        net.name = server.container_name;
        net.internal = true;  // no route to the real target, nor anywhere else
        net.labels = {{kEphemeralLabel, "true"},
                      {kInstanceLabel, instance_id_},
                      {kRunLabel, run_id},
                      {kTargetLabel, target.name}};
        auto created = co_await client_.create_network(net);
        if (!created) {
            co_return Failure{errc::restore_failed,
                              "creating the drill network: " + created.error().describe()};
        }
        server.network = net.name;
        const auto env = env_map(inspect.env);
        for (const auto& k : engine->scratch_variables()) {
            if (auto it = env.find(k); it != env.end())
                spec.env.push_back(k + "=" + it->second);
        }
        spec.env.push_back(engine->scratch_password_file_variable() +
                           "=/tmp/backupctl-drill.password");
        spec.labels = net.labels;
        // The drill logs in as the image's superuser, with the throwaway password.
        server.database->user.clear();
        server.database->password_env.clear();
        for (auto& extra : engine->scratch_extra(env))
            spec.env.push_back(std::move(extra));
    } else {
        server.container_name = target.container_name + "-restored-" + run_id.substr(0, 16);
        spec.env = inspect.env;  // the target's own configuration: the app can point at it
        spec.labels =
            restored_copy_labels(target.name, run_id, domain::format_utc(domain::unix_now()));
        server.network = target.network;
    }
    spec.network_mode = server.network;
    if (!server.network.empty() && server.network != "host" && server.network != "bridge") {
        spec.networks[server.network] = {};  // no alias: the target's service name stays its own
    }
    auto created = co_await client_.create_container(spec, server.container_name);
    if (!created) {
        if (scratch)
            co_await client_.remove_network(server.network);
        co_return Failure{errc::restore_failed,
                          "creating " + server.container_name + ": " + created.error().describe()};
    }
    server.container_id = created->id;
    if (scratch) {
        auto tar = dockerapi::make_tar({{"backupctl-drill.password", password, 0444, 0, 0}});
        bool put_ok = false;
        if (tar) {
            auto put = co_await client_.put_archive(server.container_id, "/tmp", *tar);
            put_ok = put.has_value();
        }
        if (!put_ok) {
            co_await discard(server);
            co_return Failure{errc::restore_failed, "writing the drill's password file"};
        }
    }
    auto started = co_await client_.start_container(server.container_id);
    if (!started) {
        if (scratch)
            co_await discard(server);
        co_return Failure{errc::restore_failed,
                          "starting " + server.container_name + ": " + started.error().describe()};
    }
    co_return server;
}

Task<Result<domain::Target>> DockerRestorer::server_in(const domain::Target& target,
                                                       std::string container) {
    if (!target.database) {
        co_return Failure{errc::restore_failed, target.name + " has no database"};
    }
    auto inspect = co_await client_.inspect_container(container);
    if (!inspect) {
        co_return Failure{errc::restore_failed,
                          "container " + container + ": " + inspect.error().describe()};
    }
    // Built from nothing of the target but its kind and names: a target's labels (user,
    // password variable, dump image) must not choose what is read from another container, nor
    // which image receives it.
    domain::Target server;
    server.name = target.name;
    server.source = domain::Origin::labels;
    server.container_id = inspect->id;
    server.container_name = inspect->name;
    server.image = inspect->image_id;
    if (inspect->networks.contains(target.network)) {
        server.network = target.network;
    } else if (!inspect->networks.empty()) {
        server.network = inspect->networks.begin()->first;
    } else {
        server.network = inspect->network_mode;
    }
    domain::DatabaseSpec db;
    db.kind = target.database->kind;
    db.names = target.database->names;
    server.database = std::move(db);
    co_return server;
}

Task<Result<void>> DockerRestorer::wait_ready(const domain::Target& server,
                                              std::chrono::seconds limit,
                                              std::string run_id) {
    if (drill_sessions_.contains(server.container_name))
        co_return Result<void>{};  // no server: the drill's session loads and counts
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const auto* engine = engine_of(kinds_, server);
    if (engine == nullptr) {
        co_return Failure{errc::restore_failed, no_engine(server)};
    }
    const auto argv = engine->ready();
    std::string last = "no answer";
    for (;;) {
        auto ran = co_await run(server, argv, "", run_id);
        if (ran && ran->exit_code == 0) {
            co_return Result<void>{};
        }
        last = ran ? domain::telling_line(ran->err) : ran.error().message;
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return Failure{errc::restore_failed,
                              server.container_name + " did not answer within " +
                                  std::to_string(limit.count()) + " s: " + last};
        }
        asio::steady_timer t(client_.executor(), std::chrono::seconds(1));
        co_await t.async_wait(asio::use_awaitable);
    }
}

Task<void> DockerRestorer::discard(const domain::Target& scratch) {
    if (drill_sessions_.erase(scratch.container_name) > 0)
        co_return;  // its sessions removed their containers
    if (!scratch.container_id.empty()) {
        co_await client_.remove_container(scratch.container_id, true, true);
    }
    if (!scratch.network.empty()) {
        co_await client_.remove_network(scratch.network);
    }
}

Task<Result<std::unique_ptr<domain::RestoreLoad>>> DockerRestorer::open_files_load(
    const domain::Target& into, std::string path, std::string /*run_id*/) {
    // The tar holds the last component of `path` (GET /archive made it): it goes into the
    // parent directory, by PUT /archive into the target itself, which the engine extracts with
    // the owners, modes and times of the tar. No helper container: one that shared the target's
    // volumes (VolumesFrom) could share the socket proxy's too, so the proxy refuses them.
    std::string parent = path.substr(0, path.find_last_of('/'));
    if (parent.empty())
        parent = "/";
    auto up = co_await client_.upload_archive(into.container_id, parent);
    if (!up) {
        co_return Failure{
            errc::restore_failed,
            "restoring " + path + " into " + into.container_name + ": " + up.error().describe()};
    }
    co_return std::unique_ptr<domain::RestoreLoad>(
        std::make_unique<ArchiveLoad>(std::move(*up), into.container_name + ":" + path));
}

Task<Result<std::vector<domain::RestoredCopy>>> DockerRestoredCopies::list(std::string target) {
    dockerapi::ListContainersOptions o;
    o.all = true;
    o.filters["label"] = {std::string(kRestoredFromLabel) + "=" + target};
    auto found = co_await client_.list_containers(o);
    if (!found) {
        co_return to_failure(found.error());
    }
    std::vector<domain::RestoredCopy> out;
    for (const auto& c : *found) {
        auto label = [&c](const char* k) {
            auto it = c.labels.find(k);
            return it == c.labels.end() ? std::string{} : it->second;
        };
        if (label(kRestoredFromLabel) != target)
            continue;  // the engine's filter already says so; a fake or a proxy might not
        domain::RestoredCopy copy;
        copy.container_id = c.id;
        copy.name = c.name();
        copy.target = target;
        copy.run_id = label(kRunLabel);
        copy.restored_at = label(kRestoredAtLabel);
        copy.state = c.state;
        for (const auto& [net, endpoint] : c.networks)
            copy.networks.push_back(net);
        for (const auto& m : c.mounts) {
            if (m.type == "volume")
                copy.volumes.push_back(m.name);
        }
        out.push_back(std::move(copy));
    }
    co_return out;
}

Task<Result<void>> DockerRestoredCopies::remove(domain::RestoredCopy copy) {
    // force: stopped first; remove_volumes: the anonymous volumes the engine made with it (a
    // copy is created with no mount of its own, so no named volume is ever among them).
    auto r = co_await client_.remove_container(copy.container_id, true, true);
    if (!r && r.error().code != dockerapi::errc::not_found) {
        co_return to_failure(r.error());
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::docker
