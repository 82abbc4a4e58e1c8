// dockerapi::Client against the real dockerd. Every container and network made here carries the
// label bk.test=<unique>, and is removed at the end of its test (.ci/run sweeps by label too).
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <iomanip>
#include <sstream>

#include "dockerapi/client.hpp"
#include "dockerapi/event_cursor.hpp"
#include "dockerapi/tar.hpp"
#include "support/result_printing.hpp"
#include "support/run_task.hpp"
#include "support/stream_helpers.hpp"
#include "support/test_env.hpp"

using namespace dockerapi;  // NOLINT(google-build-using-namespace)
using bk::testing::CollectSink;
using bk::testing::run_task;
using bk::testing::test_image;
using bk::testing::unique_suffix;
using namespace std::chrono_literals;

namespace {

Client make_client(boost::asio::io_context& ioc) {
    auto address = docker_host_from_env();
    REQUIRE(address);
    ClientOptions o;
    o.address = *address;
    return Client(ioc.get_executor(), o);
}

class Sha256Sink final : public StreamSink {
public:
    Sha256Sink() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
    ~Sha256Sink() override { EVP_MD_CTX_free(ctx_); }
    Sha256Sink(const Sha256Sink&) = delete;
    Sha256Sink& operator=(const Sha256Sink&) = delete;

    std::string err;
    std::uint64_t out_bytes{0};

    Task<std::error_code> write(StreamKind kind, std::span<const char> data) override {
        if (kind == StreamKind::stderr_stream) {
            err.append(data.data(), data.size());
        } else {
            out_bytes += data.size();
            EVP_DigestUpdate(ctx_, data.data(), data.size());
        }
        co_return std::error_code{};
    }
    std::string hex() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_, md, &n);
        std::ostringstream ss;
        for (unsigned i = 0; i < n; ++i) {
            ss << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(md[i]);
        }
        return ss.str();
    }

private:
    EVP_MD_CTX* ctx_;
};

ContainerSpec spec_for(const std::string& tag, std::vector<std::string> cmd) {
    ContainerSpec s;
    s.image = test_image("BK_TEST_BASE_IMAGE");
    s.cmd = std::move(cmd);
    s.labels = {{"bk.test", tag}};
    return s;
}

ContainerSpec spec_for(const std::string& tag, std::vector<std::string> cmd);
ContainerSpec sleeping(const std::string& tag) {
    return spec_for(tag, {"sleep", "120"});
}

// Plain functions build the arguments: g++ 12 miscompiles initializer lists inside co_await.
Filters label_filter(const std::string& tag) {
    return {{"label", {"bk.test=" + tag}}};
}
ListContainersOptions by_label(const std::string& tag, bool all) {
    return {.all = all, .filters = label_filter(tag)};
}
NetworkSpec network_spec(const std::string& tag) {
    NetworkSpec n;
    n.name = "bk-e2e-net-" + tag;
    n.labels = {{"bk.test", tag}};
    return n;
}
ExecSpec exec_spec(std::vector<std::string> cmd) {
    ExecSpec e;
    e.cmd = std::move(cmd);
    return e;
}

// Removes what a test made (by its label), whatever happened in the test.
Task<void> sweep(Client& c, std::string tag) {
    auto list = co_await c.list_containers(by_label(tag, true));
    if (list) {
        for (const auto& ct : *list) {
            co_await c.remove_container(ct.id, true, true);
        }
    }
    auto nets = co_await c.list_networks(label_filter(tag));
    if (nets) {
        for (const auto& n : *nets) {
            co_await c.remove_network(n.id);
        }
    }
}

struct RunOutcome {
    int exit_code{-1};
    StreamTotals totals;
};

// The documented order: create, (archive), attach, wait(next-exit), start, pump, wait result.
Task<Result<RunOutcome>> run_attached(Client& c, std::string id, StreamSink& sink) {
    auto attach = co_await c.attach_container(id, false);
    if (!attach) {
        co_return attach.error();
    }
    auto wait = co_await c.wait_container(id, WaitCondition::next_exit);
    if (!wait) {
        co_return wait.error();
    }
    auto started = co_await c.start_container(id);
    if (!started) {
        co_return started.error();
    }
    auto totals = co_await attach->pump(sink);
    if (!totals) {
        co_return totals.error();
    }
    auto status = co_await wait->result();
    if (!status) {
        co_return status.error();
    }
    co_return RunOutcome{status->status_code, *totals};
}

}  // namespace

TEST_CASE("ping negotiates the version of the real daemon", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    auto ping = run_task(ioc, c.ping());
    REQUIRE(ping);
    CHECK_FALSE(ping->api_version.empty());
    CHECK_FALSE(c.api_version().empty());
    auto info = run_task(ioc, c.info());
    REQUIRE(info);
    CHECK_FALSE(info->server_version.empty());
}

namespace {
Task<void> list_by_label(Client& c, std::string tag) {
    auto sleeper = spec_for(tag, {"sleep", "60"});
    auto created = co_await c.create_container(sleeper, "bk-e2e-" + tag);
    REQUIRE(created);
    auto other = spec_for(tag + "-other", std::vector<std::string>{"sleep", "60"});
    auto created_other = co_await c.create_container(other, "bk-e2e-other-" + tag);
    REQUIRE(created_other);
    auto list = co_await c.list_containers(by_label(tag, true));
    REQUIRE(list);
    REQUIRE(list->size() == 1);
    CHECK(list->front().id == created->id);
    CHECK(list->front().state == "created");
    auto running = co_await c.list_containers(by_label(tag, false));
    REQUIRE(running);
    CHECK(running->empty());
    co_await sweep(c, tag + "-other");
    co_await sweep(c, tag);
}
}  // namespace

TEST_CASE("containers are listed by label", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, list_by_label(c, unique_suffix()));
}

namespace {
Task<void> lifecycle(Client& c, std::string tag) {
    auto spec = spec_for(tag, {"sh", "-c", "cat /tmp/bk-secret.txt; echo to-stderr >&2; exit 3"});
    auto created = co_await c.create_container(spec, "bk-e2e-" + tag);
    REQUIRE(created);
    std::vector<TarEntry> entries{{"bk-secret.txt", "payload from the archive API\n", 0600, 0, 0}};
    auto tar = make_tar(entries);
    REQUIRE(tar);
    auto put = co_await c.put_archive(created->id, "/tmp", *tar);
    REQUIRE(put);
    CollectSink sink;
    auto outcome = co_await run_attached(c, created->id, sink);
    REQUIRE(outcome);
    CHECK(outcome->exit_code == 3);
    CHECK(sink.out == "payload from the archive API\n");
    CHECK(sink.err == "to-stderr\n");
    auto inspect = co_await c.inspect_container(created->id);
    REQUIRE(inspect);
    CHECK(inspect->state.exit_code == 3);
    CHECK(inspect->log_driver == "none");
    auto again = co_await c.start_container(created->id);  // exited: starts again
    CHECK(again);
    auto removed = co_await c.remove_container(created->id, true, true);
    REQUIRE(removed);
    auto gone = co_await c.inspect_container(created->id);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == errc::not_found);
    auto twice = co_await c.remove_container(created->id, true, true);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == errc::not_found);
    co_await sweep(c, tag);
}
}  // namespace

TEST_CASE("create, archive put, attach, wait, start, remove", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, lifecycle(c, unique_suffix()));
}

namespace {
Task<void> one_gib(Client& c, std::string tag) {
    // stdout: 1 GiB of random bytes; stderr: their SHA-256 as computed inside the container.
    auto spec = spec_for(tag,
                         {"sh",
                          "-c",
                          "mkfifo /tmp/p; (sha256sum </tmp/p | cut -d' ' -f1 >&2) & "
                          "head -c 1073741824 /dev/urandom | tee /tmp/p; wait"});
    auto created = co_await c.create_container(spec, "bk-e2e-" + tag);
    REQUIRE(created);
    Sha256Sink sink;
    auto outcome = co_await run_attached(c, created->id, sink);
    REQUIRE(outcome);
    CHECK(outcome->exit_code == 0);
    CHECK(sink.out_bytes == 1073741824);
    std::string inside = sink.err;
    while (!inside.empty() && (inside.back() == '\n' || inside.back() == ' ')) {
        inside.pop_back();
    }
    CHECK(inside.size() == 64);
    CHECK(sink.hex() == inside);
    co_await sweep(c, tag);
}
}  // namespace

TEST_CASE("1 GiB through attach arrives byte-exact", "[e2e][docker][big]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, one_gib(c, unique_suffix()), 600s);
}

namespace {
Task<Result<ExecInfo>> exec_and_wait(Client& c,
                                     std::string container,
                                     std::vector<std::string> cmd,
                                     CollectSink& sink) {
    auto id = co_await c.create_exec(container, exec_spec(std::move(cmd)));
    if (!id) {
        co_return id.error();
    }
    auto stream = co_await c.start_exec(*id);
    if (!stream) {
        co_return stream.error();
    }
    auto pumped = co_await stream->pump(sink);
    if (!pumped) {
        co_return pumped.error();
    }
    // The exit code is set right after EOF almost always; poll briefly while it is not.
    for (int i = 0; i < 100; ++i) {
        auto info = co_await c.inspect_exec(*id);
        if (!info || !info->running) {
            co_return info;
        }
        boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 20ms);
        co_await t.async_wait(boost::asio::use_awaitable);
    }
    co_return Error{errc::timeout, 0, "exec still running"};
}

Task<void> exec_codes(Client& c, std::string tag) {
    auto created = co_await c.create_container(sleeping(tag), "bk-e2e-" + tag);
    REQUIRE(created);
    auto step1 = co_await c.start_container(created->id);
    REQUIRE(step1);
    {
        CollectSink sink;
        std::vector<std::string> cmd{"sh", "-c", "echo hi; exit 5"};
        auto info = co_await exec_and_wait(c, created->id, cmd, sink);
        REQUIRE(info);
        CHECK(info->exit_code == 5);
        CHECK(sink.out == "hi\n");
    }
    {
        CollectSink sink;
        std::vector<std::string> cmd{"/nonexistent-binary"};
        auto info = co_await exec_and_wait(c, created->id, cmd, sink);
        REQUIRE(info);
        CHECK(info->exit_code == 126);
        CHECK_THAT(sink.out, Catch::Contains("no such file or directory"));
    }
    auto stopped = co_await c.stop_container(created->id, 1s);
    CHECK(stopped);
    auto true_spec = exec_spec(std::vector<std::string>{"true"});
    auto not_running = co_await c.create_exec(created->id, true_spec);
    REQUIRE_FALSE(not_running);
    CHECK(not_running.error().code == errc::conflict);
    co_await sweep(c, tag);
}
}  // namespace

TEST_CASE("exec exit codes, in-band errors, exec on a stopped container", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, exec_codes(c, unique_suffix()));
}

namespace {
Task<void> networks(Client& c, std::string tag) {
    auto net = co_await c.create_network(network_spec(tag));
    REQUIRE(net);
    auto created = co_await c.create_container(sleeping(tag), "bk-e2e-" + tag);
    REQUIRE(created);
    auto step2 = co_await c.start_container(created->id);
    REQUIRE(step2);

    std::vector<std::string> aliases_wanted{"bk-alias"};
    auto joined = co_await c.connect_network(*net, created->id, aliases_wanted);
    REQUIRE(joined);
    auto inspect = co_await c.inspect_container(created->id);
    REQUIRE(inspect);
    REQUIRE(inspect->networks.count("bk-e2e-net-" + tag) == 1);
    const auto& aliases = inspect->networks.at("bk-e2e-net-" + tag).aliases;
    CHECK(std::find(aliases.begin(), aliases.end(), "bk-alias") != aliases.end());
    auto n = co_await c.inspect_network(*net);
    REQUIRE(n);
    CHECK(n->containers.count(created->id) == 1);

    auto twice = co_await c.connect_network(*net, created->id, std::vector<std::string>{});
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == errc::conflict);
    CHECK(twice.error().http_status == 403);

    auto left = co_await c.disconnect_network(*net, created->id, false);
    REQUIRE(left);
    auto not_connected = co_await c.disconnect_network(*net, created->id, false);
    REQUIRE_FALSE(not_connected);
    CHECK(not_connected.error().code == errc::conflict);
    CHECK(not_connected.error().http_status == 500);

    auto listed = co_await c.list_networks(label_filter(tag));
    REQUIRE(listed);
    CHECK(listed->size() == 1);
    co_await sweep(c, tag);
    auto gone = co_await c.inspect_network(*net);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == errc::not_found);
}
}  // namespace

TEST_CASE("network connect and disconnect, twice each", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, networks(c, unique_suffix()));
}

namespace {
Task<std::vector<Event>> read_until(EventStream& s, std::string action, std::size_t count) {
    std::vector<Event> got;
    std::size_t seen = 0;
    while (seen < count) {
        auto e = co_await s.next();
        REQUIRE(e);
        REQUIRE(e->has_value());
        got.push_back(**e);
        if ((*e)->action == action) {
            ++seen;
        }
    }
    co_return got;
}

Task<void> start_and_stop(Client& c, std::string id) {
    auto step3 = co_await c.start_container(id);
    REQUIRE(step3);
    auto step4 = co_await c.stop_container(id, 1s);
    REQUIRE(step4);
}

Task<void> events(Client& c, std::string tag) {
    const Filters filters{{"label", {"bk.test=" + tag}}, {"type", {"container"}}};
    // Subscribe first, then act.
    EventsOptions live{.filters = filters};
    auto stream = co_await c.events(live);
    REQUIRE(stream);
    auto created = co_await c.create_container(sleeping(tag), "bk-e2e-" + tag);
    REQUIRE(created);
    co_await start_and_stop(c, created->id);
    auto first = co_await read_until(*stream, "stop", 1);
    std::vector<std::string> actions;
    EventCursor cursor;
    for (const auto& e : first) {
        CHECK(e.actor_id == created->id);
        CHECK(e.attributes.at("bk.test") == tag);
        CHECK(cursor.accept(e));
        actions.push_back(e.action);
    }
    CHECK(actions.front() == "create");
    CHECK(std::find(actions.begin(), actions.end(), "start") != actions.end());
    CHECK(std::find(actions.begin(), actions.end(), "die") != actions.end());

    // Cut the stream, make more events, resume with since = the last seen time.
    stream->close();
    co_await start_and_stop(c, created->id);
    EventsOptions resume{.since_nano = cursor.since(), .filters = filters};
    auto resumed = co_await c.events(resume);
    REQUIRE(resumed);
    auto replayed = co_await read_until(*resumed, "stop", 2);  // the old stop comes again
    std::vector<Event> fresh;
    std::size_t duplicates = 0;
    for (const auto& e : replayed) {
        if (cursor.accept(e)) {
            fresh.push_back(e);
        } else {
            ++duplicates;
        }
    }
    CHECK(duplicates >= 1);  // since is inclusive: the last event came again, and was dropped
    REQUIRE_FALSE(fresh.empty());
    CHECK(fresh.front().action == "start");
    CHECK(fresh.back().action == "stop");
    for (std::size_t i = 1; i < fresh.size(); ++i) {
        CHECK(fresh[i].time_nano >= fresh[i - 1].time_nano);
    }
    co_await sweep(c, tag);
}
}  // namespace

TEST_CASE("events of a container the test starts and stops, resumed with since", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, events(c, unique_suffix()), 120s);
}

namespace {
Task<void> images(Client& c) {
    auto img = co_await c.inspect_image(test_image("BK_TEST_POSTGRES_IMAGE"));
    REQUIRE(img);
    CHECK(img->entrypoint == std::vector<std::string>{"/usr/local/bin/docker-entrypoint.sh"});
    auto missing = co_await c.inspect_image("backupctl-test/does-not-exist:0");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::not_found);
    // No registry is reachable: the daemon fails the pull before or inside the stream.
    auto pull = co_await c.pull_image("127.0.0.1:1/backupctl-test/nothing", "0", {});
    REQUIRE_FALSE(pull);
    CHECK((pull.error().code == errc::daemon_error || pull.error().code == errc::stream_error));
    CHECK_FALSE(pull.error().message.empty());
}
}  // namespace

TEST_CASE("image inspect and a pull that cannot succeed", "[e2e][docker]") {
    boost::asio::io_context ioc;
    auto c = make_client(ioc);
    run_task(ioc, images(c), 120s);
}
