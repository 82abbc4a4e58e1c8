// `backupctl discover --json` and `validate` against the real engine: labelled PostgreSQL and
// MariaDB containers with compose-style labels, one with a broken label; a recreated container
// keeps its target name.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>

#include "dockerapi/client.hpp"
#include "support/result_printing.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace dockerapi;  // NOLINT(google-build-using-namespace)
using bk::testing::run_task;
using bk::testing::test_image;
using nlohmann::json;

namespace {

struct CommandResult {
    int exit_code{-1};
    std::string out;
};

// Runs backupctl with fixed arguments (no user input reaches the command line).
CommandResult backupctl(const std::string& args) {
    const std::string cmd = std::string(BK_BACKUPCTL) + " " + args + " 2>/dev/null";
    CommandResult r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
        r.out.append(buf.data(), n);
    }
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

ContainerSpec db_spec(const std::string& image,
                      const std::string& project,
                      const std::string& service,
                      const std::string& tag,
                      std::map<std::string, std::string> extra,
                      std::vector<std::string> env) {
    ContainerSpec s;
    s.image = image;
    s.env = std::move(env);
    s.labels = {{"bk.test", tag},
                {"com.docker.compose.project", project},
                {"com.docker.compose.service", service},
                {"backupctl.enable", "true"}};
    for (auto& [k, v] : extra) {
        s.labels[k] = v;
    }
    s.network_mode = project + "_default";
    s.networks[project + "_default"] = {service};
    return s;
}

Task<std::string> start(Client& c, ContainerSpec spec, std::string name) {
    auto created = co_await c.create_container(spec, name);
    REQUIRE(created);
    auto started = co_await c.start_container(created->id);
    REQUIRE(started);
    co_return created->id;
}

Task<void> remove(Client& c, std::string id) {
    auto r = co_await c.remove_container(id, true, true);
    REQUIRE(r);
}

Task<void> sweep(Client& c, std::string tag, std::string network) {
    ListContainersOptions o;
    o.all = true;
    o.filters = {{"label", {"bk.test=" + tag}}};
    auto list = co_await c.list_containers(o);
    if (list) {
        for (const auto& ct : *list) {
            co_await c.remove_container(ct.id, true, true);
        }
    }
    co_await c.remove_network(network);
}

const json* find_by(const json& list, const char* key, const std::string& value) {
    for (const auto& item : list) {
        if (item.value(key, "") == value) {
            return &item;
        }
    }
    return nullptr;
}

Task<void> scenario(Client& c, std::string tag) {
    const std::string project = "bke2e-" + tag;
    NetworkSpec net;
    net.name = project + "_default";
    net.labels = {{"bk.test", tag}};
    auto made = co_await c.create_network(net);
    REQUIRE(made);

    const std::string pg_image = test_image("BK_TEST_POSTGRES_IMAGE");
    const std::string maria_image = test_image("BK_TEST_MARIADB_IMAGE");
    // The test images are named backupctl-test/postgres and backupctl-test/mariadb, so the type
    // is inferred from the image name as it would be for postgres:16 or mariadb:11.
    // Specs are built outside co_await: g++ 12 miscompiles initializer lists inside it.
    const auto pg_spec = db_spec(pg_image,
                                 project,
                                 "db",
                                 tag,
                                 {{"backupctl.db.name", "shop"}},
                                 {"POSTGRES_PASSWORD=e2e-secret-pg", "POSTGRES_DB=shop"});
    const auto maria_spec =
        db_spec(maria_image,
                project,
                "mariadb",
                tag,
                {{"backupctl.cron", "30 1 * * *"}, {"backupctl.retention", "last=5"}},
                {"MARIADB_ROOT_PASSWORD=e2e-secret-maria", "MARIADB_DATABASE=app"});
    const auto broken_spec =
        db_spec(pg_image,
                project,
                "broken",
                tag,
                {{"backupctl.crom", "0 3 * * *"}, {"backupctl.retention", "daily=seven"}},
                {"POSTGRES_PASSWORD=e2e-secret-broken"});
    auto pg_id = co_await start(c, pg_spec, project + "-db-1");
    auto maria_id = co_await start(c, maria_spec, project + "-mariadb-1");
    auto broken_id = co_await start(c, broken_spec, project + "-broken-1");

    bk::testing::TempDir dir;
    const auto cfg = (dir.path() / "config.yml").string();
    std::ofstream(cfg) << "defaults:\n  cron: '0 4 * * *'\n"
                          "repositories:\n  default: {url: "
                       << (dir.path() / "repo").string() << "}\n";

    auto r = backupctl("--config " + cfg + " discover --json");
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(r.out);

    const json* pg = find_by(j["targets"], "name", project + "-db");
    REQUIRE(pg != nullptr);
    CHECK((*pg)["source"] == "labels");
    CHECK((*pg)["container_id"] == pg_id);
    CHECK((*pg)["database"]["type"] == "postgres");
    CHECK((*pg)["database"]["names"] == json::array({"shop"}));
    CHECK((*pg)["database"]["dump_image"] == pg_image);
    CHECK((*pg)["network"] == project + "_default");
    CHECK((*pg)["cron"] == "0 4 * * *");  // the config's default
    CHECK((*pg)["retention"] == "last=3,daily=7,weekly=4,monthly=6");
    CHECK((*pg)["repository"] == "default");

    const json* maria = find_by(j["targets"], "name", project + "-mariadb");
    REQUIRE(maria != nullptr);
    CHECK((*maria)["database"]["type"] == "mariadb");
    CHECK((*maria)["database"]["names"] == "auto");
    CHECK((*maria)["cron"] == "30 1 * * *");
    CHECK((*maria)["retention"] == "last=5");

    CHECK(find_by(j["targets"], "name", project + "-broken") == nullptr);
    const json* broken = find_by(j["containers"], "container", project + "-broken-1");
    REQUIRE(broken != nullptr);
    CHECK((*broken)["container_id"] == broken_id);
    CHECK((*broken)["disposition"] == "invalid");
    REQUIRE((*broken)["problems"].size() == 2);
    const json* crom = find_by((*broken)["problems"], "label", "backupctl.crom");
    REQUIRE(crom != nullptr);
    CHECK((*crom)["suggestion"] == "did you mean backupctl.cron?");
    const json* ret = find_by((*broken)["problems"], "label", "backupctl.retention");
    REQUIRE(ret != nullptr);
    CHECK_THAT((*ret)["message"].get<std::string>(), Catch::Contains("is not a count"));
    // No secret of any container reaches the output.
    CHECK(r.out.find("e2e-secret") == std::string::npos);

    auto v = backupctl("--config " + cfg + " validate");
    CHECK(v.exit_code == 3);
    CHECK_THAT(v.out, Catch::Contains("container " + project + "-broken-1"));
    CHECK_THAT(v.out,
               Catch::Contains("backupctl.crom=\"0 3 * * *\": is not a backupctl label "
                               "(did you mean backupctl.cron?)"));

    // Recreate the PostgreSQL container as compose does: a new id, the same project/service.
    co_await remove(c, pg_id);
    auto new_id = co_await start(c, pg_spec, project + "-db-1");
    CHECK(new_id != pg_id);
    auto again = backupctl("--config " + cfg + " discover --json");
    REQUIRE(again.exit_code == 0);
    const json j2 = json::parse(again.out);
    const json* pg2 = find_by(j2["targets"], "name", project + "-db");
    REQUIRE(pg2 != nullptr);
    CHECK((*pg2)["container_id"] == new_id);

    auto shown = backupctl("--config " + cfg + " config show " + project + "-db --json");
    REQUIRE(shown.exit_code == 0);
    CHECK(json::parse(shown.out)["container_id"] == new_id);
    (void)maria_id;
    co_await sweep(c, tag, net.name);
}

}  // namespace

TEST_CASE("discover lists labelled postgres and mariadb targets and reports the broken one",
          "[e2e][discover][engine-alone]") {
    boost::asio::io_context ioc;
    auto address = docker_host_from_env();
    REQUIRE(address);
    ClientOptions o;
    o.address = *address;
    Client c(ioc.get_executor(), o);
    run_task(ioc, scenario(c, bk::testing::unique_suffix()), std::chrono::seconds(180));
}
