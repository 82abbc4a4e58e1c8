#pragma once
// An SFTP server like a storage box for e2e tests: Debian's sshd in a container of
// tests/images/sftp (key-only, a chrooted sftp-only user `bk`, a writable /data), on a loopback
// port chosen at run time; its host key pinned with ssh-keyscan. Labelled bk.test=<tag>.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"
#include "support/receivers.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

namespace bk::testing {

class SftpServer {
public:
    /// `tmpfs_bytes` > 0 mounts a tmpfs of that size at /small in the chroot (a full disk).
    SftpServer(const std::string& tag,
               const std::filesystem::path& dir,
               const std::string& name,
               std::size_t tmpfs_bytes = 0)
        : name_("bksftp-" + tag + "-" + name), port_(free_port()) {
        key_ = (dir / ("id_" + name)).string();
        REQUIRE(sh("ssh-keygen -q -t ed25519 -N '' -C e2e -f " + key_).exit_code == 0);
        const std::string pub = bk::testing::slurp(key_ + ".pub");
        std::string cmd = "docker run -d --name " + name_ + " --label bk.test=" + tag +
                          " -p 127.0.0.1:" + std::to_string(port_) +
                          ":22 -e SFTP_AUTHORIZED_KEY=" + quoted(pub.substr(0, pub.find('\n')));
        if (tmpfs_bytes > 0) {
            cmd += " --tmpfs /srv/chroot/small:rw,size=" + std::to_string(tmpfs_bytes);
        }
        cmd += " " + test_image("BK_TEST_SFTP_IMAGE") + " >/dev/null";
        REQUIRE(sh(cmd).exit_code == 0);
        wait_up();
    }

    void wait_up() const {
        INFO(sh("docker logs " + name_ + " 2>&1 | tail -5").out);
        REQUIRE(eventually([this] { return keyscan().find("ssh-ed25519") != std::string::npos; },
                           std::chrono::seconds(30)));
    }
    [[nodiscard]] std::string keyscan() const {
        return sh("ssh-keyscan -T 2 -t ed25519 -p " + std::to_string(port_) +
                  " 127.0.0.1 2>/dev/null")
            .out;
    }
    /// Writes the server's host key, as ssh-keyscan shows it, to `file`.
    void pin(const std::string& file) const { std::ofstream(file) << keyscan(); }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::string& key() const { return key_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    ShellResult exec(const std::string& command) const {
        return sh("docker exec " + name_ + " sh -c " + quoted(command) + " 2>&1");
    }
    /// The repository block for `path` in the chroot.
    [[nodiscard]] std::string repo_yaml(const std::string& repo,
                                        const std::string& path,
                                        const std::string& known_hosts,
                                        bool init = true,
                                        const std::string& password = "e2e-repo-Passw0rd") const {
        return "  " + repo + ":\n    url: sftp:bk@127.0.0.1:" + path +
               "\n    password: " + password + "\n    init: " + (init ? "true" : "false") +
               "\n    ssh: {key_file: " + key_ + ", port: " + std::to_string(port_) +
               ", known_hosts_file: " + known_hosts + ", connect_timeout: 5}\n";
    }

private:
    std::string name_;
    int port_;
    std::string key_;
};

}  // namespace bk::testing
