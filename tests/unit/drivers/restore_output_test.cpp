// What a restore into a new container tells its user: the copy's name, its network, and how to
// remove it (the copy keeps the app's network in use: `docker-compose down` fails until it is
// gone); and what `restore --cleanup` says it removed, kept or found nothing to do.
#include "drivers/cli/restore_output.hpp"

#include <catch2/catch.hpp>

using bk::drivers::cli::cleanup_json;
using bk::drivers::cli::cleanup_text;
using bk::drivers::cli::removal_commands;
using bk::drivers::cli::restore_json;
using bk::drivers::cli::restore_text;

namespace {

bk::app::RestoreReport made_copy() {
    bk::app::RestoreReport r;
    r.run_id = "20261201T100000-abc";
    r.target = "shop-db";
    r.status = bk::domain::RunStatus::success;
    r.seconds = 2.5;
    r.new_container = "shop-db-1-restored-20261201T100000";
    r.new_container_network = "shop_default";
    r.items.push_back({"db", "app", "0123abcd", bk::domain::StepOutcome::ok, 4096, 0.4, ""});
    return r;
}

}  // namespace

TEST_CASE("restore --new-container prints the copy, its network and how to remove it",
          "[cli][restore][cleanup]") {
    const auto text = restore_text(made_copy(), "");
    INFO(text);
    CHECK_THAT(text,
               Catch::Contains("new container: shop-db-1-restored-20261201T100000 on network "
                               "shop_default (left running)"));
    CHECK_THAT(text, Catch::Contains("keeps network shop_default in use"));
    CHECK_THAT(text, Catch::Contains("\n    backupctl restore --cleanup shop-db\n"));
    CHECK_THAT(text, Catch::Contains("or: docker rm -f -v shop-db-1-restored-20261201T100000\n"));
    CHECK_THAT(text,
               Catch::EndsWith("shop-db: restore success in 2.5 s, run 20261201T100000-abc\n"));

    const auto json = restore_json(made_copy(), "");
    CHECK(json["new_container"] == "shop-db-1-restored-20261201T100000");
    CHECK(json["new_container_network"] == "shop_default");
    REQUIRE(json["remove_with"].size() == 2);
    CHECK(json["remove_with"][0] == "backupctl restore --cleanup shop-db");
    CHECK(json["remove_with"][1] == "docker rm -f -v shop-db-1-restored-20261201T100000");
}

TEST_CASE("a failed restore into a new container says the copy is left for inspection",
          "[cli][restore][cleanup]") {
    auto r = made_copy();
    r.status = bk::domain::RunStatus::failed;
    r.error = "app: psql exited 3";
    const auto text = restore_text(r, "");
    CHECK_THAT(text, Catch::Contains("(left for inspection)"));
    CHECK_THAT(text, Catch::Contains("backupctl restore --cleanup shop-db"));
}

TEST_CASE("the cleanup command names the config it was given, quoted for a shell",
          "[cli][restore][cleanup]") {
    const auto plain = removal_commands("shop-db", "c1", "/etc/backupctl/other.yml");
    CHECK(plain[0] == "backupctl --config /etc/backupctl/other.yml restore --cleanup shop-db");
    const auto spaced = removal_commands("shop-db", "c1", "/tmp/my config's.yml");
    CHECK(spaced[0] == "backupctl --config '/tmp/my config'\\''s.yml' restore --cleanup shop-db");
}

TEST_CASE("a restore without a new container prints no removal hint", "[cli][restore][cleanup]") {
    auto r = made_copy();
    r.new_container.clear();
    r.new_container_network.clear();
    CHECK(restore_text(r, "").find("--cleanup") == std::string::npos);
    CHECK(restore_json(r, "")["remove_with"].empty());
}

TEST_CASE("restore --cleanup reports what it removed and kept, or that nothing was left",
          "[cli][restore][cleanup]") {
    CHECK(cleanup_text("shop-db", {}) ==
          "shop-db: nothing to clean up: no container restored from it is left\n");
    CHECK(cleanup_json("shop-db", {})["copies"].empty());

    bk::domain::RestoredCopy ours;
    ours.container_id = "c1";
    ours.name = "shop-db-1-restored-x";
    ours.run_id = "r1";
    ours.state = "running";
    ours.networks = {"shop_default"};
    ours.volumes = {"v1"};
    auto stranger = ours;
    stranger.name = "someone";
    std::vector<bk::app::CleanupOutcome> done{
        {ours, bk::app::CopyFate::removed, ""},
        {stranger, bk::app::CopyFate::kept, "no restore of shop-db"}};
    const auto text = cleanup_text("shop-db", done);
    INFO(text);
    CHECK_THAT(text,
               Catch::Contains("removed shop-db-1-restored-x (running, run r1), network "
                               "shop_default, volumes v1"));
    CHECK_THAT(text, Catch::Contains("kept someone"));
    CHECK_THAT(text, Catch::Contains("(if it is yours: docker rm -f -v someone)"));
    CHECK_THAT(text, Catch::Contains("shop-db: cleanup removed 1, kept 1, failed 0"));
    const auto json = cleanup_json("shop-db", done);
    REQUIRE(json["copies"].size() == 2);
    CHECK(json["copies"][0]["outcome"] == "removed");
    CHECK(json["copies"][0]["volumes"][0] == "v1");
    CHECK(json["copies"][1]["detail"] == "no restore of shop-db");
}
