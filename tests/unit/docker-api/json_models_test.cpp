#include "json_models.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <sstream>

#include "support/result_printing.hpp"
#include "support/test_env.hpp"

using namespace dockerapi;          // NOLINT(google-build-using-namespace)
using namespace dockerapi::detail;  // NOLINT(google-build-using-namespace)
using bk::testing::read_fixture;

TEST_CASE("container list from the real daemon", "[models]") {
    auto list = parse_container_list(read_fixture("docker/v1.41/containers_list.json"));
    REQUIRE(list);
    REQUIRE(list->size() == 1);
    const auto& c = list->front();
    CHECK(c.id.size() == 64);
    CHECK(c.name() == "bk-fixture");
    CHECK(c.state == "running");
    CHECK(c.labels.at("backupctl.enable") == "true");
    CHECK(c.labels.at("com.docker.compose.service") == "db");
    REQUIRE(c.networks.count("bk-fixture-net") == 1);
    CHECK_FALSE(c.networks.at("bk-fixture-net").ip_address.empty());
    CHECK(c.networks.at("bk-fixture-net").aliases.empty());  // null in the list view
}

TEST_CASE("container inspect from the real daemon", "[models]") {
    auto c = parse_container_inspect(read_fixture("docker/v1.41/container_inspect.json"));
    REQUIRE(c);
    CHECK(c->name == "bk-fixture");
    CHECK(c->image.starts_with("backupctl-test/base:"));
    CHECK(c->image_id.starts_with("sha256:"));
    CHECK(c->state.running);
    CHECK(c->state.pid > 0);
    CHECK(c->log_driver == "none");
    CHECK(c->network_mode == "bk-fixture-net");
    CHECK(c->networks.at("bk-fixture-net").aliases.size() >= 1);  // filled by inspect
    CHECK(c->cmd == std::vector<std::string>{"sleep", "300"});
}

TEST_CASE("events keep their 19-digit timeNano exactly", "[models]") {
    std::istringstream in(read_fixture("docker/v1.41/events.ndjson"));
    std::string line;
    std::vector<Event> events;
    while (std::getline(in, line)) {
        auto e = parse_event(line);
        REQUIRE(e);
        events.push_back(*e);
    }
    REQUIRE(events.size() >= 6);
    CHECK(events.front().action == "create");
    CHECK(events.front().type == "container");
    CHECK(events.front().attributes.at("name") == "bk-fixture");
    CHECK(events.front().attributes.at("backupctl.enable") == "true");
    // The exact digits from the file, compared as text: a double would lose the last ones.
    const auto first = read_fixture("docker/v1.41/events.ndjson");
    const auto pos = first.find("\"timeNano\":") + 11;
    CHECK(std::to_string(events.front().time_nano) ==
          first.substr(pos, first.find('}', pos) - pos));
    bool saw_exec_start = false;
    for (const auto& e : events) {
        saw_exec_start = saw_exec_start || e.action.starts_with("exec_start: ");
        CHECK(e.time_nano / 1'000'000'000 == e.time);
    }
    CHECK(saw_exec_start);
    auto die = std::find_if(
        events.begin(), events.end(), [](const Event& e) { return e.action == "die"; });
    REQUIRE(die != events.end());
    CHECK(die->attributes.count("exitCode") == 1);
}

TEST_CASE("an event without timeNano and an absurd time saturates, never overflows", "[models]") {
    // Found by the json_models fuzz target (tests/fuzz/corpus/json_models/event_time_overflow):
    // time * 10^9 overflowed int64 (undefined behaviour).
    auto e = parse_event(R"({"Type":"container","Action":"create","time":17104224027469})");
    REQUIRE(e);
    CHECK(e->time_nano == std::numeric_limits<std::int64_t>::max() / 1'000'000'000 * 1'000'000'000);
    auto low = parse_event(R"({"Type":"container","time":-17104224027469})");
    REQUIRE(low);
    CHECK(low->time_nano < 0);
    auto plain = parse_event(R"({"Type":"container","time":1700000000})");
    REQUIRE(plain);
    CHECK(plain->time_nano == 1'700'000'000'000'000'000);
}

TEST_CASE("event time formatting for since/until", "[models]") {
    CHECK(format_event_time(1795704896313488203) == "1795704896.313488203");
    CHECK(format_event_time(1795704896000000007) == "1795704896.000000007");
    CHECK(format_event_time(0) == "0.000000000");
}

TEST_CASE("version, exec and network answers from the real daemon", "[models]") {
    auto v = parse_version(read_fixture("docker/v1.41/version.json"));
    REQUIRE(v);
    CHECK(v->api_version == "1.41");
    CHECK(v->min_api_version == "1.12");
    auto e = parse_exec_inspect(read_fixture("docker/v1.41/exec_inspect.json"));
    REQUIRE(e);
    CHECK_FALSE(e->running);
    CHECK(e->exit_code == 3);
    auto n = parse_network(read_fixture("docker/v1.41/network_inspect.json"));
    REQUIRE(n);
    CHECK(n->name == "bk-fixture-net");
    CHECK(n->labels.at("bk.fixture") == "1");
    CHECK(n->containers.size() == 1);
}

TEST_CASE("malformed bodies are malformed_body errors, not exceptions", "[models]") {
    for (const char* body : {"", "{", "[1,2", "null", "\"text\""}) {
        auto r = parse_container_list(body);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_body);
    }
    CHECK_FALSE(parse_container_inspect("{not json"));
    CHECK_FALSE(parse_wait(R"({"Error":null})"));
    CHECK_FALSE(parse_event("garbage"));
    // Wrong types inside an open schema fall back to defaults.
    auto odd = parse_container_inspect(R"({"Id":"x","State":{"Running":"yes","Pid":"7"}})");
    REQUIRE(odd);
    CHECK_FALSE(odd->state.running);
    CHECK(odd->state.pid == 0);
}

TEST_CASE("wait answers with and without an error", "[models]") {
    auto ok = parse_wait(R"({"Error":null,"StatusCode":7})");
    REQUIRE(ok);
    CHECK(ok->status_code == 7);
    CHECK(ok->error.empty());
    auto failed =
        parse_wait(R"({"Error":{"Message":"OCI runtime create failed"},"StatusCode":127})");
    REQUIRE(failed);
    CHECK(failed->status_code == 127);
    CHECK(failed->error == "OCI runtime create failed");
}

TEST_CASE("error messages from JSON and text bodies", "[models]") {
    CHECK(error_message_from_body(read_fixture("docker/v1.41/error_no_such_container.json")) ==
          "No such container: nonexistent-bk");
    CHECK(error_message_from_body("client version 1.11 is too old. Minimum supported API "
                                  "version is 1.12\n") ==
          "client version 1.11 is too old. Minimum supported API version is 1.12");
}

TEST_CASE("pull lines: progress and in-band errors", "[models]") {
    auto p =
        parse_pull_line(R"({"status":"Downloading","progressDetail":{"current":1},"id":"a6"})");
    REQUIRE(p);
    CHECK(p->status == "Downloading");
    auto e = parse_pull_line(
        R"({"errorDetail":{"message":"image config verification failed"},"error":"x"})");
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::stream_error);
    CHECK(e.error().message == "image config verification failed");
}

TEST_CASE("container spec serialisation", "[models]") {
    ContainerSpec spec;
    spec.image = "postgres:15";
    spec.cmd = {"pg_dump", "-d", "app"};
    spec.env = {"PGPASSFILE=/tmp/.pgpass"};
    spec.labels = {{"backupctl.ephemeral", "true"}};
    spec.network_mode = "appnet";
    spec.networks["appnet"] = {};
    auto j = nlohmann::json::parse(serialize(spec));
    CHECK(j["Image"] == "postgres:15");
    CHECK(j["Tty"] == false);
    CHECK(j["HostConfig"]["LogConfig"]["Type"] == "none");
    CHECK(j["HostConfig"]["AutoRemove"] == false);
    CHECK(j["HostConfig"]["NetworkMode"] == "appnet");
    CHECK(j["NetworkingConfig"]["EndpointsConfig"].contains("appnet"));
    CHECK(j["Labels"]["backupctl.ephemeral"] == "true");
    CHECK_FALSE(j.contains("Entrypoint"));

    auto f =
        nlohmann::json::parse(serialize(Filters{{"label", {"a=b", "c"}}, {"status", {"running"}}}));
    CHECK(f["label"] == nlohmann::json::array({"a=b", "c"}));
    CHECK(f["status"] == nlohmann::json::array({"running"}));
}
