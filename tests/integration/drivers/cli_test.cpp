// The command line as people type it: global options after the command, usage errors exit 2
// with their message (issue 17, item 11), and what is printed is text, never a terminal's
// control sequence (audit L9). Runs the built program; no engine needed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::testing::quoted;
using bk::testing::sh;

namespace {

std::string write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
    return path.string();
}

std::string program(const std::string& args) {
    return std::string(BK_BACKUPCTL) + " " + args + " 2>&1";
}

}  // namespace

TEST_CASE("global options are taken after the command as well as before it", "[cli]") {
    bk::testing::TempDir dir;
    const auto good =
        write(dir.path() / "good.yml",
              "scope: tenant-x\nstate_dir: " + (dir.path() / "state").string() + "\n");
    const auto bad = write(dir.path() / "bad.yml", "defaults:\n  cron: \"0 0 31 2 *\"\n");

    for (const auto& args : {"config show --config " + quoted(good),
                             "--config " + quoted(good) + " config show",
                             "config --config " + quoted(good) + " show --json",
                             "config show --json --config " + quoted(good) + " -v"}) {
        INFO(args);
        auto r = sh(program(args));
        INFO(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("tenant-x") != std::string::npos);
    }
    // The config is read (exit 3: invalid config, and which line), not "arguments were not
    // expected" (CLI11's 109).
    for (const auto& args : {"run shop --config " + quoted(bad),
                             "validate --config " + quoted(bad) + " -v",
                             "restore shop --config " + quoted(bad) + " --yes"}) {
        INFO(args);
        auto r = sh(program(args));
        INFO(r.out);
        CHECK(r.exit_code == 3);
        CHECK(r.out.find("bad.yml:2") != std::string::npos);
        CHECK(r.out.find("would never run") != std::string::npos);
    }
}

TEST_CASE("every usage error exits 2 with its message, help and version 0", "[cli]") {
    struct Case {
        std::string args;
        std::string says;
    };
    for (const auto& c :
         {Case{"run shop --bogus", "--bogus"},
          Case{"frobnicate", "frobnicate"},
          Case{"", "A subcommand is required"},
          Case{"run", "name a target, or --all"},
          Case{"snapshots", "target is required"},
          Case{"history --last 0", "--last"},
          Case{"history --status maybe", "--status"},
          Case{"restore shop --only everything", "--only takes db or files"},
          Case{"restore shop --new-container --into-container x", "exclude each other"},
          Case{"config show a b", "b"}}) {
        INFO(c.args);
        auto r = sh(program(c.args));
        INFO(r.out);
        CHECK(r.exit_code == 2);
        CHECK(r.out.find(c.says) != std::string::npos);
    }
    CHECK(sh(program("--help")).exit_code == 0);
    CHECK(sh(program("run --help")).exit_code == 0);
    CHECK(sh(program("--version")).exit_code == 0);
}

TEST_CASE("what the CLI prints shows control sequences instead of obeying them", "[cli]") {
    bk::testing::TempDir dir;
    const auto cfg = write(dir.path() / "c.yml",
                           "state_dir: " + (dir.path() / "state").string() +
                               "\nnotifiers:\n  mail: {type: email, to: a@b.test, from: o@b.test, "
                               "host: \"smtp\\e(0\\a.test\"}\n");
    for (const auto& args :
         {"config show --config " + quoted(cfg), "config show --json --config " + quoted(cfg)}) {
        INFO(args);
        auto r = sh(program(args));
        INFO(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find('\x1b') == std::string::npos);
        CHECK(r.out.find('\a') == std::string::npos);
        // plain in the YAML view (nothing to quote), escaped by the CLI; escaped by JSON itself
        CHECK(r.out.find("smtp\\u001b(0\\u0007.test") != std::string::npos);
    }
}
