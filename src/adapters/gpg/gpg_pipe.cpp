#include "adapters/gpg/gpg_pipe.hpp"

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "domain/telling_line.hpp"
#include <fcntl.h>
#include <unistd.h>

namespace bk::adapters::gpg {

using process::ChildProcess;
using process::SpawnOptions;

Result<GpgHome> GpgHome::create(const std::string& prefix) {
    const auto parent = std::filesystem::path(prefix).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string path = prefix + "XXXXXX";
    if (::mkdtemp(path.data()) == nullptr)
        return Failure{errc::io_error, "cannot create a gpg home under " + parent.string()};
    return GpgHome(std::move(path));
}

GpgHome::GpgHome(GpgHome&& other) noexcept : path_(std::exchange(other.path_, {})) {}

GpgHome& GpgHome::operator=(GpgHome&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

GpgHome::~GpgHome() {
    remove();
}

void GpgHome::remove() {
    if (path_.empty())
        return;
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(path_) / "S.gpg-agent", ec)) {
        // The agent daemonized away from gpg: it is nobody's child but PID 1's (or a
        // subreaper's), which reaps it (process::reap_orphans) once it has exited.
        process::run_blocking({"gpgconf", "--homedir", path_, "--kill", "gpg-agent"},
                              process::minimal_environment());
    }
    std::filesystem::remove_all(path_, ec);
    path_.clear();
}

namespace {

std::vector<std::string> gpg_argv(const GpgHome& home) {
    return {"gpg", "--homedir", home.path(), "--batch", "--yes", "--no-tty", "--quiet"};
}

void add_passphrase(std::vector<std::string>& argv, const std::string& passphrase_file) {
    if (!passphrase_file.empty()) {
        argv.insert(argv.end(),
                    {"--pinentry-mode", "loopback", "--passphrase-file", passphrase_file});
    }
}

// `upstream`'s stdout becomes `downstream`'s stdin through a pipe only the two children hold.
Result<std::pair<ChildProcess, ChildProcess>> spawn_piped(boost::asio::any_io_executor ex,
                                                          SpawnOptions upstream,
                                                          SpawnOptions downstream) {
    int link[2];
    if (::pipe2(link, O_CLOEXEC) != 0)
        return Failure{errc::io_error, "pipe failed"};
    upstream.pipe_stdout = false;
    upstream.stdout_fd = link[1];
    downstream.pipe_stdin = false;
    downstream.stdin_fd = link[0];
    auto up = ChildProcess::spawn(ex, std::move(upstream));
    std::optional<Result<ChildProcess>> down;
    if (up)
        down = ChildProcess::spawn(ex, std::move(downstream));
    ::close(link[0]);
    ::close(link[1]);
    if (!up)
        return up.error();
    if (!*down)
        return down->error();
    return std::pair<ChildProcess, ChildProcess>(std::move(*up), std::move(**down));
}

}  // namespace

Result<GpgPipeline> spawn_encrypting(boost::asio::any_io_executor ex,
                                     SpawnOptions consumer,
                                     const std::string& recipient_file) {
    if (recipient_file.empty()) {
        auto alone = ChildProcess::spawn(ex, std::move(consumer));
        if (!alone)
            return alone.error();
        return GpgPipeline{GpgHome{}, std::move(*alone), std::nullopt};
    }
    auto home = GpgHome::create("/tmp/bk-gpg-");
    if (!home)
        return home.error();
    SpawnOptions g;
    g.argv = gpg_argv(*home);
    g.argv.insert(g.argv.end(),
                  {"--trust-model",
                   "always",
                   "--recipient-file",
                   recipient_file,
                   "--compress-algo",
                   "none",
                   "--encrypt"});
    g.env = process::minimal_environment();
    auto pair = spawn_piped(ex, std::move(g), std::move(consumer));
    if (!pair)
        return pair.error();
    return GpgPipeline{std::move(*home), std::move(pair->second), std::move(pair->first)};
}

Task<Result<GpgPipeline>> spawn_decrypting(boost::asio::any_io_executor ex,
                                           SpawnOptions producer,
                                           std::string home_prefix,
                                           std::string private_key_file,
                                           std::string passphrase_file) {
    if (private_key_file.empty()) {
        auto alone = ChildProcess::spawn(ex, std::move(producer));
        if (!alone)
            co_return alone.error();
        co_return GpgPipeline{GpgHome{}, std::move(*alone), std::nullopt};
    }
    auto home = GpgHome::create(home_prefix);
    if (!home)
        co_return home.error();
    SpawnOptions imp;
    imp.argv = gpg_argv(*home);
    add_passphrase(imp.argv, passphrase_file);
    imp.argv.insert(imp.argv.end(), {"--import", private_key_file});
    imp.env = process::minimal_environment();
    auto imported = co_await process::run_command(ex, std::move(imp));
    if (!imported || imported->exit_code != 0) {
        co_return Failure{
            errc::encrypt_failed,
            "cannot import the private key " + private_key_file + ": " +
                (imported ? domain::last_line(imported->err) : imported.error().message)};
    }
    SpawnOptions g;
    g.argv = gpg_argv(*home);
    add_passphrase(g.argv, passphrase_file);
    g.argv.push_back("--decrypt");
    g.env = process::minimal_environment();
    auto pair = spawn_piped(ex, std::move(producer), std::move(g));
    if (!pair)
        co_return pair.error();
    co_return GpgPipeline{std::move(*home), std::move(pair->first), std::move(pair->second)};
}

}  // namespace bk::adapters::gpg
