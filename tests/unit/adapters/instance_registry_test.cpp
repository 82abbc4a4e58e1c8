// Liveness of operator instances: one state directory's instances judge each other by their
// lock files; another operator on the same engine (another state directory) is never judged,
// so recovery never removes the dump containers of a live neighbour.
#include "adapters/lock/instance_registry.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "support/test_env.hpp"

using bk::adapters::lock::FileInstanceRegistry;
using bk::adapters::lock::new_instance_id;
using bk::adapters::lock::operator_id;

TEST_CASE("an operator id is made once per state directory and kept", "[instances]") {
    bk::testing::TempDir a;
    bk::testing::TempDir b;
    const auto id = operator_id(a.path().string());
    REQUIRE(id.size() == 8);
    CHECK(operator_id(a.path().string()) == id);
    CHECK(operator_id(b.path().string()) != id);
    const auto inst = new_instance_id(a.path().string());
    CHECK(inst.starts_with(id + "-"));
    CHECK(inst.size() == 8 + 1 + 16);
    CHECK(new_instance_id(a.path().string()) != inst);
}

TEST_CASE("instances of another state directory are never taken for dead", "[instances]") {
    bk::testing::TempDir here;
    bk::testing::TempDir there;
    const auto dir = (here.path() / "instances").string();
    FileInstanceRegistry self(dir, new_instance_id(here.path().string()));
    // A neighbour operator with its own state: its instance has no lock file here.
    const auto neighbour = new_instance_id(there.path().string());
    CHECK(self.alive(neighbour));
    // An instance of this state directory that died (its lock file left, nobody holds it).
    const auto dead = new_instance_id(here.path().string());
    std::ofstream(dir + "/" + dead + ".lock") << "pid=1\n";
    CHECK_FALSE(self.alive(dead));
    CHECK(self.dead() == std::vector<std::string>{dead});
    // One that exited cleanly removed its lock file: gone, its leftovers are ours to clean.
    const auto gone = new_instance_id(here.path().string());
    CHECK_FALSE(self.alive(gone));
    // A live one of this state directory (a CLI run beside the daemon).
    const auto live_id = new_instance_id(here.path().string());
    auto live = std::make_unique<FileInstanceRegistry>(dir, live_id);
    CHECK(self.alive(live_id));
    live.reset();
    CHECK_FALSE(self.alive(live_id));
    // Ids from before operator ids (16 hex, no '-') are judged by their lock file.
    CHECK_FALSE(self.alive("0123456789abcdef"));
}
