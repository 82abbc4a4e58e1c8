#pragma once
// A gpg key pair for tests, made by the gpg CLI in a home of its own whose agent is stopped
// afterwards.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/shell.hpp"

namespace bk::testing {

/// A key pair without a passphrase for `uid`, exported to `<work>/key.pub` (armored) and
/// `<work>/key.sec`.
inline void make_gpg_key(const std::filesystem::path& work,
                         const std::string& uid = "Drill <drill@example.test>") {
    const auto home = work / "keyhome";
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    const std::string g = "gpg --homedir " + quoted(home.string()) + " --batch ";
    REQUIRE(sh(g + "--pinentry-mode loopback --passphrase '' --quick-gen-key " + quoted(uid) +
               " future-default default never >/dev/null 2>&1")
                .exit_code == 0);
    REQUIRE(sh(g + "--armor --export > " + quoted((work / "key.pub").string())).exit_code == 0);
    REQUIRE(sh(g + "--export-secret-keys > " + quoted((work / "key.sec").string())).exit_code == 0);
    sh("gpgconf --homedir " + quoted(home.string()) + " --kill gpg-agent >/dev/null 2>&1");
}

}  // namespace bk::testing
