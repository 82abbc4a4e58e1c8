#include "adapters/docker/db_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "adapters/docker/docker_dumper.hpp"
#include "adapters/docker/docker_target_source.hpp"
#include "adapters/docker/stream_watchdog.hpp"
#include "core/signal.hpp"
#include "databases/engine.hpp"
#include "domain/duration.hpp"
#include "domain/output_tail.hpp"

namespace bk::adapters::docker {

namespace asio = boost::asio;

std::map<std::string, std::string> env_map(const std::vector<std::string>& env) {
    std::map<std::string, std::string> m;
    for (const auto& kv : env) {
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            m[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return m;
}

std::string first_of(const std::map<std::string, std::string>& env,
                     std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        if (auto it = env.find(k); it != env.end() && !it->second.empty())
            return it->second;
    }
    return {};
}

std::string unsafe_database_name(const std::string& database) {
    if (database.empty())
        return "is empty";
    if (database.starts_with('-'))
        return "starts with '-', which the client program would read as an option";
    for (char c : database) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            return "holds a control character";
    }
    return {};
}

namespace {
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
    auto files = dockerapi::read_tar(tar);
    if (!files || files->empty())
        return std::nullopt;
    return std::move(files->front().content);
}

}  // namespace

const databases::Engine* engine_of(const databases::Registry& kinds, const domain::Target& t) {
    return t.database && t.database->kind ? kinds.engine(t.database->kind->name()) : nullptr;
}

std::string no_engine(const domain::Target& t) {
    return t.name + ": no database kind \"" + (t.database ? t.database->kind_name() : "") +
           "\" in this build";
}

Task<Credentials> resolve_credentials(dockerapi::Client& client,
                                      const domain::Target& t,
                                      const databases::Engine& engine) {
    Credentials c;
    const auto& db = *t.database;
    if (t.source == domain::Origin::config) {
        // A config project names its server and credentials itself: nothing is read from the
        // server container's environment. database.host is resolved already (TargetResolver).
        c.host = db.host;
        c.user = !db.user.empty() ? db.user : engine.project_user();
        c.password = db.password.reveal();
        c.port = db.port;
        if (c.password.empty() && !c.user.empty() && engine.project_needs_password()) {
            c.error = "project " + t.name + " gives no database.password (or password_file)";
        }
        co_return c;
    }
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
    c.mounts = inspect->mounts;
    // Its address on the network the client joins: no DNS on the default bridge, and the
    // embedded DNS of a user network was seen failing under load ("Temporary failure in name
    // resolution" for a drill server 2 runs in 5). The name only when no address is known.
    c.host = inspect->name;
    if (auto n = inspect->networks.find(t.network);
        n != inspect->networks.end() && !n->second.ip_address.empty()) {
        c.host = n->second.ip_address;
    }
    if (engine.unauthenticated(env, db)) {
        co_return c;
    }
    c.user = !db.user.empty() ? db.user : engine.default_user(env);
    // The password variable: the label's, else the image's usual one for this user.
    std::string var = db.password_env;
    if (var.empty())
        var = engine.password_variable(c.user, env);
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
    for (const auto& k : engine.default_variables()) {
        if (auto it = env.find(k); it != env.end())
            c.env[k] = it->second;
    }
    co_return c;
}

HelperVolumes helper_volumes(const std::vector<dockerapi::MountInfo>& mounts,
                             const std::vector<std::string>& paths,
                             const std::string& container) {
    HelperVolumes out;
    for (const auto& path : paths) {
        // The deepest mount whose destination holds the path.
        const dockerapi::MountInfo* best = nullptr;
        for (const auto& m : mounts) {
            const auto& d = m.destination;
            const bool under = path.size() > d.size() && path.starts_with(d) &&
                               (d.ends_with('/') || path[d.size()] == '/');
            if (under && (best == nullptr || d.size() > best->destination.size()))
                best = &m;
        }
        if (best == nullptr) {
            out.error = path + " is not on a volume of " + container +
                        ": a helper reaches only files in named volumes";
            return out;
        }
        if (best->type != "volume" || best->name.empty()) {
            out.error = path + " is on a " + best->type + " mount of " + container + " (" +
                        best->destination +
                        "): a helper may mount named volumes only, never a host directory; put "
                        "the database in a named volume";
            return out;
        }
        std::string bind = best->name + ":" + best->destination;
        if (std::find(out.binds.begin(), out.binds.end(), bind) == out.binds.end())
            out.binds.push_back(std::move(bind));
    }
    return out;
}

ClientCommand client_command(const domain::Target& t,
                             const Credentials& cred,
                             const std::string& instance_id,
                             const databases::Engine& engine,
                             const std::vector<std::string>& argv) {
    ClientCommand c;
    auto& spec = c.spec;
    spec.image = t.database && !t.database->dump_image.empty() ? t.database->dump_image : t.image;
    spec.entrypoint = std::vector<std::string>{""};  // run the client directly
    spec.user = "0:0";
    spec.labels = {
        {kEphemeralLabel, "true"}, {kInstanceLabel, instance_id}, {kTargetLabel, t.name}};
    const auto placement = engine.placement();
    if (placement.network) {
        spec.network_mode = t.network;
        if (!t.network.empty() && t.network != "host" && t.network != "bridge") {
            spec.networks[t.network] = {};
        }
    } else {
        spec.network_mode = "none";  // a file kind's helper talks to nobody
    }
    databases::Connection conn{cred.host, cred.port, cred.user, cred.password, cred.env};
    auto setup = engine.client(conn);
    spec.env = std::move(setup.env);
    for (auto& f : setup.files)
        c.secret_files.push_back({std::move(f.name), std::move(f.content), 0600, 0, 0});
    if (!argv.empty())
        spec.cmd = engine.with_connection(argv, setup.connection);
    return c;
}

// --- ClientContainer ------------------------------------------------------------------------

struct ClientContainer::State {
    dockerapi::Client* client{nullptr};
    std::string id;
    std::optional<dockerapi::AttachStream> attach;
    std::optional<dockerapi::WaitHandle> wait;
    std::size_t keep_stdout{0};
    std::string out;
    domain::OutputTail err{4096};
    bool pumping{false};
    Signal pumped;  ///< the output pump ended (finish() awaits it)
    std::string pump_error;
    bool removed{false};
    domain::StreamLimits limits;
};

namespace {
class Collector final : public dockerapi::StreamSink {
public:
    explicit Collector(std::shared_ptr<ClientContainer::State> s) : s_(std::move(s)) {}
    dockerapi::Task<std::error_code> write(dockerapi::StreamKind kind,
                                           std::span<const char> data) override;

private:
    std::shared_ptr<ClientContainer::State> s_;
};
// Reads the container's stdout and stderr until they end; finish() awaits its end (State::pumped).
Task<void> pump_output(std::shared_ptr<ClientContainer::State> state) {
    Collector sink(state);
    auto r = co_await state->attach->pump(sink);
    if (!r)
        state->pump_error = r.error().describe();
    state->pumping = false;
    state->pumped.notify_all();
}

// An unwinding path (a failed restore, a throw): the container goes with its owner.
Task<void> remove_left(std::shared_ptr<ClientContainer::State> state) {
    co_await state->client->remove_container(state->id, true, true);
}

// Neither may end the process: a failure is the janitor's to clean up (also after a crash).
void ignore_failure(const std::exception_ptr&) {}
}  // namespace

dockerapi::Task<std::error_code> Collector::write(dockerapi::StreamKind kind,
                                                  std::span<const char> data) {
    if (kind == dockerapi::StreamKind::stderr_stream) {
        s_->err.append(std::string_view(data.data(), data.size()));
    } else if (s_->out.size() < s_->keep_stdout) {
        s_->out.append(data.data(), std::min(data.size(), s_->keep_stdout - s_->out.size()));
    }
    co_return std::error_code{};
}

ClientContainer::ClientContainer(std::shared_ptr<State> state) : state_(std::move(state)) {}

ClientContainer::~ClientContainer() {
    try {
        if (state_->attach)
            state_->attach->close();
        if (!state_->removed && !state_->id.empty()) {
            // An unwinding path: the container goes with us (the janitor sweeps it otherwise).
            // No owner is left to await it; the state it uses is its own.
            asio::co_spawn(state_->client->executor(), remove_left(state_), ignore_failure);
        }
    } catch (...) {
        // A destructor never throws (a failed spawn is an allocation failure): the janitor and
        // the next start's recovery remove what carries the run's label.
    }
}

const std::string& ClientContainer::out() const {
    return state_->out;
}
const std::string& ClientContainer::err_tail() const {
    return state_->err.text();
}

Task<Result<std::unique_ptr<ClientContainer>>> ClientContainer::start(dockerapi::Client& client,
                                                                      ClientCommand cmd,
                                                                      std::string name,
                                                                      std::size_t keep_stdout,
                                                                      domain::StreamLimits limits) {
    auto state = std::make_shared<State>();
    state->client = &client;
    state->keep_stdout = keep_stdout;
    state->limits = limits;
    cmd.spec.attach_stdin = true;
    cmd.spec.open_stdin = true;
    cmd.spec.stdin_once = true;
    auto tar = dockerapi::make_tar(cmd.secret_files);
    if (!tar) {
        co_return to_failure(tar.error());
    }
    auto created = co_await client.create_container(cmd.spec, name);
    if (!created) {
        co_return Failure{errc::restore_failed,
                          "creating the client container: " + created.error().describe()};
    }
    state->id = created->id;
    std::unique_ptr<ClientContainer> self(new ClientContainer(state));
    if (!cmd.secret_files.empty()) {
        auto put = co_await client.put_archive(state->id, "/tmp", *tar);
        if (!put) {
            co_return Failure{errc::restore_failed,
                              "writing the credentials file: " + put.error().describe()};
        }
    }
    auto a = co_await client.attach_container(state->id, true);
    if (!a) {
        co_return Failure{errc::restore_failed, "attach: " + a.error().describe()};
    }
    state->attach = std::move(*a);
    auto w = co_await client.wait_container(state->id, dockerapi::WaitCondition::next_exit);
    if (!w) {
        co_return Failure{errc::restore_failed, "wait: " + w.error().describe()};
    }
    state->wait = std::move(*w);
    auto s = co_await client.start_container(state->id);
    if (!s) {
        co_return Failure{errc::restore_failed, "start: " + s.error().describe()};
    }
    // stdout and stderr are read beside the writes to stdin.
    state->pumping = true;
    asio::co_spawn(client.executor(), pump_output(state), ignore_failure);
    co_return self;
}

Task<Result<void>> ClientContainer::write(std::span<const char> data) {
    // NOLINTNEXTLINE(google-build-using-namespace): the namespace of the operators || and &&
    using namespace boost::asio::experimental::awaitable_operators;
    // A client that stops reading its stdin would hold the restore (or the drill) forever.
    auto raced = co_await (state_->attach->write_stdin(data) ||
                           watchdog(state_->limits, std::make_shared<StreamActivity>()));
    if (raced.index() == 1) {
        co_return Failure{
            errc::timeout,
            std::get<1>(raced) == Cut::idle
                ? "the client took no input for " + domain::format_duration(state_->limits.idle)
                : std::string("the client timed out")};
    }
    auto& r = std::get<0>(raced);
    if (!r) {
        co_return Failure{errc::restore_failed,
                          "the client stopped taking data: " + r.error().describe()};
    }
    co_return Result<void>{};
}

Task<Result<int>> ClientContainer::finish() {
    // NOLINTNEXTLINE(google-build-using-namespace): the namespace of the operators || and &&
    using namespace boost::asio::experimental::awaitable_operators;
    (void)state_->attach->close_stdin();
    domain::StreamLimits limits = state_->limits;
    limits.idle = std::chrono::seconds(0);  // a load's last statements may work in silence
    auto raced =
        co_await (state_->wait->result() || watchdog(limits, std::make_shared<StreamActivity>()));
    if (raced.index() == 1) {
        co_await abort();
        co_return Failure{errc::timeout, "the client did not finish in time (timed out)"};
    }
    auto& status = std::get<0>(raced);
    while (state_->pumping)
        co_await state_->pumped.wait();  // woken by the pump's end, no poll period
    state_->attach->close();
    co_await state_->client->remove_container(state_->id, true, true);
    state_->removed = true;
    if (!status) {
        co_return Failure{errc::restore_failed,
                          "waiting for the client: " + status.error().describe()};
    }
    if (!status->error.empty()) {
        co_return Failure{errc::restore_failed, status->error};
    }
    co_return status->status_code;
}

Task<void> ClientContainer::abort() {
    // Killed with its stdin still open: psql never sees the end of input, so a
    // transaction it had open is rolled back, never committed.
    co_await state_->client->kill_container(state_->id, "KILL");
    state_->attach->close();
    co_await state_->client->remove_container(state_->id, true, true);
    state_->removed = true;
}

}  // namespace bk::adapters::docker
