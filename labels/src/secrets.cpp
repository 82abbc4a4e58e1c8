#include <algorithm>
#include <array>
#include <cctype>

#include "backupctl/labels/parse.hpp"

namespace bk::labels {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return out;
}

// A long run of token characters mixing upper case, lower case and digits: an API key, a
// generated password. Image digests (hex, lower case) and words do not qualify.
bool has_token_run(std::string_view v) {
    std::size_t i = 0;
    while (i < v.size()) {
        std::size_t j = i;
        bool up = false;
        bool low = false;
        bool digit = false;
        while (j < v.size()) {
            const auto c = static_cast<unsigned char>(v[j]);
            if (std::isupper(c) != 0) {
                up = true;
            } else if (std::islower(c) != 0) {
                low = true;
            } else if (std::isdigit(c) != 0) {
                digit = true;
            } else if (c != '+' && c != '/' && c != '=' && c != '_' && c != '-') {
                break;
            }
            ++j;
        }
        if (j - i >= 24 && up && low && digit) {
            return true;
        }
        i = j + 1;
    }
    return false;
}

// scheme://user:password@host: a colon and an '@' in the authority part after "://".
bool url_with_password(std::string_view v) {
    std::size_t pos = 0;
    while ((pos = v.find("://", pos)) != std::string_view::npos) {
        const std::size_t start = pos + 3;
        const std::size_t end = v.find_first_of("/ \t", start);
        const std::string_view authority =
            v.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const auto at = authority.rfind('@');
        if (at != std::string_view::npos &&
            authority.substr(0, at).find(':') != std::string_view::npos) {
            return true;
        }
        pos = start;
    }
    return false;
}

}  // namespace

std::optional<std::string> secret_reason(std::string_view key, std::string_view value) {
    const std::string k = lower(key);
    if (k != "db.password-env") {
        for (const char* word : {"password",
                                 "passwd",
                                 "secret",
                                 "token",
                                 "apikey",
                                 "api-key",
                                 "api_key",
                                 "credential",
                                 "private-key"}) {
            if (k.find(word) != std::string::npos) {
                return std::string("a label named like a secret (") + word +
                       ") is refused: labels are readable by anyone who can list containers";
            }
        }
    }
    const std::string v = lower(value);
    if (url_with_password(v)) {
        return std::string("the value is a connection string with a password");
    }
    for (const char* marker : {"password=",
                               "passwd=",
                               "pwd=",
                               "token=",
                               "secret=",
                               "apikey=",
                               "api_key=",
                               "-----begin"}) {
        if (v.find(marker) != std::string::npos) {
            return std::string("the value holds a credential (") + marker + ")";
        }
    }
    for (const char* prefix : {"ghp_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "sk-", "akia"}) {
        if (v.starts_with(prefix) && value.size() >= 16) {
            return std::string("the value looks like an access token");
        }
    }
    if (has_token_run(value)) {
        return std::string("the value looks like a generated secret (a long random token)");
    }
    return std::nullopt;
}

}  // namespace bk::labels
