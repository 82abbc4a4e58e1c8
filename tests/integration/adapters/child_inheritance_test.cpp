// What a child of the operator inherits: descriptors 0-2 (and 3 where a password travels on
// it) and a minimal environment, while the operator holds sockets (an asio listener, a socket
// pair, a file, none of them close-on-exec) and secrets in its environment. Each spawn path is
// probed: ChildProcess, run_blocking, restic (backup and its gpg), tar and the project hooks.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "adapters/process/child_process.hpp"
#include "adapters/process/local_files.hpp"
#include "adapters/process/shell_hook_runner.hpp"
#include "adapters/restic/restic_repository.hpp"
#include "support/bk_result_printing.hpp"
#include "support/process.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

namespace process = bk::adapters::process;
using bk::testing::run_task;

namespace {

// The probe: the shell's own descriptors (no pipeline, no saved redirection: nothing of its
// own), a separator, then its environment.
constexpr const char* kProbe = "ls /proc/$$/fd; echo --; env";

struct Seen {
    std::set<int> fds;
    std::set<std::string> env;  // KEY=VALUE
    [[nodiscard]] bool has_var(const std::string& name) const {
        for (const auto& kv : env) {
            if (kv.starts_with(name + "="))
                return true;
        }
        return false;
    }
};

Seen parse_probe(const std::string& text) {
    Seen s;
    std::istringstream in(text);
    std::string line;
    bool fds = true;
    while (std::getline(in, line)) {
        if (fds && line == "--") {
            fds = false;
        } else if (fds) {
            s.fds.insert(std::stoi(line));
        } else if (!line.empty()) {
            s.env.insert(line);
        }
    }
    return s;
}

/// What the operator holds while it spawns: an asio listener (asio does not set close-on-exec),
/// a socket pair and a file opened without O_CLOEXEC, and secrets in its environment.
struct Holdings {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor listener{
        ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
    int pair[2]{-1, -1};
    int file{-1};
    std::string old_path{::getenv("PATH") != nullptr ? ::getenv("PATH") : ""};

    Holdings() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
        file = ::open("/etc/hostname", O_RDONLY);
        REQUIRE(file >= 0);
        REQUIRE((::fcntl(listener.native_handle(), F_GETFD) & FD_CLOEXEC) == 0);
        ::setenv("BK_OTHER_REPO_SECRET", "hunter2", 1);
        ::setenv("SMTP_PASSWORD", "mail-secret", 1);
        ::setenv("RESTIC_COMPRESSION", "max", 1);  // a restic setting, no secret: passed on
        ::setenv("BK_HOOK_TOKEN", "for-the-hook", 1);
    }
    ~Holdings() {
        ::close(pair[0]);
        ::close(pair[1]);
        ::close(file);
        ::unsetenv("BK_OTHER_REPO_SECRET");
        ::unsetenv("SMTP_PASSWORD");
        ::unsetenv("RESTIC_COMPRESSION");
        ::unsetenv("BK_HOOK_TOKEN");
        ::setenv("PATH", old_path.c_str(), 1);
    }
    Holdings(const Holdings&) = delete;
    Holdings& operator=(const Holdings&) = delete;

    /// The highest descriptor the operator holds: a child that sees it inherited it.
    [[nodiscard]] int highest() const { return std::max({pair[0], pair[1], file, 3}); }
};

void check_no_secrets(const Seen& s) {
    CHECK_FALSE(s.has_var("BK_OTHER_REPO_SECRET"));
    CHECK_FALSE(s.has_var("SMTP_PASSWORD"));
    CHECK_FALSE(s.has_var("BK_HOOK_TOKEN"));
    CHECK(s.has_var("PATH"));
}

/// A program `name` in `bin` (put first on PATH) that writes the probe of itself to
/// bin/<name>-<its first argument>.probe, then runs `then` (no single quotes). The script execs
/// `sh -c` at once: dash keeps a script file open while it reads it (close-on-exec), and the
/// probe's subshell writes its file: neither is then one of the listed descriptors.
void fake_program(const std::filesystem::path& bin,
                  const std::string& name,
                  const std::string& then) {
    const auto file = bin / name;
    std::ofstream(file) << "#!/bin/sh\nexec /bin/sh -c '(exec > \"${0%/*}/" << name
                        << "-$1.probe\"; " << kProbe << "); " << then << "' \"$0\" \"$@\"\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_all);
}

Seen read_probe(const std::filesystem::path& file) {
    std::ifstream in(file);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_probe(ss.str());
}

}  // namespace

TEST_CASE("a child gets descriptors 0-3 and a minimal environment, nothing else of the operator",
          "[process][security]") {
    Holdings h;
    SECTION("ChildProcess with a password on descriptor 3") {
        process::SpawnOptions o;
        o.argv = {"/bin/sh", "-c", kProbe};
        o.env = process::minimal_environment({"RESTIC_PASSWORD_FILE=/dev/fd/3"});
        o.fd3_data = "pw";
        auto r = run_task(h.ioc, process::run_command(h.ioc.get_executor(), o));
        REQUIRE(r);
        REQUIRE(r->exit_code == 0);
        const auto s = parse_probe(r->out);
        CHECK(s.fds == std::set<int>{0, 1, 2, 3});
        CHECK(s.env.contains("RESTIC_PASSWORD_FILE=/dev/fd/3"));
        check_no_secrets(s);
    }
    SECTION("ChildProcess without descriptor 3") {
        process::SpawnOptions o;
        o.argv = {"/bin/sh", "-c", kProbe};
        o.env = process::minimal_environment();
        auto r = run_task(h.ioc, process::run_command(h.ioc.get_executor(), o));
        REQUIRE(r);
        CHECK(parse_probe(r->out).fds == std::set<int>{0, 1, 2});
    }
    SECTION("run_blocking (gpgconf --kill)") {
        bk::testing::TempDir work;
        const auto out = (work.path() / "probe").string();
        CHECK(process::run_blocking({"/bin/sh", "-c", "exec > " + out + "; " + kProbe},
                                    process::minimal_environment()) == 0);
        const auto s = read_probe(out);
        CHECK(s.fds == std::set<int>{0, 1, 2});
        check_no_secrets(s);
    }
}

TEST_CASE("restic gets only its repository's variables and gpg and tar none of them",
          "[process][security]") {
    Holdings h;
    bk::testing::TempDir work;
    const auto bin = work.path() / "bin";
    std::filesystem::create_directories(bin);
    // restic: `cat config` says the repository is there; `backup` takes stdin and reports.
    fake_program(bin,
                 "restic",
                 "if [ \"$1\" = backup ]; then cat > /dev/null; echo "
                 "\"{\\\"message_type\\\":\\\"summary\\\",\\\"snapshot_id\\\":\\\"f00d\\\"}\"; fi");
    fake_program(bin, "gpg", "exec cat");  // "encrypts" by copying
    fake_program(bin, "tar", "exec cat > /dev/null");
    ::setenv("PATH", (bin.string() + ":" + h.old_path).c_str(), 1);

    bk::domain::RepositoryConfig cfg;
    cfg.url = (work.path() / "repo").string();
    cfg.password = bk::domain::Secret("repo-password", "inline");
    cfg.env["AWS_ACCESS_KEY_ID"] = bk::domain::Secret("this-repos-key", "inline");
    bk::adapters::restic::ResticRepository repo(
        h.ioc.get_executor(), "probe", cfg, (work.path() / "state").string());
    auto ex = h.ioc.get_executor();
    auto task = [&]() -> bk::Task<bool> {
        auto prepared = co_await repo.prepare();  // restic cat config
        REQUIRE(prepared);
        bk::domain::WriterSpec spec;
        spec.file_name = "/probe/db.sql";
        spec.tags = {"target:probe"};
        spec.public_key_file = (work.path() / "unused.pub").string();
        auto writer = co_await repo.open_writer(spec);  // gpg | restic backup
        REQUIRE(writer);
        const std::string data = "SELECT 1;\n";
        auto w = co_await (*writer)->write(data);
        REQUIRE(w);
        auto committed = co_await (*writer)->commit();
        REQUIRE(committed);
        CHECK(committed->snapshot_id == "f00d");
        process::TarLocalFiles files(ex);
        auto load = co_await files.open_extract((work.path() / "files").string());
        REQUIRE(load);
        auto done = co_await (*load)->finish();
        REQUIRE(done);
        co_return true;
    };
    REQUIRE(run_task(h.ioc, task()));

    for (const auto* probe : {"restic-cat.probe", "restic-backup.probe"}) {
        INFO(probe);
        const auto s = read_probe(bin / probe);
        CHECK(s.fds == std::set<int>{0, 1, 2, 3});  // 3: the repository's password
        check_no_secrets(s);
        CHECK(s.env.contains("RESTIC_REPOSITORY=" + cfg.url));
        CHECK(s.env.contains("RESTIC_PASSWORD_FILE=/dev/fd/3"));
        CHECK(s.env.contains("AWS_ACCESS_KEY_ID=this-repos-key"));
        CHECK(s.env.contains("RESTIC_COMPRESSION=max"));
    }
    for (const auto* probe : {"gpg---homedir.probe", "tar--x.probe"}) {
        INFO(probe);
        const auto s = read_probe(bin / probe);
        CHECK(s.fds == std::set<int>{0, 1, 2});
        check_no_secrets(s);
        CHECK_FALSE(s.has_var("AWS_ACCESS_KEY_ID"));
        CHECK_FALSE(s.has_var("RESTIC_REPOSITORY"));
    }
}

TEST_CASE("a project hook gets a minimal environment plus the variables hooks.env names",
          "[process][hooks][security]") {
    Holdings h;
    process::ShellHookRunner runner(h.ioc.get_executor());
    bk::domain::Target t;
    t.name = "shop";
    t.source = bk::domain::Origin::config;
    t.hook_timeout = std::chrono::seconds(30);
    auto plain = run_task(h.ioc, runner.run(t, {"/bin/sh", "-c", kProbe}));
    REQUIRE(plain.exit_code == 0);
    auto s = parse_probe(plain.output_tail);
    CHECK(s.fds == std::set<int>{0, 1, 2});
    check_no_secrets(s);

    t.hook_env = {"BK_HOOK_TOKEN"};
    auto named = run_task(h.ioc, runner.run(t, {"/bin/sh", "-c", kProbe}));
    REQUIRE(named.exit_code == 0);
    s = parse_probe(named.output_tail);
    CHECK(s.env.contains("BK_HOOK_TOKEN=for-the-hook"));
    CHECK_FALSE(s.has_var("BK_OTHER_REPO_SECRET"));
    CHECK_FALSE(s.has_var("SMTP_PASSWORD"));
}
