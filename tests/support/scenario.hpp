#pragma once
// One e2e scenario: a compose-like project (network, containers labelled as compose would),
// a config with a local restic repository under a temp dir, and the helpers the backup and
// daemon tests share. Everything made carries bk.test=<tag> and is removed at the end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/shell.hpp"
#include "support/test_env.hpp"

namespace bk::testing {

inline constexpr const char* kResticPassword = "e2e-restic-password";

class Scenario {
public:
    /// `scoped`: the config and every container started here share a scope of their own, so
    /// that a daemon sees only this test's targets.
    explicit Scenario(std::string extra_config = {}, bool scoped = false)
        : tag_(bk::testing::unique_suffix()), scoped_(scoped) {
        project_ = "bkrun-" + tag_;
        net_ = project_ + "_default";
        REQUIRE(bk::testing::sh("docker network create --label bk.test=" + tag_ + " " + net_ +
                                " >/dev/null")
                    .exit_code == 0);
        cfg_ = (dir_.path() / "config.yml").string();
        std::ofstream(cfg_) << "state_dir: " << (dir_.path() / "state").string() << "\n"
                            << "repositories:\n  default:\n    url: " << repo() << "\n"
                            << "    password: " << kResticPassword << "\n    init: true\n"
                            << "  other:\n    url: " << repo() << "-other\n"
                            << "    password: " << kResticPassword << "\n    init: true\n"
                            << (scoped ? "scope: s" + tag_ + "\n" : std::string{}) << extra_config;
    }
    ~Scenario() {
        bk::testing::sh("docker ps -aq --filter label=bk.test=" + tag_ +
                        " | xargs -r docker rm -f -v >/dev/null 2>&1");
        bk::testing::sh("docker network rm " + net_ + " >/dev/null 2>&1");
        bk::testing::sh("docker volume ls -q --filter label=bk.test=" + tag_ +
                        " | xargs -r docker volume rm >/dev/null 2>&1");
    }
    Scenario(const Scenario&) = delete;
    Scenario& operator=(const Scenario&) = delete;

    [[nodiscard]] std::string repo() const { return (dir_.path() / "repo").string(); }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
    [[nodiscard]] std::string target(const std::string& service) const {
        return project_ + "-" + service;
    }
    [[nodiscard]] std::string container(const std::string& service) const {
        return project_ + "-" + service + "-1";
    }
    [[nodiscard]] const std::string& tag() const { return tag_; }

    /// Starts a container of `service` with compose-style labels (`docker_args`: more options of
    /// docker run, e.g. a volume).
    void start(const std::string& service,
               const std::string& image,
               const std::vector<std::string>& labels,
               const std::vector<std::string>& env,
               const std::string& cmd = {},
               const std::string& docker_args = {}) {
        std::string c =
            "docker run -d " + docker_args + " --name " + container(service) + " --network " +
            net_ + " --network-alias " + service + " --label bk.test=" + tag_ +
            " --label com.docker.compose.project=" + project_ +
            " --label com.docker.compose.service=" + service + " --label backupctl.enable=true" +
            (scoped_ ? " --label backupctl.scope=s" + tag_ : std::string{});
        for (const auto& l : labels)
            c += " --label " + bk::testing::quoted(l);
        for (const auto& e : env)
            c += " -e " + bk::testing::quoted(e);
        c += " " + image + (cmd.empty() ? "" : " " + cmd) + " >/dev/null";
        REQUIRE(bk::testing::sh(c).exit_code == 0);
    }

    /// Waits (with a deadline) until `probe` succeeds inside the container.
    void wait_until(const std::string& service, const std::string& probe) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        while (
            bk::testing::sh("docker exec " + container(service) + " " + probe + " >/dev/null 2>&1")
                .exit_code != 0) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }

    [[nodiscard]] std::string config_path() const { return cfg_; }
    /// Replaces the config: the state dir stays, `yaml` is the rest (repositories, ...).
    void write_config(const std::string& yaml) const {
        std::ofstream(cfg_) << "state_dir: " << (dir_.path() / "state").string() << "\n"
                            << (scoped_ ? "scope: s" + tag_ + "\n" : std::string{}) << yaml;
    }
    [[nodiscard]] std::string scope() const { return "s" + tag_; }

    bk::testing::ShellResult backupctl(const std::string& args) const {
        return bk::testing::sh(std::string(BK_BACKUPCTL) + " --config " + cfg_ + " " + args +
                               " 2>&1");
    }

    [[nodiscard]] std::string restic_env() const {
        return "RESTIC_REPOSITORY=" + repo() + " RESTIC_PASSWORD=" + kResticPassword + " ";
    }

    int snapshot_count(const std::string& target_name) const {
        auto r = bk::testing::sh(
            restic_env() + "restic snapshots --json --tag target:" + target_name + " 2>/dev/null");
        if (r.exit_code != 0) {
            return 0;  // no repository yet: no snapshot
        }
        return static_cast<int>(nlohmann::json::parse(r.out).size());
    }

    /// Containers of ours (dump containers) still present for a target.
    int leftovers(const std::string& target_name) const {
        auto r = bk::testing::sh(
            "docker ps -aq --filter label=backupctl.ephemeral --filter "
            "label=backupctl.for-target=" +
            target_name + " | wc -l");
        return std::stoi(r.out);
    }

private:
    std::string tag_;
    bool scoped_{false};
    std::string project_;
    std::string net_;
    bk::testing::TempDir dir_;
    std::string cfg_;
};

}  // namespace bk::testing
