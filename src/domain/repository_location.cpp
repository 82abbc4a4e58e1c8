#include "domain/repository_location.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace bk::domain {

namespace {

bool ends_authority(char c) {
    return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == ')' || c == ',' ||
           c == ';';
}

bool valid_port(std::string_view text, int& port) {
    int v = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc{} || ptr != end || v < 1 || v > 65535)
        return false;
    port = v;
    return true;
}

// host[:port] or [v6][:port]
bool split_host_port(std::string_view hp, std::string& host, int& port) {
    if (hp.starts_with('[')) {
        const auto close = hp.find(']');
        if (close == std::string_view::npos)
            return false;
        host = std::string(hp.substr(1, close - 1));
        const auto rest = hp.substr(close + 1);
        if (rest.empty())
            return !host.empty();
        return rest.front() == ':' && valid_port(rest.substr(1), port) && !host.empty();
    }
    const auto colon = hp.rfind(':');
    if (colon == std::string_view::npos) {
        host = std::string(hp);
        return !host.empty();
    }
    host = std::string(hp.substr(0, colon));
    return !host.empty() && valid_port(hp.substr(colon + 1), port);
}

}  // namespace

std::string local_repository_path(std::string_view url) {
    // restic's backends (internal/location): anything else is a path.
    static constexpr std::array<std::string_view, 8> kRemote{
        "sftp:", "s3:", "rest:", "b2:", "azure:", "gs:", "swift:", "rclone:"};
    if (std::any_of(kRemote.begin(), kRemote.end(), [url](std::string_view s) {
            return url.starts_with(s);
        }))
        return {};
    if (url.starts_with("local:"))
        url.remove_prefix(6);
    if (!url.starts_with('/'))
        return {};
    std::string path(url);
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

std::string mask_url(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto scheme_end = text.find("://", pos);
        if (scheme_end == std::string_view::npos)
            break;
        const std::size_t start = scheme_end + 3;
        std::size_t end = start;
        while (end < text.size() && !ends_authority(text[end]))
            ++end;
        const auto authority = text.substr(start, end - start);
        const auto at = authority.rfind('@');
        out.append(text.substr(pos, start - pos));
        if (at == std::string_view::npos) {
            out.append(authority);
        } else {
            const auto userinfo = authority.substr(0, at);
            const auto colon = userinfo.find(':');
            if (colon == std::string_view::npos) {
                out.append("***");
            } else {
                out.append(userinfo.substr(0, colon));
                out.append(":***");
            }
            out.append(authority.substr(at));
        }
        pos = end;
    }
    out.append(text.substr(std::min(pos, text.size())));
    return out;
}

Parsed<SftpLocation> parse_sftp_url(std::string_view url) {
    using P = Parsed<SftpLocation>;
    if (!url.starts_with("sftp:"))
        return P::fail("is not an sftp: URL");
    auto rest = url.substr(5);
    SftpLocation loc;
    if (rest.starts_with("//")) {
        // sftp://[user@]host[:port]/path
        rest.remove_prefix(2);
        const auto slash = rest.find('/');
        auto authority = rest.substr(0, slash);
        loc.path =
            slash == std::string_view::npos ? std::string{} : std::string(rest.substr(slash));
        if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
            loc.user = std::string(authority.substr(0, at));
            authority.remove_prefix(at + 1);
        }
        if (!split_host_port(authority, loc.host, loc.port)) {
            return P::fail("has no valid host[:port] in \"sftp://" + std::string(authority) + "\"");
        }
    } else {
        // sftp:[user@]host:path
        std::string_view hp = rest;
        if (const auto at = hp.find('@'); at != std::string_view::npos && at < hp.find(':')) {
            loc.user = std::string(hp.substr(0, at));
            hp.remove_prefix(at + 1);
        }
        std::size_t colon = 0;
        if (hp.starts_with('[')) {
            const auto close = hp.find(']');
            if (close == std::string_view::npos)
                return P::fail("has an unclosed [ in its host");
            loc.host = std::string(hp.substr(1, close - 1));
            colon = close + 1;
            if (colon >= hp.size() || hp[colon] != ':')
                return P::fail("needs host:path");
        } else {
            colon = hp.find(':');
            if (colon == std::string_view::npos)
                return P::fail("needs the form sftp:user@host:/path");
            loc.host = std::string(hp.substr(0, colon));
        }
        loc.path = std::string(hp.substr(colon + 1));
    }
    if (loc.host.empty())
        return P::fail("has no host");
    if (loc.path.empty())
        return P::fail("has no path");
    return P::ok(std::move(loc));
}

std::string unsafe_for_command_line(std::string_view value) {
    if (value.empty())
        return "is empty";
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            return "holds a control character";
        if (c == ' ')
            return "holds a space";
        if (c == '\'' || c == '"')
            return "holds a quote";
        if (c == '\\')
            return "holds a backslash";
    }
    return {};
}

Parsed<std::string> restic_command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& a : argv) {
        if (auto why = unsafe_for_command_line(a); !why.empty()) {
            return Parsed<std::string>::fail("\"" + a + "\" " + why);
        }
        line += (line.empty() ? "" : " ") + a;
    }
    return Parsed<std::string>::ok(std::move(line));
}

Parsed<std::vector<std::string>> ssh_command(const SftpLocation& location, const SshConfig& ssh) {
    using P = Parsed<std::vector<std::string>>;
    const std::string user = ssh.user.empty() ? location.user : ssh.user;
    const int port = ssh.port != 0 ? ssh.port : location.port != 0 ? location.port : 22;
    if (ssh.known_hosts_file.empty()) {
        return P::fail(
            "has no ssh.known_hosts_file: pin the server's host key with `ssh-keyscan -p " +
            std::to_string(port) + " " + location.host +
            " > FILE` and set ssh.known_hosts_file: FILE (or accept_new_host_key: true "
            "to trust the first key seen)");
    }
    auto check = [](const std::string& what, const std::string& v) -> std::string {
        if (auto why = unsafe_for_command_line(v); !why.empty()) {
            return what + " \"" + v + "\" " + why +
                   ": restic splits sftp.command at spaces and quotes, so it cannot be passed "
                   "safely; use a path without them";
        }
        if (v.starts_with('-'))
            return what + " \"" + v + "\" starts with '-'";
        return {};
    };
    for (const auto& [what, v] :
         {std::pair<std::string, std::string>{"ssh.known_hosts_file", ssh.known_hosts_file},
          {"the host", location.host}}) {
        if (auto e = check(what, v); !e.empty())
            return P::fail(e);
    }
    if (!ssh.key_file.empty()) {
        if (auto e = check("ssh.key_file", ssh.key_file); !e.empty())
            return P::fail(e);
    }
    if (!user.empty()) {
        if (auto e = check("the user", user); !e.empty())
            return P::fail(e);
    }
    std::vector<std::string> argv{
        "ssh",
        "-F",
        "none",
        "-o",
        "BatchMode=yes",
        "-o",
        std::string("StrictHostKeyChecking=") + (ssh.accept_new_host_key ? "accept-new" : "yes"),
        "-o",
        "UserKnownHostsFile=" + ssh.known_hosts_file,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=" + std::to_string(ssh.connect_timeout),
        // A server that dies mid-upload is noticed in 15 s, not at TCP's
        // retransmission timeout (minutes).
        "-o",
        "ServerAliveInterval=5",
        "-o",
        "ServerAliveCountMax=3"};
    if (!ssh.key_file.empty()) {
        argv.insert(argv.end(), {"-i", ssh.key_file, "-o", "IdentitiesOnly=yes"});
    }
    argv.insert(argv.end(), {"-p", std::to_string(port)});
    if (!user.empty())
        argv.insert(argv.end(), {"-l", user});
    argv.insert(argv.end(), {"-s", location.host, "sftp"});
    return P::ok(std::move(argv));
}

}  // namespace bk::domain
