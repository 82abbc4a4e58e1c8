// Against the real restic 0.14: ssh's reason for a session that never started (a changed host
// key) reaches the run's error even when restic exits before copying ssh's stderr.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapters/restic/restic_repository.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

TEST_CASE("ssh's reason is in the error although restic exits before it copies it",
          "[restic][sftp]") {
    bk::testing::TempDir dir;
    // An ssh that closes its output (restic sees the session end at once) and only then says
    // why, as a real ssh does when the server's answer comes late: restic 0.14 has exited by
    // then, so its own stderr never holds the reason.
    const auto bin = dir.path() / "bin";
    std::filesystem::create_directories(bin);
    {
        std::ofstream script(bin / "ssh");
        script << "#!/bin/sh\n"
                  "exec 1>&-\n"
                  "sleep 0.5\n"
                  "echo '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @' >&2\n"
                  "echo 'Host key for [127.0.0.1]:2222 has changed and you have requested "
                  "strict checking.' >&2\n"
                  "echo 'Host key verification failed.' >&2\n"
                  "exit 255\n";
    }
    std::filesystem::permissions(bin / "ssh", std::filesystem::perms::owner_all);
    const std::string old_path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
    ::setenv("PATH", (bin.string() + ":" + old_path).c_str(), 1);

    domain::RepositoryConfig config;
    config.url = "sftp:bk@127.0.0.1:/data/repo";
    config.password = domain::Secret("pw", "test");
    config.has_ssh = true;
    config.ssh.port = 2222;
    config.ssh.known_hosts_file = (dir.path() / "known_hosts").string();
    boost::asio::io_context ioc;
    adapters::restic::ResticRepository repo(ioc.get_executor(), "box", config, dir.path().string());
    auto opened = bk::testing::run_task(ioc, repo.prepare());
    ::setenv("PATH", old_path.c_str(), 1);
    REQUIRE_FALSE(opened.has_value());
    INFO(opened.error().message);
    CHECK(opened.error().message.find("host key has CHANGED") != std::string::npos);
    CHECK(opened.error().message.find("ssh-keygen -f " + config.ssh.known_hosts_file + " -R") !=
          std::string::npos);
}
