#include "domain/repository_fault.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <vector>

#include "domain/repository_location.hpp"

namespace bk::domain {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool has_any(const std::string& text, std::initializer_list<std::string_view> needles) {
    return std::any_of(needles.begin(), needles.end(), [&text](std::string_view n) {
        return text.find(n) != std::string::npos;
    });
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto nl = text.find('\n', start);
        auto line =
            text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.remove_suffix(1);
        if (!line.empty())
            out.push_back(line);
        if (nl == std::string_view::npos)
            break;
        start = nl + 1;
    }
    return out;
}

// restic's most telling line: the first "Fatal:" one, else the last line that is neither
// restic's "Is there a repository..." hint nor the URL it prints after it.
std::string restic_line(std::string_view text) {
    const auto lines = lines_of(text);
    for (auto l : lines) {
        // restic sometimes prints "Fatal: " right after another message, on the same line.
        if (const auto at = l.find("Fatal: "); at != std::string_view::npos) {
            return std::string(l.substr(at + 7));
        }
    }
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const auto l = *it;
        if (l.starts_with("Is there a repository") || l.find(':') == std::string_view::npos ||
            (l.find(' ') == std::string_view::npos && l.find(':') != std::string_view::npos &&
             l.find("://") != std::string_view::npos)) {
            continue;
        }
        return std::string(l);
    }
    return lines.empty() ? std::string{} : std::string(lines.back());
}

// The first line holding `needle` (lower-case match), from `needle`'s line start.
std::string line_containing(std::string_view text, std::string_view needle) {
    for (auto l : lines_of(text)) {
        if (lower(l).find(needle) != std::string::npos)
            return std::string(l);
    }
    return {};
}

std::string port_of(const FaultContext& c) {
    return std::to_string(c.port != 0 ? c.port : 22);
}

std::string known_hosts_of(const FaultContext& c) {
    return c.known_hosts_file.empty() ? "ssh.known_hosts_file" : c.known_hosts_file;
}

std::string host_of(const FaultContext& c) {
    return c.host.empty() ? "HOST" : c.host;
}

}  // namespace

std::string condensed(std::string_view text, std::size_t limit) {
    std::string one;
    one.reserve(std::min(text.size(), limit + 8));
    bool space = false;
    for (const char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f || ch == ' ') {
            space = !one.empty();
            continue;
        }
        if (space)
            one += ' ';
        space = false;
        one += ch;
    }
    one = mask_url(one);
    if (one.size() > limit) {
        one.resize(limit);
        one += "...";
    }
    return one;
}

std::string_view to_string(RepositoryFault fault) {
    switch (fault) {
        case RepositoryFault::wrong_password:
            return "wrong_password";
        case RepositoryFault::host_key_unknown:
            return "host_key_unknown";
        case RepositoryFault::host_key_changed:
            return "host_key_changed";
        case RepositoryFault::auth_refused:
            return "auth_refused";
        case RepositoryFault::unreachable:
            return "unreachable";
        case RepositoryFault::unresolved:
            return "unresolved";
        case RepositoryFault::tls_untrusted:
            return "tls_untrusted";
        case RepositoryFault::missing:
            return "missing";
        case RepositoryFault::missing_bucket:
            return "missing_bucket";
        case RepositoryFault::permission_denied:
            return "permission_denied";
        case RepositoryFault::disk_full:
            return "disk_full";
        case RepositoryFault::locked:
            return "locked";
        case RepositoryFault::append_only:
            return "append_only";
        case RepositoryFault::other:
            return "other";
    }
    return "other";
}

RepositoryDiagnosis diagnose_restic(std::string_view stderr_text, const FaultContext& c) {
    const std::string t = lower(stderr_text);
    using F = RepositoryFault;
    if (has_any(t, {"wrong password or no key found"})) {
        return {F::wrong_password,
                "wrong repository password (no key opens the repository)",
                "check the repository's password or password_file: it must be the password the "
                "repository was initialised with"};
    }
    if (has_any(t,
                {"remote host identification has changed",
                 "host key for",
                 "has changed and you have requested strict checking"}) &&
        !has_any(t,
                 {"no ed25519 host key is known",
                  "no ecdsa host key is known",
                  "no rsa host key is known"})) {
        return {
            F::host_key_changed,
            "the server's SSH host key has CHANGED from the one pinned in " + known_hosts_of(c) +
                " (a reinstalled server, or someone in between)",
            "verify the new key with the provider, then replace it: ssh-keygen -f " +
                known_hosts_of(c) + " -R " +
                (port_of(c) == "22" ? host_of(c) : "'[" + host_of(c) + "]:" + port_of(c) + "'") +
                " && ssh-keyscan -p " + port_of(c) + " " + host_of(c) + " >> " + known_hosts_of(c)};
    }
    if (has_any(t, {"host key verification failed", "host key is known for"})) {
        return {F::host_key_unknown,
                "the server's SSH host key is not pinned in " + known_hosts_of(c),
                "pin it: ssh-keyscan -p " + port_of(c) + " " + host_of(c) + " >> " +
                    known_hosts_of(c) +
                    " (compare the fingerprint with the provider's), or set "
                    "ssh.accept_new_host_key: true to trust the first key seen"};
    }
    if (has_any(t,
                {"permission denied (publickey",
                 "too many authentication failures",
                 "no supported authentication methods"})) {
        return {F::auth_refused,
                "the SSH server refused the key (Permission denied (publickey))",
                "check ssh.key_file and ssh.user, and that the key's .pub is in the server's "
                "authorized_keys"};
    }
    if (has_any(t,
                {"(401)",
                 "401 unauthorized",
                 "invalidaccesskeyid",
                 "signaturedoesnotmatch",
                 "the access key id you provided does not exist",
                 "access denied"})) {
        return {
            F::auth_refused,
            "the server refused the credentials (" + condensed(restic_line(stderr_text), 120) + ")",
            "check the user and password in the url (rest:) or the AWS_* keys (s3:)"};
    }
    if (has_any(t,
                {"x509:",
                 "certificate signed by unknown authority",
                 "certificate is not valid",
                 "tls: failed to verify"})) {
        return {F::tls_untrusted,
                "the server's TLS certificate is not trusted (" +
                    condensed(restic_line(stderr_text), 120) + ")",
                "set cacert: to the file of the CA that signed the server's certificate"};
    }
    if (has_any(t,
                {"could not resolve hostname",
                 "no such host",
                 "name or service not known",
                 "temporary failure in name resolution"})) {
        return {F::unresolved,
                "the server's host name does not resolve",
                "check the host in the url and the DNS of this machine"};
    }
    if (has_any(t, {"connection refused"})) {
        return {F::unreachable,
                "the server refused the connection (nothing listens on that port)",
                "check that the server runs and the host and port (ssh.port / the url) are right"};
    }
    if (has_any(t,
                {"no route to host",
                 "network is unreachable",
                 "i/o timeout",
                 "connection timed out",
                 "operation timed out",
                 "timeout, server",
                 "deadline exceeded"})) {
        return {F::unreachable,
                "the server did not answer (timed out / no route)",
                "check that the server runs, the host and port, and firewalls in between"};
    }
    if (has_any(t,
                {"no space left on device",
                 "disk quota exceeded",
                 "insufficient storage",
                 "(507)",
                 "quota exceeded",
                 "entitytoolarge"})) {
        return {F::disk_full,
                "the server's disk is full (no space left on device)",
                "free space or enlarge the storage, then run `backupctl prune` to drop data "
                "no snapshot needs"};
    }
    // SFTP has no "disk full" status: OpenSSH's sftp-server answers a failed write (ENOSPC,
    // EDQUOT) with the generic SSH_FX_FAILURE, and restic 0.14 retries it for minutes.
    if (has_any(t, {"write: sftp: \"failure\" (ssh_fx_failure)"})) {
        return {F::disk_full,
                "the server could not write (SFTP \"Failure\" on write: with OpenSSH a full disk "
                "or an exhausted quota)",
                "free space or enlarge the storage (check the quota), then run `backupctl prune` "
                "to drop data no snapshot needs"};
    }
    if (has_any(t, {"repository is already locked"})) {
        return {F::locked,
                "the repository is locked by another restic (" +
                    condensed(line_containing(stderr_text, "already locked"), 160) + ")",
                "wait for it to finish; a lock left by a crashed run is stale after 30 minutes, "
                "or remove it with `restic unlock` once you are sure nothing runs"};
    }
    if (has_any(t, {"403 forbidden", "(403)"}) &&
        has_any(t, {"remove(", "not removed", "delete"})) {
        return {F::append_only,
                "the server refused to delete (403 Forbidden): it is append-only",
                "set append_only: true on this repository so that retention is left to the "
                "server's owner, or give this client delete rights"};
    }
    if (has_any(t, {"the specified bucket does not exist", "nosuchbucket"})) {
        return {F::missing_bucket,
                "the S3 bucket does not exist",
                "create the bucket, or fix its name in the url"};
    }
    if (has_any(
            t, {"unable to open config file", "is there a repository at the following location"}) &&
        has_any(t,
                {"does not exist",
                 "no such file or directory",
                 "file does not exist",
                 "not found",
                 "(404)",
                 "nosuchkey"})) {
        return {F::missing,
                "there is no restic repository at this location",
                c.init ? "check the url's path: init could not create it"
                       : "check the url's path, or set init: true to create the repository"};
    }
    if (has_any(t,
                {"permission denied",
                 "ssh_fx_permission_denied",
                 "403 forbidden",
                 "(403)",
                 "read-only file system",
                 "operation not permitted"})) {
        return {F::permission_denied,
                "the server refused access to the repository path (" +
                    condensed(restic_line(stderr_text), 120) + ")",
                "check that the login may read and write the repository's directory"};
    }
    if (has_any(t,
                {"connection closed",
                 "connection reset",
                 "broken pipe",
                 "unable to start the sftp session",
                 "ssh command exited",
                 "connection lost",
                 "unexpected eof",
                 "eof"}) &&
        has_any(t, {"subprocess ssh", "sftp", "ssh:", "connection", "eof"})) {
        return {F::unreachable,
                "the connection to the server was lost (" +
                    condensed(restic_line(stderr_text), 120) + ")",
                "check that the server runs and is reachable; the next run starts over"};
    }
    const std::string line = restic_line(stderr_text);
    return {F::other,
            line.empty() ? std::string("restic failed without a message") : condensed(line),
            ""};
}

std::string describe_repository_fault(std::string_view name,
                                      std::string_view url,
                                      std::string_view action,
                                      const RepositoryDiagnosis& d) {
    std::string out = "repository " + std::string(name);
    if (!url.empty())
        out += " (" + mask_url(url) + ")";
    out += ": ";
    if (!action.empty())
        out += std::string(action) + " failed: ";
    out += d.cause;
    if (!d.fix.empty())
        out += "; " + d.fix;
    return condensed(out, 600);
}

}  // namespace bk::domain
