// DockerRestorer against the in-process fake dockerd: which image, network and credentials a
// restore client gets, and how a files snapshot goes back (PUT /archive, no helper container).
#include "adapters/docker/docker_restorer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "dockerapi/client.hpp"
#include "dockerapi/tar.hpp"
#include "support/bk_result_printing.hpp"
#include "support/fake_dockerd.hpp"
#include "support/kinds.hpp"
#include "support/result_printing.hpp"
#include "support/run_task.hpp"

using bk::testing::FakeDockerd;
using bk::testing::FakeReply;
using bk::testing::FakeRequest;
using bk::testing::run_task;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    boost::asio::io_context ioc;
    FakeDockerd dockerd{ioc};
    dockerapi::Client client{ioc.get_executor(), [this] {
                                 dockerapi::ClientOptions o;
                                 o.address.path = dockerd.socket_path();
                                 o.request_timeout = 5s;
                                 return o;
                             }()};
    bk::adapters::docker::DockerRestorer restorer{
        client, "test-instance", bk::bootstrap::database_registry()};

    // A container that runs a client to its end: create, archive, attach, wait, start, remove.
    void serve_clients() {
        dockerd.route("POST", "/containers/create", [](const FakeRequest&) {
            return FakeReply::json(R"({"Id":"client1","Warnings":[]})", 201);
        });
        dockerd.route("PUT", "/containers/[^/]+/archive", [](const FakeRequest&) {
            return FakeReply::json("", 200);
        });
        dockerd.route("POST", "/containers/[^/]+/attach", [](const FakeRequest&) {
            FakeReply r;
            r.hijack = true;
            r.drain_stdin = true;
            return r;
        });
        dockerd.route("POST", "/containers/[^/]+/wait", [](const FakeRequest&) {
            return FakeReply::json(R"({"StatusCode":0,"Error":null})");
        });
        dockerd.route("POST", "/containers/[^/]+/start", [](const FakeRequest&) {
            FakeReply r;
            r.status = 204;
            return r;
        });
        dockerd.route("DELETE", "/containers/[^/]+", [](const FakeRequest&) {
            FakeReply r;
            r.status = 204;
            return r;
        });
    }
    [[nodiscard]] std::vector<FakeRequest> requests(const std::string& method,
                                                    const std::string& path_start) const {
        std::vector<FakeRequest> out;
        for (const auto& r : dockerd.requests()) {
            if (r.method == method && r.path.starts_with(path_start))
                out.push_back(r);
        }
        return out;
    }
};

// Container A's target: its labels name a password variable, a user and a dump image.
bk::domain::Target target_a() {
    bk::domain::Target a;
    a.name = "shop-db";
    a.container_id = "aaaa";
    a.container_name = "shop-db-1";
    a.image = "registry.example/a-image:1";
    a.network = "a_net";
    bk::domain::DatabaseSpec db = bk::testing::database("postgres");
    db.names = {"shop"};
    db.user = "a_user";
    db.password_env = "AWS_SECRET_ACCESS_KEY";
    db.dump_image = "registry.example/a-tools:1";
    a.database = db;
    return a;
}

// Container B: another postgres, with a secret of its own that is not its database's password.
std::string inspect_b() {
    nlohmann::json j = {
        {"Id", "bbbb"},
        {"Name", "/other-db"},
        {"Image", "sha256:b0b0"},
        {"Config",
         {{"Image", "postgres:15"},
          {"Env", {"POSTGRES_PASSWORD=b-db-password", "AWS_SECRET_ACCESS_KEY=b-cloud-secret"}}}},
        {"State", {{"Status", "running"}, {"Running", true}}},
        {"HostConfig", {{"NetworkMode", "b_net"}}},
        {"NetworkSettings", {{"Networks", {{"b_net", {{"IPAddress", "10.9.0.7"}}}}}}}};
    return j.dump();
}

}  // namespace

TEST_CASE("restore --into-container: the client runs B's own image with B's own password variable",
          "[restorer][security]") {
    Fixture f;
    f.serve_clients();
    f.dockerd.route("GET", "/containers/(bbbb|other-db)/json", [](const FakeRequest&) {
        return FakeReply::json(inspect_b());
    });

    auto run = [&]() -> dockerapi::Task<std::string> {
        auto into = co_await f.restorer.server_in(target_a(), "other-db");
        if (!into)
            co_return "server_in: " + into.error().message;
        auto load = co_await f.restorer.open_load(*into, "shop", "run1");
        if (!load)
            co_return "open_load: " + load.error().message;
        auto done = co_await (*load)->finish();
        if (!done)
            co_return "finish: " + done.error().message;
        co_return std::string{};
    };
    const std::string failed = run_task(f.ioc, run());
    CHECK(failed.empty());

    const auto creates = f.requests("POST", "/containers/create");
    REQUIRE(creates.size() == 1);
    const auto spec = nlohmann::json::parse(creates[0].body);
    INFO(creates[0].body);
    CHECK(spec["Image"] == "sha256:b0b0");  // B's image, exactly: not A's, nor A's dump image
    CHECK(spec["HostConfig"]["NetworkMode"] == "b_net");
    CHECK(creates[0].body.find("a_user") == std::string::npos);
    CHECK(creates[0].body.find("a_net") == std::string::npos);

    const auto puts = f.requests("PUT", "/containers/client1/archive");
    REQUIRE(puts.size() == 1);
    auto files = dockerapi::read_tar(puts[0].body);
    REQUIRE(files);
    REQUIRE(files->size() == 1);
    const std::string& pgpass = files->front().content;
    CHECK(pgpass.find("b-db-password") != std::string::npos);   // POSTGRES_PASSWORD: B's default
    CHECK(pgpass.find("b-cloud-secret") == std::string::npos);  // never what A's label named
}

TEST_CASE("restore --into-container: a container that does not exist is an error naming it",
          "[restorer]") {
    Fixture f;
    auto r = run_task(f.ioc, f.restorer.server_in(target_a(), "nope"));
    REQUIRE(!r);
    CHECK_THAT(r.error().message, Catch::Contains("nope"));
}

TEST_CASE("files go back by a streamed PUT /archive into the target, no helper container",
          "[restorer][files]") {
    Fixture f;
    std::string tar_in;
    f.dockerd.route("PUT", "/containers/aaaa/archive", [&](const FakeRequest& r) {
        tar_in = r.body;
        return FakeReply::json("", 200);
    });
    auto tar = dockerapi::make_tar({{"uploads/note.txt", "hello\n", 0640, 1234, 1234}});
    REQUIRE(tar);
    auto run = [&]() -> dockerapi::Task<std::string> {
        auto load = co_await f.restorer.open_files_load(target_a(), "/srv/uploads", "run1");
        if (!load)
            co_return "open: " + load.error().message;
        // In pieces, as restic's output comes.
        const std::string& t = *tar;
        for (std::size_t at = 0; at < t.size(); at += 700) {
            auto w = co_await (*load)->write(
                std::span<const char>(t.data() + at, std::min<std::size_t>(700, t.size() - at)));
            if (!w)
                co_return "write: " + w.error().message;
        }
        auto done = co_await (*load)->finish();
        if (!done)
            co_return "finish: " + done.error().message;
        co_return std::string{};
    };
    CHECK(run_task(f.ioc, run()).empty());
    CHECK(tar_in == *tar);
    const auto puts = f.requests("PUT", "/containers/aaaa/archive");
    REQUIRE(puts.size() == 1);
    CHECK(puts[0].param("path") == "/srv");
    CHECK(puts[0].headers.at("transfer-encoding") == "chunked");
    CHECK(f.requests("POST", "/containers/create").empty());
}

TEST_CASE("files restore: the daemon's refusal (a missing directory) is the error",
          "[restorer][files]") {
    Fixture f;
    f.dockerd.route("PUT", "/containers/aaaa/archive", [](const FakeRequest&) {
        return FakeReply::error(404, "Could not find the file /srv in container aaaa");
    });
    auto run = [&]() -> dockerapi::Task<std::string> {
        auto load = co_await f.restorer.open_files_load(target_a(), "/srv/uploads", "run1");
        if (!load)
            co_return "open: " + load.error().message;
        const std::string bytes(3000, 'x');
        auto w = co_await (*load)->write(std::span<const char>(bytes.data(), bytes.size()));
        if (!w)
            co_return "write: " + w.error().message;
        auto done = co_await (*load)->finish();
        if (!done)
            co_return "finish: " + done.error().message;
        co_return std::string{};
    };
    const std::string failed = run_task(f.ioc, run());
    CHECK_THAT(failed, Catch::Contains("Could not find the file /srv"));
}

TEST_CASE(
    "restore --new-container: the copy is labelled with its target, run and time, on the "
    "target's network without its alias",
    "[restorer][cleanup]") {
    Fixture f;
    f.serve_clients();
    f.dockerd.route("GET", "/containers/aaaa/json", [](const FakeRequest&) {
        nlohmann::json j = {
            {"Id", "aaaa"},
            {"Name", "/shop-db-1"},
            {"Image", "sha256:a0a0"},
            {"Config", {{"Image", "postgres:16"}, {"Env", {"POSTGRES_PASSWORD=x"}}}},
            {"State", {{"Status", "running"}, {"Running", true}}},
            {"HostConfig", {{"NetworkMode", "a_net"}}},
            {"NetworkSettings", {{"Networks", {{"a_net", {{"IPAddress", "10.9.0.2"}}}}}}}};
        return FakeReply::json(j.dump());
    });
    auto made = run_task(f.ioc, f.restorer.clone(target_a(), false, "20261201T100000Z-abcdef"));
    REQUIRE(made);
    CHECK(made->container_name == "shop-db-1-restored-20261201T100000Z");
    CHECK(made->network == "a_net");
    const auto creates = f.requests("POST", "/containers/create");
    REQUIRE(creates.size() == 1);
    CHECK(creates[0].param("name") == "shop-db-1-restored-20261201T100000Z");
    const auto spec = nlohmann::json::parse(creates[0].body);
    INFO(creates[0].body);
    CHECK(spec["Labels"]["backupctl.restored-from"] == "shop-db");
    CHECK(spec["Labels"]["backupctl.run"] == "20261201T100000Z-abcdef");
    const std::string at = spec["Labels"]["backupctl.restored-at"];
    CHECK(at.size() == 20);
    CHECK(at.ends_with("Z"));
    CHECK_FALSE(spec["Labels"].contains("backupctl.ephemeral"));
    CHECK(spec["Image"] == "sha256:a0a0");
    CHECK(spec["HostConfig"]["NetworkMode"] == "a_net");
}

TEST_CASE("restored copies: listed by their label, removed with their volumes",
          "[restorer][cleanup]") {
    Fixture f;
    bk::adapters::docker::DockerRestoredCopies copies{f.client};
    f.dockerd.route("GET", "/containers/json", [](const FakeRequest&) {
        nlohmann::json list = nlohmann::json::array();
        list.push_back(
            {{"Id", "c1"},
             {"Names", {"/shop-db-1-restored-x"}},
             {"State", "running"},
             {"Labels",
              {{"backupctl.restored-from", "shop-db"},
               {"backupctl.run", "r1"},
               {"backupctl.restored-at", "2026-12-01T10:00:00Z"}}},
             {"NetworkSettings", {{"Networks", {{"shop_default", {{"IPAddress", "10.9.0.3"}}}}}}},
             {"Mounts",
              {{{"Type", "volume"},
                {"Name", "0123abcd"},
                {"Destination", "/var/lib/postgresql/data"}},
               {{"Type", "tmpfs"}, {"Destination", "/run"}}}}});
        // A proxy or an old engine that ignored the filter: another target's copy is skipped.
        list.push_back({{"Id", "c2"},
                        {"Names", {"/blog-db-1-restored-y"}},
                        {"State", "exited"},
                        {"Labels", {{"backupctl.restored-from", "blog-db"}}}});
        return FakeReply::json(list.dump());
    });
    f.dockerd.route("DELETE", "/containers/c1", [](const FakeRequest&) {
        FakeReply r;
        r.status = 204;
        return r;
    });
    f.dockerd.route("DELETE", "/containers/gone", [](const FakeRequest&) {
        return FakeReply::error(404, "No such container: gone");
    });
    auto listed = run_task(f.ioc, copies.list("shop-db"));
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    const auto& c = listed->front();
    CHECK(c.container_id == "c1");
    CHECK(c.name == "shop-db-1-restored-x");
    CHECK(c.run_id == "r1");
    CHECK(c.restored_at == "2026-12-01T10:00:00Z");
    CHECK(c.state == "running");
    CHECK(c.networks == std::vector<std::string>{"shop_default"});
    CHECK(c.volumes == std::vector<std::string>{"0123abcd"});
    const auto lists = f.requests("GET", "/containers/json");
    REQUIRE(lists.size() == 1);
    CHECK(lists[0].param("all") == "1");
    CHECK_THAT(lists[0].param("filters"), Catch::Contains("backupctl.restored-from=shop-db"));

    auto removed = run_task(f.ioc, copies.remove(c));
    CHECK(removed);
    const auto deletes = f.requests("DELETE", "/containers/c1");
    REQUIRE(deletes.size() == 1);
    CHECK(deletes[0].param("force") == "1");
    CHECK(deletes[0].param("v") == "1");
    bk::domain::RestoredCopy gone;
    gone.container_id = "gone";
    CHECK(run_task(f.ioc, copies.remove(gone)));  // removed meanwhile: nothing left to do
}

TEST_CASE("a drill session runs with no network and none of the target's credentials",
          "[restorer][security][kinds]") {
    Fixture f;
    f.serve_clients();
    // The target's inspect would hand out its password and address: a session needs neither.
    f.dockerd.route("GET", "/containers/[^/]+/json", [](const FakeRequest&) {
        nlohmann::json j = {
            {"Id", "cccc"},
            {"Name", "/cache-1"},
            {"Image", "sha256:c0c0"},
            {"Config", {{"Image", "redis:7"}, {"Env", {"REDIS_PASSWORD=cache-secret"}}}},
            {"State", {{"Status", "running"}, {"Running", true}}},
            {"HostConfig", {{"NetworkMode", "c_net"}}},
            {"NetworkSettings", {{"Networks", {{"c_net", {{"IPAddress", "10.9.0.9"}}}}}}}};
        return FakeReply::json(j.dump());
    });
    bk::domain::Target cache;
    cache.name = "shop-cache";
    cache.container_id = "cccc";
    cache.container_name = "cache-1";
    cache.image = "redis:7";
    cache.network = "c_net";
    cache.database = bk::testing::database("redis");

    auto run = [&]() -> dockerapi::Task<std::string> {
        auto scratch = co_await f.restorer.clone(cache, true, "run9");
        if (!scratch)
            co_return "clone: " + scratch.error().message;
        auto load = co_await f.restorer.open_load(*scratch, "all", "run9");
        if (!load)
            co_return "open_load: " + load.error().message;
        co_await (*load)->finish();  // the fake prints no counts: the outcome is not the point
        co_await f.restorer.discard(*scratch);
        co_return std::string{};
    };
    const std::string failed = run_task(f.ioc, run());
    CHECK(failed.empty());

    const auto creates = f.requests("POST", "/containers/create");
    REQUIRE(creates.size() == 1);
    INFO(creates[0].body);
    const auto spec = nlohmann::json::parse(creates[0].body);
    CHECK(spec["HostConfig"]["NetworkMode"] == "none");
    CHECK(creates[0].body.find("c_net") == std::string::npos);
    CHECK(creates[0].body.find("10.9.0.9") == std::string::npos);
    CHECK(f.requests("PUT", "/containers/client1/archive").empty());  // no password file
    CHECK(f.requests("GET", "/containers/cccc/json").empty());
}
