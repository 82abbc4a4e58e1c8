#include "adapters/gpg/gpg_keys.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "adapters/gpg/gpg_pipe.hpp"
#include "adapters/process/child_process.hpp"

namespace bk::adapters::gpg {

using process::Completed;
using process::minimal_environment;
using process::run_command;
using process::SpawnOptions;

namespace {
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == ':') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}
}  // namespace

KeyStatus parse_gpg_colons(const std::string& colons, std::int64_t now) {
    KeyStatus k;
    std::istringstream in(colons);
    std::string line;
    bool in_pub = false;
    bool have_pub = false;
    while (std::getline(in, line)) {
        const auto f = fields(line);
        if (f.empty())
            continue;
        if (f[0] == "pub") {
            if (have_pub)
                break;  // only the first key
            have_pub = in_pub = true;
            const std::string validity = f.size() > 1 ? f[1] : "";
            k.revoked = validity == "r";
            k.expired = validity == "e";
            if (f.size() > 6 && !f[6].empty())
                k.expires = std::atoll(f[6].c_str());
            if (k.expires > 0 && k.expires <= now)
                k.expired = true;
            // The primary key's field 12 sums up the whole key: 'E' = some usable subkey encrypts.
            if (f.size() > 11)
                k.can_encrypt = f[11].find('E') != std::string::npos;
        } else if (f[0] == "fpr" && in_pub && k.fingerprint.empty() && f.size() > 9) {
            k.fingerprint = f[9];
        }
    }
    return k;
}

std::vector<ListedKey> parse_key_listing(const std::string& colons) {
    std::vector<ListedKey> keys;
    std::istringstream in(colons);
    std::string line;
    while (std::getline(in, line)) {
        const auto f = fields(line);
        if (f.empty())
            continue;
        if (f[0] == "pub" || f[0] == "sec") {
            keys.emplace_back();
            keys.back().secret = f[0] == "sec";
        } else if (keys.empty()) {
            continue;
        } else if (f[0] == "fpr" && f.size() > 9 && !f[9].empty()) {
            if (keys.back().fingerprint.empty())
                keys.back().fingerprint = f[9];
            keys.back().fingerprints.push_back(f[9]);
        } else if (f[0] == "uid" && f.size() > 9) {
            // "Name (comment) <addr>" with ':' escaped as \x3a; a bare address is its own.
            std::string uid = f[9];
            for (auto at = uid.find("\\x3a"); at != std::string::npos; at = uid.find("\\x3a")) {
                uid.replace(at, 4, ":");
            }
            const auto lt = uid.rfind('<');
            const auto gt = uid.rfind('>');
            std::string email = lt != std::string::npos && gt != std::string::npos && gt > lt
                                    ? uid.substr(lt + 1, gt - lt - 1)
                                    : uid;
            if (email.find('@') == std::string::npos)
                continue;
            for (auto& c : email)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            keys.back().emails.push_back(email);
        }
    }
    return keys;
}

namespace {
// gpg --with-colons of one file, in an empty home of its own: show-only reads the key without
// touching any keyring, --no-autostart keeps a secret key from starting an agent.
Task<Result<Completed>> show_key_file(boost::asio::any_io_executor ex, std::string file) {
    auto home = GpgHome::create("/tmp/backupctl-gpg-");
    if (!home)
        co_return home.error();
    SpawnOptions o;
    o.argv = {"gpg",
              "--homedir",
              home->path(),
              "--batch",
              "--no-tty",
              "--no-autostart",
              "--with-colons",
              "--import-options",
              "show-only",
              "--import",
              file};
    o.env = minimal_environment();
    co_return co_await run_command(ex, std::move(o));
}

Task<Result<std::string>> list_key_file(boost::asio::any_io_executor ex, std::string file) {
    auto r = co_await show_key_file(ex, std::move(file));
    if (!r)
        co_return r.error();
    if (r->exit_code != 0)
        co_return Failure{errc::invalid_config, "not a key"};
    co_return std::move(r->out);
}

std::string upper_hex(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ' ')
            continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (out.starts_with("0X"))
        out.erase(0, 2);
    return out;
}
}  // namespace

Task<Result<RecipientKeys>> find_recipient_keys(boost::asio::any_io_executor ex,
                                                std::string dir,
                                                std::string recipient) {
    std::string wanted = recipient;
    if (wanted.size() > 2 && wanted.front() == '<' && wanted.back() == '>') {
        wanted = wanted.substr(1, wanted.size() - 2);
    }
    const bool by_email = wanted.find('@') != std::string::npos;
    if (by_email) {
        for (auto& c : wanted)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
        wanted = upper_hex(wanted);
        const bool hex = std::all_of(wanted.begin(), wanted.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) != 0;
        });
        if (!hex || (wanted.size() != 40 && wanted.size() != 16)) {
            co_return Failure{
                errc::invalid_config,
                "recipient \"" + recipient +
                    "\" is neither an e-mail address nor a "
                    "fingerprint (40 hex digits) or long key id (16): name the key in " +
                    dir + " by one of them, or give public_key_file"};
        }
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        co_return Failure{errc::invalid_config,
                          "no key for recipient " + recipient + ": the key directory " + dir +
                              " (GPG_KEYS_DIR) does not exist; mount the original's key "
                              "directory there, or set GPG_KEYS_DIR"};
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const auto ext = e.path().extension().string();
        if ((ext == ".gpg" || ext == ".pub" || ext == ".asc") && e.is_regular_file(ec)) {
            files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    std::map<std::string, std::string> public_by_fpr;  // fingerprint -> first file
    std::map<std::string, std::string> secret_by_fpr;
    std::string looked_at;
    for (const auto& file : files) {
        const std::string name = std::filesystem::path(file).filename().string();
        auto listing = co_await list_key_file(ex, file);
        looked_at += (looked_at.empty() ? "" : ", ") + name + (listing ? "" : " (not a key)");
        if (!listing)
            continue;
        for (const auto& key : parse_key_listing(*listing)) {
            bool match = false;
            if (by_email) {
                match = std::find(key.emails.begin(), key.emails.end(), wanted) != key.emails.end();
            } else {
                for (const auto& f : key.fingerprints) {
                    match = match || f == wanted || (wanted.size() == 16 && f.ends_with(wanted));
                }
            }
            if (!match || key.fingerprint.empty())
                continue;
            auto& into = key.secret ? secret_by_fpr : public_by_fpr;
            into.try_emplace(key.fingerprint, file);
        }
    }
    if (looked_at.empty())
        looked_at = "no *.gpg, *.pub or *.asc file";
    if (public_by_fpr.empty()) {
        co_return Failure{errc::invalid_config,
                          "no key for recipient " + recipient + " in " + dir +
                              " (looked at: " + looked_at + ")" +
                              (secret_by_fpr.empty() ? ""
                                                     : "; only its secret key is there: "
                                                       "export the public key next to it")};
    }
    if (public_by_fpr.size() > 1) {
        std::string which;
        for (const auto& [fpr, file] : public_by_fpr) {
            which += (which.empty() ? "" : ", ") + fpr + " (" +
                     std::filesystem::path(file).filename().string() + ")";
        }
        co_return Failure{errc::invalid_config,
                          "several keys for recipient " + recipient + " in " + dir + ": " + which +
                              "; name one by its fingerprint (looked at: " + looked_at + ")"};
    }
    RecipientKeys out;
    out.fingerprint = public_by_fpr.begin()->first;
    out.public_key_file = public_by_fpr.begin()->second;
    if (auto it = secret_by_fpr.find(out.fingerprint); it != secret_by_fpr.end()) {
        out.private_key_file = it->second;
    }
    co_return out;
}

Task<Result<KeyStatus>> inspect_public_key(boost::asio::any_io_executor ex, std::string file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        co_return Failure{errc::not_found, "no key file " + file};
    }
    auto r = co_await show_key_file(ex, file);
    if (!r)
        co_return r.error();
    if (r->exit_code != 0 || r->out.find("pub:") == std::string::npos) {
        auto err = r->err;
        while (!err.empty() && err.back() == '\n')
            err.pop_back();
        const auto nl = err.rfind('\n');
        co_return Failure{errc::invalid_config,
                          "gpg cannot read " + file + ": " +
                              (nl == std::string::npos ? err : err.substr(nl + 1))};
    }
    co_return parse_gpg_colons(r->out, static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace bk::adapters::gpg
