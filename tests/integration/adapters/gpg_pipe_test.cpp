// gpg beside another program (restic in production): what spawn_encrypting writes,
// spawn_decrypting reads back through a real key pair, and the temporary home (with the agent
// the secret key's import started) is gone afterwards, also when the key cannot be imported.
#include "adapters/gpg/gpg_pipe.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "support/bk_result_printing.hpp"
#include "support/gpg_key.hpp"
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
    auto consumer = command({"sh", "-c", "cat > \"$0\"", out});
    auto p = gpg::spawn_encrypting(ex, std::move(consumer), key);
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
    auto producer = command({"cat", in});
    const std::string no_passphrase;
    auto p = co_await gpg::spawn_decrypting(ex, std::move(producer), prefix, key, no_passphrase);
    REQUIRE(p);
    REQUIRE(p->gpg);
    std::string got;
    std::vector<char> buf(4096);
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

// The failure of a decrypting pipeline with `key`, or none.
Task<std::optional<bk::Failure>> decrypt_failure(boost::asio::any_io_executor ex,
                                                 std::string prefix,
                                                 std::string key) {
    auto producer = command({"true"});
    const std::string no_passphrase;
    auto p = co_await gpg::spawn_decrypting(ex, std::move(producer), prefix, key, no_passphrase);
    if (p)
        co_return std::nullopt;
    co_return p.error();
}

bool empty_dir(const std::filesystem::path& dir) {
    return std::filesystem::is_empty(dir);
}

}  // namespace

TEST_CASE("gpg piped: encrypted by one pipeline, decrypted by the other, no home left", "[gpg]") {
    bk::testing::TempDir work;
    bk::testing::make_gpg_key(work.path(), "Pipe <p@x.test>");
    const auto public_key = (work.path() / "key.pub").string();
    const auto secret_key = (work.path() / "key.sec").string();
    const auto tmp = work.path() / "tmp";
    std::filesystem::create_directories(tmp);
    const auto sealed = (work.path() / "sealed.gpg").string();
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += "row " + std::to_string(i) + "\n";

    boost::asio::io_context ioc;
    CHECK(run_task(ioc, encrypt(ioc.get_executor(), public_key, sealed, text)) == 0);
    REQUIRE(std::filesystem::file_size(sealed) > 0);
    CHECK(sh("grep -c 'row 1999' " + quoted(sealed)).out.starts_with("0"));  // not plain text

    const auto prefix = (tmp / "gpg-").string();
    const auto got = run_task(ioc, decrypt(ioc.get_executor(), prefix, secret_key, sealed));
    CHECK(got == text);
    // The home (with the agent the import started) went with the pipeline. ("[g]": the shell
    // running pgrep holds the pattern too.)
    CHECK(empty_dir(tmp));
    CHECK(sh("pgrep -f " + quoted("[g]pg-agent --homedir " + tmp.string())).exit_code != 0);
}

TEST_CASE("gpg piped: a key gpg cannot import fails the read and leaves no home", "[gpg]") {
    bk::testing::TempDir work;
    const auto tmp = work.path() / "tmp";
    std::filesystem::create_directories(tmp);
    const auto bogus = (work.path() / "not-a-key.gpg").string();
    { std::ofstream(bogus) << "this is no key\n"; }
    boost::asio::io_context ioc;
    const auto prefix = (tmp / "gpg-").string();
    const auto failure = run_task(ioc, decrypt_failure(ioc.get_executor(), prefix, bogus));
    REQUIRE(failure);
    CHECK(failure->code == bk::errc::encrypt_failed);
    CHECK(failure->message.find("cannot import the private key " + bogus) == 0);
    CHECK(empty_dir(tmp));
}

TEST_CASE("gpg piped: without a key the program runs alone and no home is made", "[gpg]") {
    boost::asio::io_context ioc;
    auto p = gpg::spawn_encrypting(ioc.get_executor(), command({"true"}), "");
    REQUIRE(p);
    CHECK_FALSE(p->gpg);
    CHECK(p->home.path().empty());
}
