// `backupctl unlock` through the lock adapter: a lock no live process holds is removed, a held
// one never, and a name cannot reach outside the lock directory.
#include "adapters/lock/file_locks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/bk_result_printing.hpp"
#include "support/test_env.hpp"

using bk::adapters::lock::FileLocks;
using State = bk::domain::StaleLockRemoval::State;

TEST_CASE("FileLocks::remove_stale removes only a lock no live process holds", "[locks]") {
    bk::testing::TempDir dir;
    const auto locks_dir = (dir.path() / "locks").string();
    FileLocks locks(locks_dir, "op-1");
    CHECK(locks.remove_stale("shop").state == State::not_locked);

    std::string holder;
    auto held = locks.try_lock("shop", "run-42", holder);
    REQUIRE(held);
    REQUIRE(*held);
    const auto found = locks.remove_stale("shop");
    CHECK(found.state == State::held);
    CHECK(found.holder.find("run=run-42") != std::string::npos);
    CHECK(std::filesystem::exists(locks_dir + "/shop.lock"));

    held->reset();  // the run ended; its file stays behind
    REQUIRE(std::filesystem::exists(locks_dir + "/shop.lock"));
    CHECK(locks.remove_stale("shop").state == State::removed);
    CHECK_FALSE(std::filesystem::exists(locks_dir + "/shop.lock"));

    // A new run locks again afterwards.
    auto again = locks.try_lock("shop", "run-43", holder);
    REQUIRE(again);
    CHECK(*again);
}

TEST_CASE("FileLocks::remove_stale refuses names outside its directory", "[locks]") {
    bk::testing::TempDir dir;
    std::filesystem::create_directories(dir.path() / "locks");
    { std::ofstream(dir.path() / "precious.lock") << "x"; }
    FileLocks locks((dir.path() / "locks").string(), "op-1");
    CHECK(locks.remove_stale("../precious").state == State::not_a_name);
    CHECK(locks.remove_stale("").state == State::not_a_name);
    CHECK(locks.remove_stale("..").state == State::not_a_name);
    CHECK(std::filesystem::exists(dir.path() / "precious.lock"));
}
