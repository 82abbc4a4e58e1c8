#pragma once
// Where a restic repository lives, as text that is safe to show, and how restic reaches an SFTP
// one: the ssh command line (restic's `-o sftp.command=`), built from typed options and never
// through a shell. Pure functions, no I/O.

#include <string>
#include <string_view>
#include <vector>

#include "domain/parsed.hpp"

namespace bk::domain {

/// `text` with the credentials of every URL in it hidden: `scheme://user:password@host` becomes
/// `scheme://user:***@host`, and a userinfo without a colon (a token: `https://TOKEN@host`)
/// becomes `***`. Repository URLs (`rest:http://u:p@h/`, `s3:https://...`) and whole messages
/// that quote them are both handled. scp-like `sftp:user@host:/path` carries no password and
/// stays as it is.
std::string mask_url(std::string_view text);

/// The directory of a repository restic keeps on this machine: `url` without a backend scheme
/// (restic reads a plain path as a local repository) or with `local:`, when that path is absolute.
/// Empty for a remote repository (sftp:, s3:, rest:, ...) and for a relative path. The image's
/// entrypoint gives these directories to the service user (`backupctl config local-paths`).
std::string local_repository_path(std::string_view url);

/// The parts of an `sftp:` repository URL: `sftp:user@host:/path` or
/// `sftp://user@host:port//path` (restic's two forms).
struct SftpLocation {
    std::string user;  ///< empty: ssh's default
    std::string host;
    int port{0};  ///< 0: not in the URL
    std::string path;
};
Parsed<SftpLocation> parse_sftp_url(std::string_view url);

/// The `ssh:` block of an sftp repository.
struct SshConfig {
    std::string key_file;             ///< -i, with IdentitiesOnly=yes
    int port{0};                      ///< 0: the URL's port, else 22
    std::string known_hosts_file;     ///< the pinned host keys (UserKnownHostsFile)
    bool accept_new_host_key{false};  ///< StrictHostKeyChecking=accept-new (trust on first use)
    std::string user;                 ///< overrides the URL's user
    int connect_timeout{15};          ///< seconds (ConnectTimeout)
};

/// The ssh argv restic starts for `location` (`ssh ... user@host -s sftp`). `known_hosts_file`
/// must be set (the caller puts a default under its state directory when accept_new_host_key is
/// on). Refuses values restic's command splitter could not pass through as one argument.
Parsed<std::vector<std::string>> ssh_command(const SftpLocation& location, const SshConfig& ssh);

/// `argv` as one string that restic 0.14 splits back into the same argv. restic's splitter
/// (internal/backend/sftp/split.go) separates at whitespace and backslashes and groups '...' and
/// "..."; ssh splits `-o Key=value` values at whitespace again. So an argument holding
/// whitespace, a quote, a backslash or a control character is refused rather than quoted.
Parsed<std::string> restic_command_line(const std::vector<std::string>& argv);

/// Why `value` cannot travel in restic's sftp.command, or empty when it can.
std::string unsafe_for_command_line(std::string_view value);

}  // namespace bk::domain
