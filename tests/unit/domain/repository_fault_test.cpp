// restic's stderr (0.14, captured from real servers on this machine: rclone serve restic, s3rver
// over HTTPS, Debian's sshd in a container) read into one line: cause and fix, credentials masked.
#include "domain/repository_fault.hpp"

#include <catch2/catch.hpp>

using bk::domain::describe_repository_fault;
using bk::domain::diagnose_restic;
using bk::domain::FaultContext;
using bk::domain::RepositoryFault;

namespace {

// REST (rclone serve restic --user u1 --pass p1secret)
const char* kRestMissing =
    "Fatal: unable to open config file: <config/> does not exist\n"
    "Is there a repository at the following location?\n"
    "rest:http://u1:***@127.0.0.1:51321/repo1/\n";
const char* kRestUnauthorized =
    "Fatal: unable to open config file: unexpected HTTP response (401): 401 Unauthorized\n"
    "Is there a repository at the following location?\n"
    "rest:http://u1:***@127.0.0.1:51321/repo1/\n";
const char* kRestRefused =
    "Fatal: unable to open config file: client.Head: Head "
    "\"http://u1:p1secret@127.0.0.1:1/repo1/config\": "
    "dial tcp 127.0.0.1:1: connect: connection refused\n"
    "Is there a repository at the following location?\n"
    "rest:http://u1:***@127.0.0.1:1/repo1/\n";
const char* kRestNoHost =
    "Fatal: unable to open config file: client.Head: Head "
    "\"http://u1:***@nohost.invalid:1/repo1/config\": "
    "dial tcp: lookup nohost.invalid on 10.255.255.53:53: no such host\n"
    "Is there a repository at the following location?\n"
    "rest:http://u1:***@nohost.invalid:1/repo1/\n";
const char* kWrongPassword = "Fatal: wrong password or no key found\n";
const char* kAppendOnlyForget =
    "Remove(<snapshot/1989da3759>) returned error, retrying after 4.506218855s: blob not removed, "
    "server response: 403 Forbidden (403)\n"
    "Remove(<snapshot/1989da3759>) returned error, retrying after 3.221479586s: blob not removed, "
    "server response: 403 Forbidden (403)\n";
// S3 (s3rver 3.7.1 over HTTPS)
const char* kS3NoCa =
    "Fatal: unable to open config file: Stat: Get \"https://127.0.0.1:60519/bkrepo/?location=\": "
    "x509: certificate signed by unknown authority\n"
    "Is there a repository at the following location?\n"
    "s3:https://127.0.0.1:60519/bkrepo/repo\n";
const char* kS3Missing =
    "Fatal: unable to open config file: Stat: The specified key does not exist.\n"
    "Is there a repository at the following location?\n"
    "s3:https://127.0.0.1:60519/bkrepo/repo\n";
const char* kS3NoBucket =
    "Fatal: unable to open config file: Stat: The specified bucket does not exist\n"
    "Is there a repository at the following location?\n"
    "s3:https://127.0.0.1:60519/nobucket/repo\n";
// SFTP (Debian's sshd, chrooted, key-only; restic forwards ssh's stderr as "subprocess ssh:")
const char* kSftpMissing =
    "Fatal: unable to open config file: Lstat: file does not exist\n"
    "Is there a repository at the following location?\nsftp:bk@127.0.0.1:/data/repo\n";
const char* kSftpReadOnly =
    "Fatal: create repository at sftp:bk@127.0.0.1:/readonly/repo failed: permission denied\n\n";
const char* kSftpUnknownKey =
    "subprocess ssh: No ED25519 host key is known for [127.0.0.1]:44959 and you have requested "
    "strict checking.\nsubprocess ssh: Host key verification failed.\n"
    "Fatal: unable to open repository at sftp:bk@127.0.0.1:/data/repo: unable to start the sftp "
    "session, error: EOF\n";
const char* kSftpChangedKey =
    "subprocess ssh: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
    "subprocess ssh: @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
    "subprocess ssh: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
    "subprocess ssh: IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
    "subprocess ssh: Offending ED25519 key in /tmp/bks/khc:1\n"
    "subprocess ssh:   remove with:\n"
    "subprocess ssh:   ssh-keygen -f \"/tmp/bks/khc\" -R \"[127.0.0.1]:44959\"\n"
    "subprocess ssh: Host key for [127.0.0.1]:44959 has changed and you have requested strict "
    "checking.\nsubprocess ssh: Host key verification failed.\n"
    "Fatal: unable to open repository at sftp:bk@127.0.0.1:/data/repo: unable to start the sftp "
    "session, error: EOF\n";
const char* kSftpBadKey =
    "subprocess ssh: bk@127.0.0.1: Permission denied (publickey).\n"
    "Fatal: unable to open repository at sftp:bk@127.0.0.1:/data/repo: unable to start the sftp "
    "session, error: read |0: file already closed\n";
const char* kSftpRefused =
    "subprocess ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused\n"
    "Fatal: unable to open repository at sftp:bk@127.0.0.1:/data/repo: unable to start the sftp "
    "session, error: EOF\n";
const char* kSftpFull =
    "Save(<lock/889f196c77>) returned error, retrying after 552.330144ms: Write: sftp: \"Failure\" "
    "(SSH_FX_FAILURE)\n";
const char* kSftpKilled =
    "Save(<data/5bf0559919>) returned error, retrying after 552.330144ms: Write: connection lost\n"
    "error while unlocking: ssh command exited: exit status 255Fatal: unable to save snapshot: ssh "
    "command exited: exit status 255\nerror in cleanup handler: ssh command exited: exit status "
    "255\n";
const char* kLocked =
    "unable to create lock in backend: repository is already locked by PID 20203 on vm by root "
    "(UID 0, GID 0)\nlock was created at 2026-11-26 14:43:48 (4.801931942s ago)\n"
    "storage ID f95072ae\nthe `unlock` command can be used to remove stale locks\n";

}  // namespace

TEST_CASE("a missing repository is told apart from an unreachable one", "[unit][repository]") {
    CHECK(diagnose_restic(kRestMissing).fault == RepositoryFault::missing);
    CHECK(diagnose_restic(kS3Missing).fault == RepositoryFault::missing);
    // "unable to open config file ... Is there a repository" also comes with these: never init.
    CHECK(diagnose_restic(kRestUnauthorized).fault == RepositoryFault::auth_refused);
    CHECK(diagnose_restic(kRestRefused).fault == RepositoryFault::unreachable);
    CHECK(diagnose_restic(kRestNoHost).fault == RepositoryFault::unresolved);
    CHECK(diagnose_restic(kS3NoCa).fault == RepositoryFault::tls_untrusted);
    CHECK(diagnose_restic(kS3NoBucket).fault == RepositoryFault::missing_bucket);
}

TEST_CASE("each diagnosis says what to do", "[unit][repository]") {
    auto missing = diagnose_restic(kRestMissing, FaultContext{.init = false});
    CHECK_THAT(missing.fix, Catch::Contains("init: true"));
    CHECK_THAT(diagnose_restic(kWrongPassword).fix, Catch::Contains("password_file"));
    CHECK(diagnose_restic(kWrongPassword).fault == RepositoryFault::wrong_password);
    CHECK_THAT(diagnose_restic(kS3NoCa).fix, Catch::Contains("cacert"));
    auto ao = diagnose_restic(kAppendOnlyForget);
    CHECK(ao.fault == RepositoryFault::append_only);
    CHECK_THAT(ao.fix, Catch::Contains("append_only: true"));
    auto locked = diagnose_restic(kLocked);
    CHECK(locked.fault == RepositoryFault::locked);
    CHECK_THAT(locked.cause, Catch::Contains("PID 20203"));
    CHECK_THAT(diagnose_restic(kRestRefused).fix, Catch::Contains("port"));
}

TEST_CASE("the one-line message names the repository, masks the url and keeps one line",
          "[unit][repository]") {
    const auto line = describe_repository_fault("offsite",
                                                "rest:http://u1:p1secret@127.0.0.1:1/repo1/",
                                                "opening",
                                                diagnose_restic(kRestRefused));
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find("p1secret") == std::string::npos);
    CHECK_THAT(line,
               Catch::StartsWith("repository offsite (rest:http://u1:***@127.0.0.1:1/repo1/): "
                                 "opening failed: the server refused the connection"));
}

TEST_CASE("an unknown error keeps restic's own line, condensed and masked", "[unit][repository]") {
    auto d = diagnose_restic(
        "some progress\nFatal: something odd at rest:http://a:b@h/ happened\nIs there a repository "
        "at the following location?\nrest:http://a:***@h/\n");
    CHECK(d.fault == RepositoryFault::other);
    CHECK(d.cause == "something odd at rest:http://a:***@h/ happened");
    CHECK(diagnose_restic("").cause == "restic failed without a message");
    const std::string longer(2000, 'x');
    CHECK(diagnose_restic("Fatal: " + longer).cause.size() < 300);
}

TEST_CASE("sftp: restic's and ssh's messages, each with its fix", "[unit][repository]") {
    const FaultContext box{.host = "127.0.0.1", .port = 44959, .known_hosts_file = "/etc/kh"};
    CHECK(diagnose_restic(kSftpMissing).fault == RepositoryFault::missing);
    auto ro = diagnose_restic(kSftpReadOnly, box);
    CHECK(ro.fault == RepositoryFault::permission_denied);
    CHECK_THAT(ro.cause, Catch::Contains("permission denied"));
    auto unknown = diagnose_restic(kSftpUnknownKey, box);
    CHECK(unknown.fault == RepositoryFault::host_key_unknown);
    CHECK_THAT(unknown.fix, Catch::Contains("ssh-keyscan -p 44959 127.0.0.1 >> /etc/kh"));
    auto changed = diagnose_restic(kSftpChangedKey, box);
    CHECK(changed.fault == RepositoryFault::host_key_changed);
    CHECK_THAT(changed.fix, Catch::Contains("ssh-keygen -f /etc/kh -R '[127.0.0.1]:44959'"));
    CHECK(diagnose_restic(kSftpBadKey, box).fault == RepositoryFault::auth_refused);
    CHECK(diagnose_restic(kSftpRefused, box).fault == RepositoryFault::unreachable);
    auto full = diagnose_restic(kSftpFull, box);
    CHECK(full.fault == RepositoryFault::disk_full);
    CHECK_THAT(full.fix, Catch::Contains("free space"));
    auto killed = diagnose_restic(kSftpKilled, box);
    CHECK(killed.fault == RepositoryFault::unreachable);
    CHECK_THAT(killed.cause,
               Catch::Contains("connection to the server was lost") &&
                   Catch::Contains("unable to save snapshot"));
    // Port 22: ssh writes the host alone in known_hosts.
    const FaultContext plain{.host = "box.example", .port = 22, .known_hosts_file = "/k"};
    CHECK_THAT(diagnose_restic(kSftpChangedKey, plain).fix, Catch::Contains("-R box.example &&"));
}
