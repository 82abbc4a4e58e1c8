// Against the real restic: a database name with a comma stays one tag (it cannot tag a snapshot
// as another target's), and a listing restic cuts or garbles is an error, never "no snapshot".
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapters/restic/restic_repository.hpp"
#include "domain/snapshot_tags.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

Task<Result<std::string>> write_one(domain::BackupRepository& repo, std::vector<std::string> tags) {
    domain::WriterSpec spec;
    spec.file_name = "t/db.sql";
    spec.tags = std::move(tags);
    auto writer = co_await repo.open_writer(spec);
    if (!writer)
        co_return writer.error();
    const std::string data = "-- dump\n";
    auto w = co_await (*writer)->write(std::span<const char>(data.data(), data.size()));
    if (!w)
        co_return w.error();
    auto done = co_await (*writer)->commit();
    if (!done)
        co_return done.error();
    co_return done->snapshot_id;
}

}  // namespace

TEST_CASE("a database name with a comma never adds a tag in restic", "[restic][tags]") {
    bk::testing::TempDir dir;
    domain::RepositoryConfig config;
    config.url = (dir.path() / "repo").string();
    config.password = domain::Secret("pw-for-tags-test", "test");
    config.init = true;
    std::filesystem::create_directories(dir.path() / "state");
    boost::asio::io_context ioc;
    adapters::restic::ResticRepository repo(
        ioc.get_executor(), "tags", config, (dir.path() / "state").string());
    auto prepared = bk::testing::run_task(ioc, repo.prepare());
    REQUIRE(prepared.has_value());
    const std::vector<std::string> tags{domain::snapshot_tag("target", "tenant"),
                                        "kind:db",
                                        domain::snapshot_tag("db", "x,target:shop-db")};
    auto id = bk::testing::run_task(ioc, write_one(repo, tags));
    REQUIRE(id.has_value());

    const std::vector<std::string> victim{"target:shop-db"};
    auto theirs = bk::testing::run_task(ioc, repo.snapshots(victim));
    REQUIRE(theirs.has_value());
    CHECK(theirs->empty());
    const std::vector<std::string> own{"target:tenant"};
    auto mine = bk::testing::run_task(ioc, repo.snapshots(own));
    REQUIRE(mine.has_value());
    REQUIRE(mine->size() == 1);
    CHECK(mine->front().tags.size() == 3);
    CHECK(domain::snapshot_tag_value(mine->front().tags, "db") == "x,target:shop-db");

    // A raw comma never reaches restic.
    const std::vector<std::string> raw{"target:tenant", "db:x,target:shop-db"};
    auto refused = bk::testing::run_task(ioc, write_one(repo, raw));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("comma") != std::string::npos);
}

TEST_CASE("a snapshot listing restic cut or garbled is an error, not an empty list",
          "[restic][tags]") {
    bk::testing::TempDir dir;
    // A restic that answers `snapshots` with 9 MiB (past what is read), or with no JSON.
    const auto bin = dir.path() / "bin";
    std::filesystem::create_directories(bin);
    {
        std::ofstream script(bin / "restic");
        script << "#!/bin/sh\n"
                  "for a in \"$@\"; do\n"
                  "  if [ \"$a\" = snapshots ]; then\n"
                  "    if [ -e \""
               << (dir.path() / "garbled").string()
               << "\" ]; then\n"
                  "      echo 'Fatal: not JSON'; exit 0\n"
                  "    fi\n"
                  "    printf '[' ; head -c 9437184 /dev/zero | tr '\\0' ' '; printf ']'; exit 0\n"
                  "  fi\n"
                  "done\n"
                  "exit 0\n";
    }
    std::filesystem::permissions(bin / "restic", std::filesystem::perms::owner_all);
    const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    ::setenv("PATH", (bin.string() + ":" + old_path).c_str(), 1);
    domain::RepositoryConfig config;
    config.url = (dir.path() / "repo").string();
    config.password = domain::Secret("pw", "test");
    boost::asio::io_context ioc;
    adapters::restic::ResticRepository repo(ioc.get_executor(), "cut", config, dir.path().string());
    const std::vector<std::string> tags{"target:shop-db"};
    auto cut = bk::testing::run_task(ioc, repo.snapshots(tags));
    std::ofstream(dir.path() / "garbled") << "1";
    auto garbled = bk::testing::run_task(ioc, repo.snapshots(tags));
    ::setenv("PATH", old_path.c_str(), 1);
    REQUIRE_FALSE(cut.has_value());
    CHECK(cut.error().message.find("longer than 8 MiB") != std::string::npos);
    REQUIRE_FALSE(garbled.has_value());
    CHECK(garbled.error().message.find("not a JSON list") != std::string::npos);
}
