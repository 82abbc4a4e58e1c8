#include "adapters/process/gpg_keys.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <vector>

#include "adapters/process/child_process.hpp"

namespace bk::adapters::process {

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
        if (f.empty()) continue;
        if (f[0] == "pub") {
            if (have_pub) break;  // only the first key
            have_pub = in_pub = true;
            const std::string validity = f.size() > 1 ? f[1] : "";
            k.revoked = validity == "r";
            k.expired = validity == "e";
            if (f.size() > 6 && !f[6].empty()) k.expires = std::atoll(f[6].c_str());
            if (k.expires > 0 && k.expires <= now) k.expired = true;
            // The primary key's field 12 sums up the whole key: 'E' = some usable subkey encrypts.
            if (f.size() > 11) k.can_encrypt = f[11].find('E') != std::string::npos;
        } else if (f[0] == "fpr" && in_pub && k.fingerprint.empty() && f.size() > 9) {
            k.fingerprint = f[9];
        }
    }
    return k;
}

Task<Result<KeyStatus>> inspect_public_key(boost::asio::any_io_executor ex, std::string file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        co_return Failure{errc::not_found, "no key file " + file};
    }
    // A home of its own: show-only reads the key without touching any keyring.
    char tmpl[] = "/tmp/backupctl-gpg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) co_return Failure{errc::io_error, "cannot create a gpg home"};
    const std::string home = tmpl;
    SpawnOptions o;
    o.argv = {"gpg", "--homedir", home, "--batch", "--no-tty", "--with-colons",
              "--import-options", "show-only", "--import", file};
    o.env = environment_with({});
    auto r = co_await run_command(ex, std::move(o));
    std::filesystem::remove_all(home, ec);
    if (!r) co_return r.error();
    if (r->exit_code != 0 || r->out.find("pub:") == std::string::npos) {
        auto err = r->err;
        while (!err.empty() && err.back() == '\n') err.pop_back();
        const auto nl = err.rfind('\n');
        co_return Failure{errc::invalid_config, "gpg cannot read " + file + ": " +
                                                    (nl == std::string::npos ? err : err.substr(nl + 1))};
    }
    co_return parse_gpg_colons(r->out, static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace bk::adapters::process
