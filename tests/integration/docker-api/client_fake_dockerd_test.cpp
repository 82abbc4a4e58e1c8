// dockerapi::Client with its real transport against the in-process fake dockerd, which serves
// responses recorded from the real daemon (tests/fixtures/docker/v1.41) and injects faults.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>

#include "dockerapi/client.hpp"
#include "support/fake_dockerd.hpp"
#include "support/result_printing.hpp"
#include "support/run_task.hpp"
#include "support/stream_helpers.hpp"
#include "support/test_env.hpp"

using namespace dockerapi;  // NOLINT(google-build-using-namespace)
using bk::testing::FakeDockerd;
using bk::testing::FakeReply;
using bk::testing::FakeRequest;
using bk::testing::read_fixture;
using bk::testing::run_task;
using namespace std::chrono_literals;

using bk::testing::CollectSink;
using bk::testing::frame;

namespace {

ClientOptions options_for(const FakeDockerd& d) {
    ClientOptions o;
    o.address.path = d.socket_path();
    o.request_timeout = 2s;
    return o;
}

struct Fixture {
    boost::asio::io_context ioc;
    FakeDockerd dockerd{ioc};
    Client client{ioc.get_executor(), options_for(dockerd)};
};

}  // namespace

TEST_CASE("list and inspect parse recorded answers, requests are versioned and encoded",
          "[client]") {
    Fixture f;
    f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
        return FakeReply::json(read_fixture("docker/v1.41/containers_list.json"));
    });
    f.dockerd.route("GET", "/containers/[^/]+/json", [](const FakeRequest&) {
        return FakeReply::json(read_fixture("docker/v1.41/container_inspect.json"));
    });
    auto list =
        run_task(f.ioc,
                 f.client.list_containers(
                     {.all = true, .filters = {{"label", {"backupctl.enable=true", "a b"}}}}));
    REQUIRE(list);
    REQUIRE(list->size() == 1);
    CHECK(list->front().name() == "bk-fixture");
    auto inspect = run_task(f.ioc, f.client.inspect_container(list->front().id));
    REQUIRE(inspect);
    CHECK(inspect->name == "bk-fixture");

    const auto& reqs = f.dockerd.requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[0].target == "/_ping");
    CHECK(reqs[1].target.starts_with("/v1.41/containers/json?all=1&filters="));
    CHECK(reqs[1].param("filters") == R"({"label":["backupctl.enable=true","a b"]})");
    CHECK(reqs[1].target.find(' ') == std::string::npos);
    CHECK(reqs[1].headers.at("host") == "docker");
    CHECK(f.client.api_version() == "1.41");
}

TEST_CASE("keep-alive: ordinary calls share one connection", "[client]") {
    Fixture f;
    f.dockerd.route("GET", "/version", [](const FakeRequest&) {
        return FakeReply::json(read_fixture("docker/v1.41/version.json"));
    });
    for (int i = 0; i < 5; ++i) {
        REQUIRE(run_task(f.ioc, f.client.version()));
    }
    CHECK(f.dockerd.connections_accepted() == 1);
    CHECK(f.dockerd.requests().back().connection == 1);
}

TEST_CASE("a kept-alive connection the daemon dropped is replaced for an idempotent call",
          "[client]") {
    Fixture f;
    f.dockerd.route("GET", "/version", [](const FakeRequest&) {
        return FakeReply::json(read_fixture("docker/v1.41/version.json"));
    });
    REQUIRE(run_task(f.ioc, f.client.version()));
    f.dockerd.drop_connections();
    auto v = run_task(f.ioc, f.client.version());
    REQUIRE(v);
    CHECK(v->api_version == "1.41");
    CHECK(f.dockerd.connections_accepted() == 2);
}

TEST_CASE("the API version is negotiated, never pinned", "[client][version]") {
    SECTION("an older daemon") {
        boost::asio::io_context ioc;
        FakeDockerd d(ioc, "1.40");
        d.route("GET", "/version", [](const FakeRequest&) { return FakeReply::json("{}"); });
        Client c(ioc.get_executor(), options_for(d));
        REQUIRE(run_task(ioc, c.version()));
        CHECK(d.requests().back().target == "/v1.40/version");
    }
    SECTION("a newer daemon") {
        boost::asio::io_context ioc;
        FakeDockerd d(ioc, "1.52");
        d.route("GET", "/version", [](const FakeRequest&) { return FakeReply::json("{}"); });
        Client c(ioc.get_executor(), options_for(d));
        REQUIRE(run_task(ioc, c.version()));
        CHECK(d.requests().back().target == std::string("/v") + kMaxApiVersion + "/version");
    }
    SECTION("a daemon that changes under us: 'too new' leads to a new negotiation") {
        boost::asio::io_context ioc;
        FakeDockerd d(ioc, "1.41");
        int calls = 0;
        d.route("GET", "/version", [&calls](const FakeRequest&) {
            if (++calls == 1) {
                return FakeReply::error(400,
                                        "client version 1.41 is too new. Maximum supported "
                                        "API version is 1.40");
            }
            return FakeReply::json("{}");
        });
        Client c(ioc.get_executor(), options_for(d));
        REQUIRE(run_task(ioc, c.version()));
        CHECK(calls == 2);
        int pings = 0;
        for (const auto& r : d.requests()) {
            pings += r.path == "/_ping" ? 1 : 0;
        }
        CHECK(pings == 2);
    }
}

TEST_CASE("daemon errors, malformed bodies, silence and absence are typed errors",
          "[client][errors]") {
    SECTION("500 with a message") {
        Fixture f;
        f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
            return FakeReply::error(500, "boom");
        });
        auto r = run_task(f.ioc, f.client.list_containers({}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::daemon_error);
        CHECK(r.error().http_status == 500);
        CHECK(r.error().message == "boom");
    }
    SECTION("404 from a recorded answer") {
        Fixture f;
        f.dockerd.route("GET", "/containers/[^/]+/json", [](const FakeRequest&) {
            return FakeReply::json(read_fixture("docker/v1.41/error_no_such_container.json"), 404);
        });
        auto r = run_task(f.ioc, f.client.inspect_container("nonexistent-bk"));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::not_found);
        CHECK(r.error().message == "No such container: nonexistent-bk");
    }
    SECTION("malformed JSON") {
        Fixture f;
        f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
            return FakeReply::json("[{\"Id\": tru");
        });
        auto r = run_task(f.ioc, f.client.list_containers({}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_body);
    }
    SECTION("a daemon that never answers") {
        Fixture f;
        f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
            FakeReply r;
            r.never_answer = true;
            return r;
        });
        const auto start = std::chrono::steady_clock::now();
        auto r = run_task(f.ioc, f.client.list_containers({}), 10s);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::timeout);
        CHECK(std::chrono::steady_clock::now() - start < 5s);
    }
    SECTION("a body cut in the middle") {
        Fixture f;
        f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
            FakeReply r = FakeReply::json(read_fixture("docker/v1.41/containers_list.json"));
            r.cut_after = 200;
            return r;
        });
        auto r = run_task(f.ioc, f.client.list_containers({}));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::truncated_stream);
    }
    SECTION("no socket") {
        boost::asio::io_context ioc;
        bk::testing::TempDir dir;
        ClientOptions o;
        o.address.path = (dir.path() / "missing.sock").string();
        Client c(ioc.get_executor(), o);
        auto r = run_task(ioc, c.ping());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::daemon_unavailable);
        CHECK_THAT(r.error().message, Catch::Contains("missing.sock"));
    }
}

TEST_CASE("network connect twice: the daemon's 403 is a conflict", "[client][networks]") {
    Fixture f;
    f.dockerd.route("POST", "/networks/[^/]+/connect", [](const FakeRequest&) {
        return FakeReply::json(read_fixture("docker/v1.41/error_already_connected.json"), 403);
    });
    auto r = run_task(f.ioc, f.client.connect_network("bk-fixture-net", "bk-fixture", {}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::conflict);
    const auto& req = f.dockerd.requests().back();
    CHECK(req.headers.at("content-type") == "application/json");
    CHECK(req.body == R"({"Container":"bk-fixture","EndpointConfig":{}})");
}

TEST_CASE("attach: hijack, frames to the sink, a cut mid-frame is truncated_stream",
          "[client][attach]") {
    Fixture f;
    bool cut = false;
    f.dockerd.route("POST", "/containers/[^/]+/attach", [&cut](const FakeRequest& req) {
        FakeReply r;
        r.hijack = true;
        r.body = frame(1, "hello ") + frame(2, "warning\n") + frame(1, "world");
        if (cut) {
            // The daemon closes the connection 10 bytes before the end of the last frame.
            r.body = frame(1, "hello ") + frame(1, std::string(1000, 'x'));
            r.body.resize(r.body.size() - 10);
        }
        CHECK(req.headers.at("upgrade") == "tcp");
        return r;
    });
    {
        auto stream = run_task(f.ioc, f.client.attach_container("abc", false));
        REQUIRE(stream);
        CollectSink sink;
        auto totals = run_task(f.ioc, stream->pump(sink));
        REQUIRE(totals);
        CHECK(sink.out == "hello world");
        CHECK(sink.err == "warning\n");
    }
    cut = true;
    {
        auto stream = run_task(f.ioc, f.client.attach_container("abc", false));
        REQUIRE(stream);
        CollectSink sink;
        auto totals = run_task(f.ioc, stream->pump(sink));
        REQUIRE_FALSE(totals);
        CHECK(totals.error().code == errc::truncated_stream);
    }
}

TEST_CASE("wait: the status after the headers, a daemon dying meanwhile is truncated_stream",
          "[client][wait]") {
    Fixture f;
    bool die = false;
    f.dockerd.route("POST", "/containers/[^/]+/wait", [&die](const FakeRequest& req) {
        CHECK(req.param("condition") == "next-exit");
        FakeReply r;
        r.chunks = {R"({"Error":null,"StatusCode":7})"
                    "\n"};
        if (die) {
            r.chunks.clear();
            r.end_chunks = false;  // headers flushed, then the daemon dies (below)
        }
        return r;
    });
    auto w = run_task(f.ioc, f.client.wait_container("abc", WaitCondition::next_exit));
    REQUIRE(w);
    auto status = run_task(f.ioc, w->result());
    REQUIRE(status);
    CHECK(status->status_code == 7);

    die = true;
    auto w2 = run_task(f.ioc, f.client.wait_container("abc", WaitCondition::next_exit));
    REQUIRE(w2);
    f.dockerd.drop_connections();
    auto s2 = run_task(f.ioc, w2->result());
    REQUIRE_FALSE(s2);
    CHECK(s2.error().code == errc::truncated_stream);
    CHECK_THAT(s2.error().message, Catch::Contains("exit code unknown"));
}

TEST_CASE("events: recorded stream, since/until/filters sent, int64 times kept",
          "[client][events]") {
    Fixture f;
    const std::string recorded = read_fixture("docker/v1.41/events.ndjson");
    f.dockerd.route("GET", "/events", [&recorded](const FakeRequest&) {
        FakeReply r;
        // Chunks that do not follow event boundaries: the reader must reassemble lines.
        for (std::size_t i = 0; i < recorded.size(); i += 333) {
            r.chunks.push_back(recorded.substr(i, 333));
        }
        return r;
    });
    EventsOptions o;
    o.since_nano = 1795708104224027469;
    o.until_nano = 1795708200000000000;
    o.filters = {{"type", {"container", "network"}}};
    auto stream = run_task(f.ioc, f.client.events(o));
    REQUIRE(stream);
    std::vector<Event> got;
    for (;;) {
        auto e = run_task(f.ioc, stream->next());
        REQUIRE(e);
        if (!*e) {
            break;
        }
        got.push_back(**e);
    }
    CHECK(got.size() == 10);
    CHECK(got.front().time_nano == 1795708104224027469);
    const auto& req = f.dockerd.requests().back();
    CHECK(req.param("since") == "1795708104.224027469");
    CHECK(req.param("until") == "1795708200.000000000");
    CHECK(req.param("filters") == R"({"type":["container","network"]})");
}

TEST_CASE("events: a stream cut by the daemon is an error the watcher can reconnect on",
          "[client][events]") {
    Fixture f;
    f.dockerd.route("GET", "/events", [](const FakeRequest&) {
        FakeReply r;
        const std::string recorded = read_fixture("docker/v1.41/events.ndjson");
        r.chunks = {recorded.substr(0, recorded.find('\n') + 50)};  // one event and a half
        r.end_chunks = false;
        return r;
    });
    auto stream = run_task(f.ioc, f.client.events({}));
    REQUIRE(stream);
    auto first = run_task(f.ioc, stream->next());
    REQUIRE(first);
    REQUIRE(first->has_value());
    f.dockerd.drop_connections();
    auto second = run_task(f.ioc, stream->next());
    REQUIRE_FALSE(second);
    CHECK(
        (second.error().code == errc::truncated_stream || second.error().code == errc::transport));
}

TEST_CASE("pull: success needs the final status, in-band errors fail", "[client][images]") {
    Fixture f;
    std::string mode;
    f.dockerd.route("POST", "/images/create", [&mode](const FakeRequest& req) {
        CHECK(req.param("tag") == "15");
        FakeReply r;
        r.chunks = {R"({"status":"Pulling from library/postgres","id":"15"})"
                    "\n"};
        if (mode == "ok") {
            r.chunks.push_back(R"({"status":"Status: Image is up to date for postgres:15"})"
                               "\n");
        } else if (mode == "error") {
            r.chunks.push_back(
                R"({"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"})"
                "\n");
        }
        return r;
    });
    int progress = 0;
    mode = "ok";
    auto ok = run_task(
        f.ioc,
        f.client.pull_image("postgres", "15", [&progress](const PullProgress&) { ++progress; }));
    CHECK(ok);
    CHECK(progress == 2);
    mode = "error";
    auto err = run_task(f.ioc, f.client.pull_image("postgres", "15", {}));
    REQUIRE_FALSE(err);
    CHECK(err.error().code == errc::stream_error);
    CHECK(err.error().message == "manifest unknown");
    mode = "silent";
    auto silent = run_task(f.ioc, f.client.pull_image("postgres", "15", {}));
    REQUIRE_FALSE(silent);
    CHECK(silent.error().code == errc::stream_error);
}

namespace {
Task<Result<std::vector<ContainerSummary>>> cancelled_after(Client& c,
                                                            boost::asio::io_context& ioc,
                                                            std::chrono::milliseconds after) {
    boost::asio::cancellation_signal signal;
    boost::asio::steady_timer timer(ioc, after);
    std::optional<Result<std::vector<ContainerSummary>>> out;
    boost::asio::co_spawn(
        ioc,
        c.list_containers({}),
        boost::asio::bind_cancellation_slot(
            signal.slot(), [&out](std::exception_ptr, auto r) { out = std::move(r); }));
    co_await timer.async_wait(boost::asio::use_awaitable);
    signal.emit(boost::asio::cancellation_type::terminal);
    while (!out) {
        boost::asio::steady_timer tick(ioc, 10ms);
        co_await tick.async_wait(boost::asio::use_awaitable);
    }
    co_return std::move(*out);
}
}  // namespace

TEST_CASE("cancellation stops a call that waits on a silent daemon", "[client][cancel]") {
    Fixture f;
    f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
        FakeReply r;
        r.never_answer = true;
        return r;
    });
    ClientOptions slow = options_for(f.dockerd);
    slow.request_timeout = 60s;
    Client c(f.ioc.get_executor(), slow);
    const auto start = std::chrono::steady_clock::now();
    auto r = run_task(f.ioc, cancelled_after(c, f.ioc, 200ms), 20s);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::cancelled);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}
