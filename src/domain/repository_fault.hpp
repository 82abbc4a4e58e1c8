#pragma once
// What went wrong with a restic repository, read from restic's own stderr (and the ssh lines it
// forwards as "subprocess ssh: ..."), said in one line: the repository, its masked URL, the
// cause and what to do. Pure: the samples in the unit tests are real restic 0.14 output.

#include <string>
#include <string_view>

namespace bk::domain {

enum class RepositoryFault {
    wrong_password,     ///< the repository password opens no key
    host_key_unknown,   ///< ssh: the server's key is not pinned
    host_key_changed,   ///< ssh: the pinned key differs from the server's
    auth_refused,       ///< ssh key / HTTP 401 / S3 keys refused
    unreachable,        ///< connection refused, no route, timed out, closed
    unresolved,         ///< the host name does not resolve
    tls_untrusted,      ///< the server's certificate is not trusted
    missing,            ///< no repository there (and init is off)
    missing_bucket,     ///< S3: the bucket does not exist
    permission_denied,  ///< the server refused to read or write the path
    disk_full,          ///< no space left on the server
    locked,             ///< another restic holds the repository
    append_only,        ///< the server refused a delete (append-only)
    other,
};

/// Where the text came from, for a fix that names the right host, port and file.
struct FaultContext {
    std::string host;  ///< sftp host, empty otherwise
    int port{0};
    std::string known_hosts_file;  ///< sftp: the pinned keys
    bool init{false};              ///< the repository may be created
};

struct RepositoryDiagnosis {
    RepositoryFault fault{RepositoryFault::other};
    std::string cause;  ///< short, in our words (or restic's line, condensed and masked)
    std::string fix;    ///< what to do; empty when there is nothing better to say
};

/// Reads restic's stderr (the whole tail, several lines).
RepositoryDiagnosis diagnose_restic(std::string_view stderr_text, const FaultContext& context = {});

/// "repository NAME (MASKED-URL): ACTION failed: CAUSE; FIX" on one line, credentials masked.
/// `action` is e.g. "opening", "backup", "forget"; it may be empty.
std::string describe_repository_fault(std::string_view name,
                                      std::string_view url,
                                      std::string_view action,
                                      const RepositoryDiagnosis& d);

/// One line of `text`: control characters become spaces, URLs are masked, at most `limit` bytes.
std::string condensed(std::string_view text, std::size_t limit = 240);

std::string_view to_string(RepositoryFault fault);

}  // namespace bk::domain
