// gpg beside another program (restic in production): what spawn_encrypting writes,
// spawn_decrypting reads back through a real key pair, and the temporary home (with the agent
// the secret key's import started) is gone afterwards, also when the key cannot be imported.
#include "adapters/gpg/gpg_pipe.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/bk_result_printing.hpp"
#include "support/run_task.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

namespace gpg = bk::adapters::gpg;
namespace process = bk::adapters::process;
using bk::Task;
using bk::testing::quoted;
using bk::testing::run_task;
using bk::testing::sh;

namespace {

struct KeyPair {
    std::string public_file;
    std::string secret_file;
};

KeyPair make_key(const std::filesystem::path& work) {
    const auto home = work / "keyhome";
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    const std::string g = "gpg --homedir " + quoted(home.string()) + " --batch ";
    REQUIRE(sh(g + "--pinentry-mode loopback --passphrase '' --quick-gen-key 'Pipe <p@x.test>' " +
               "future-default default never >/dev/null 2>&1")
                .exit_code == 0);
    KeyPair k{(work / "key.pub").string(), (work / "key-secret.gpg").string()};
    REQUIRE(sh(g + "--armor --export > " + quoted(k.public_file)).exit_code == 0);
    REQUIRE(sh(g + "--export-secret-keys > " + quoted(k.secret_file)).exit_code == 0);
    sh("gpgconf --homedir " + quoted(home.string()) + " --kill gpg-agent >/dev/null 2>&1");
    return k;
}

process::SpawnOptions command(std::vector<std::string> argv) {
    process::SpawnOptions o;
    o.argv = std::move(argv);
    o.env = process::minimal_environment();
    return o;
}

Task<int> encrypt(boost::asio::any_io_executor ex,
                  std::string key,
                  std::string out,
                  std::string text) {
    auto p = gpg::spawn_encrypting(ex, command({"sh", "-c", "cat > \"$0\"", out}), key);
    REQUIRE(p);
    REQUIRE(p->gpg);
    CHECK(std::filesystem::is_directory(p->home.path()));
    auto written = co_await p->gpg->write_stdin(text);
    CHECK(written);
    p->gpg->close_stdin();
    const int g = co_await p->gpg->wait();
    const int c = co_await p->other.wait();
    co_return g == 0 && c == 0 ? 0 : 1;
}

Task<std::string> decrypt(boost::asio::any_io_executor ex,
                          std::string prefix,
                          std::string key,
                          std::string in) {
    auto p = co_await gpg::spawn_decrypting(ex, command({"cat", in}), prefix, key, "");
    REQUIRE(p);
    REQUIRE(p->gpg);
    std::string got;
    std::array<char, 4096> buf{};
    for (;;) {
        const auto n = co_await p->gpg->read_some_stdout(buf);
        if (n == 0)
            break;
        got.append(buf.data(), n);
    }
    const int g = co_await p->gpg->wait();
    const int c = co_await p->other.wait();
    CHECK(g == 0);
    CHECK(c == 0);
    co_return got;
}

Task<bk::Result<gpg::GpgPipeline>> decrypt_with(boost::asio::any_io_executor ex,
                                                std::string prefix,
                                                std::string key) {
    co_return co_await gpg::spawn_decrypting(ex, command({"true"}), prefix, key, "");
}

bool empty_dir(const std::filesystem::path& dir) {
    return std::filesystem::is_empty(dir);
}

}  // namespace

TEST_CASE("gpg piped: encrypted by one pipeline, decrypted by the other, no home left", "[gpg]") {
    bk::testing::TempDir work;
    const auto key = make_key(work.path());
    const auto tmp = work.path() / "tmp";
    std::filesystem::create_directories(tmp);
    const auto sealed = (work.path() / "sealed.gpg").string();
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += "row " + std::to_string(i) + "\n";

    boost::asio::io_context ioc;
    CHECK(run_task(ioc, encrypt(ioc.get_executor(), key.public_file, sealed, text)) == 0);
    REQUIRE(std::filesystem::file_size(sealed) > 0);
    CHECK(sh("grep -c 'row 1999' " + quoted(sealed)).out.starts_with("0"));  // not plain text

    const auto prefix = (tmp / "gpg-").string();
    const auto got = run_task(ioc, decrypt(ioc.get_executor(), prefix, key.secret_file, sealed));
    CHECK(got == text);
    // The home (with the agent the import started) went with the pipeline.
    CHECK(empty_dir(tmp));
    CHECK(sh("pgrep -f " + quoted("gpg-agent --homedir " + tmp.string())).exit_code != 0);
}

TEST_CASE("gpg piped: a key gpg cannot import fails the read and leaves no home", "[gpg]") {
    bk::testing::TempDir work;
    const auto tmp = work.path() / "tmp";
    std::filesystem::create_directories(tmp);
    const auto bogus = (work.path() / "not-a-key.gpg").string();
    { std::ofstream(bogus) << "this is no key\n"; }
    boost::asio::io_context ioc;
    const auto prefix = (tmp / "gpg-").string();
    auto r = run_task(ioc, decrypt_with(ioc.get_executor(), prefix, bogus));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == bk::errc::encrypt_failed);
    CHECK(r.error().message.find("cannot import the private key " + bogus) == 0);
    CHECK(empty_dir(tmp));
}

TEST_CASE("gpg piped: without a key the program runs alone and no home is made", "[gpg]") {
    boost::asio::io_context ioc;
    auto p = gpg::spawn_encrypting(ioc.get_executor(), command({"true"}), "");
    REQUIRE(p);
    CHECK_FALSE(p->gpg);
    CHECK(p->home.path().empty());
}
