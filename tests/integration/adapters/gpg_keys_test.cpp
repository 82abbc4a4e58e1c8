// The original backupctl's GPG_KEYS_DIR: a recipient (an e-mail address or a fingerprint) found
// among real key files made by gpg, its secret key beside it for restore; no key, several keys,
// and a missing directory each said with the recipient, the directory and the files looked at.
#include "adapters/gpg/gpg_keys.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "support/bk_result_printing.hpp"
#include "support/run_task.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"

using bk::adapters::gpg::find_recipient_keys;
using bk::adapters::gpg::parse_key_listing;
using bk::adapters::gpg::RecipientKeys;
using bk::testing::quoted;
using bk::testing::run_task;
using bk::testing::sh;

namespace {

// A key pair made in a home of its own; returns its fingerprint. The agent gpg started is stopped.
std::string make_key(const std::filesystem::path& work, const std::string& uid) {
    const auto home = work / ("home-" + std::to_string(std::hash<std::string>{}(uid)));
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    const std::string g = "gpg --homedir " + quoted(home.string()) + " --batch ";
    REQUIRE(sh(g + "--pinentry-mode loopback --passphrase '' --quick-gen-key " + quoted(uid) +
               " future-default default never >/dev/null 2>&1")
                .exit_code == 0);
    auto fpr =
        sh(g + "--with-colons --list-keys 2>/dev/null | awk -F: '$1==\"fpr\"{print $10; exit}'");
    REQUIRE(fpr.exit_code == 0);
    REQUIRE(fpr.out.size() == 41);
    const auto dir = work / "keys";
    std::filesystem::create_directories(dir);
    const std::string name = fpr.out.substr(0, 8);
    REQUIRE(sh(g + "--armor --export > " + quoted((dir / (name + ".pub")).string())).exit_code ==
            0);
    REQUIRE(sh(g + "--export-secret-keys > " + quoted((dir / (name + "-secret.gpg")).string()))
                .exit_code == 0);
    sh("gpgconf --homedir " + quoted(home.string()) + " --kill gpg-agent >/dev/null 2>&1");
    return fpr.out.substr(0, 40);
}

bk::Result<RecipientKeys> find(const std::filesystem::path& dir, const std::string& recipient) {
    boost::asio::io_context ioc;
    return run_task(ioc, find_recipient_keys(ioc.get_executor(), dir.string(), recipient));
}

}  // namespace

TEST_CASE("GPG_KEYS_DIR: a recipient by e-mail or fingerprint, its secret key, none, several",
          "[gpg]") {
    bk::testing::TempDir work;
    const auto ops = make_key(work.path(), "Ops Team <Ops@Example.test>");
    const auto dir = work.path() / "keys";
    std::ofstream(dir / "README.asc") << "not a key\n";
    std::ofstream(dir / "notes.txt") << "not looked at\n";
    const std::string pub = (dir / (ops.substr(0, 8) + ".pub")).string();
    const std::string sec = (dir / (ops.substr(0, 8) + "-secret.gpg")).string();

    // By e-mail address (as gpg compares it: without regard to case).
    auto by_mail = find(dir, "ops@example.test");
    REQUIRE(by_mail);
    CHECK(by_mail->fingerprint == ops);
    CHECK(by_mail->public_key_file == pub);
    CHECK(by_mail->private_key_file == sec);  // for restore and drills
    CHECK(find(dir, "<OPS@example.test>")->fingerprint == ops);

    // By fingerprint, spaced or not, and by long key id.
    std::string spaced;
    for (std::size_t i = 0; i < ops.size(); i += 4)
        spaced += ops.substr(i, 4) + " ";
    auto by_fpr = find(dir, spaced);
    REQUIRE(by_fpr);
    CHECK(by_fpr->public_key_file == pub);
    auto by_id = find(dir, "0x" + ops.substr(24));
    REQUIRE(by_id);
    CHECK(by_id->fingerprint == ops);

    // No such key: the recipient, the directory and every file looked at.
    auto none = find(dir, "nobody@example.test");
    REQUIRE_FALSE(none);
    const auto files =
        ops.substr(0, 8) + "-secret.gpg, " + ops.substr(0, 8) + ".pub, README.asc (not a key)";
    CHECK(none.error().message == "no key for recipient nobody@example.test in " + dir.string() +
                                      " (looked at: " + files + ")");
    auto not_a_key = find(dir, "ops team");
    REQUIRE_FALSE(not_a_key);
    CHECK_THAT(
        not_a_key.error().message,
        Catch::StartsWith("recipient \"ops team\" is neither an e-mail address nor a fingerprint"));
    auto no_dir = find(work.path() / "absent", "ops@example.test");
    REQUIRE_FALSE(no_dir);
    CHECK_THAT(no_dir.error().message,
               Catch::Contains("the key directory " + (work.path() / "absent").string() +
                               " (GPG_KEYS_DIR) does not exist"));

    // Only the secret key: said so.
    const auto only_secret = work.path() / "only-secret";
    std::filesystem::create_directories(only_secret);
    std::filesystem::copy_file(sec, only_secret / "ops.gpg");
    auto secret_only = find(only_secret, "ops@example.test");
    REQUIRE_FALSE(secret_only);
    CHECK_THAT(secret_only.error().message,
               Catch::EndsWith("only its secret key is there: export the public key next to it"));

    // A second key with the same address: which one is meant?
    const auto other = make_key(work.path(), "Ops Again <ops@example.test>");
    auto several = find(dir, "ops@example.test");
    REQUIRE_FALSE(several);
    CHECK_THAT(
        several.error().message,
        Catch::StartsWith("several keys for recipient ops@example.test in " + dir.string() + ": "));
    CHECK_THAT(several.error().message,
               Catch::Contains(ops) && Catch::Contains(other) &&
                   Catch::Contains("name one by its fingerprint"));
    // The fingerprint settles it.
    auto settled = find(dir, other);
    REQUIRE(settled);
    CHECK(settled->public_key_file == (dir / (other.substr(0, 8) + ".pub")).string());
}

TEST_CASE("a key listing: every key of a file, its fingerprints and addresses", "[gpg]") {
    const std::string colons =
        "sec:-:255:22:87C163067770D5D3:1796581560:::-:::scESC:::#::ed25519:::0:\n"
        "fpr:::::::::BBE199E476222B2D69825D0087C163067770D5D3:\n"
        "uid:-::::1796581560::2FDF::Ops Team <Ops@Example.test>::::::::::0:\n"
        "uid:-::::1796581560::2FDE::backup\\x3aops@example.org::::::::::0:\n"
        "ssb:-:255:18:C324E9BE92FA65DE:1796581560::::::e:::#::cv25519::\n"
        "fpr:::::::::82E7AFE6ACB97242CB7F41D7C324E9BE92FA65DE:\n"
        "pub:-:255:22:1111111111111111:1796581560:::-:::scESC:::::ed25519:::0:\n"
        "fpr:::::::::2222222222222222222222221111111111111111:\n"
        "uid:-::::1796581560::2FDD::No Address::::::::::0:\n";
    const auto keys = parse_key_listing(colons);
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].secret);
    CHECK(keys[0].fingerprint == "BBE199E476222B2D69825D0087C163067770D5D3");
    CHECK(keys[0].fingerprints.size() == 2);
    CHECK(keys[0].emails == std::vector<std::string>{"ops@example.test", "backup:ops@example.org"});
    CHECK_FALSE(keys[1].secret);
    CHECK(keys[1].emails.empty());
}
