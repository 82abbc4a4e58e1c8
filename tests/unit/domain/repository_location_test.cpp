// Repository URLs shown without their credentials, sftp: URLs taken apart, and the ssh command
// restic runs: every option that pins the host key, refusing what restic's splitter would break.
#include "domain/repository_location.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using bk::domain::mask_url;
using bk::domain::parse_sftp_url;
using bk::domain::restic_command_line;
using bk::domain::ssh_command;
using bk::domain::SshConfig;

namespace {

bool has_pair(const std::vector<std::string>& argv, const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == a && argv[i + 1] == b)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("mask_url hides the password of a URL's userinfo", "[unit][repository]") {
    CHECK(mask_url("rest:http://backup:S3cret@10.0.0.5:8000/repo") ==
          "rest:http://backup:***@10.0.0.5:8000/repo");
    CHECK(mask_url("s3:https://u:InlinePassw0rdX@s3.example.com/bucket/x") ==
          "s3:https://u:***@s3.example.com/bucket/x");
    // A token alone as userinfo is a secret too.
    CHECK(mask_url("rest:https://TOKEN123@host/") == "rest:https://***@host/");
    // A password holding '@' and ':' (restic accepts it unescaped up to the last '@').
    CHECK(mask_url("rest:http://u:p@ss:w@host:1/") == "rest:http://u:***@host:1/");
}

TEST_CASE("mask_url leaves URLs without credentials and scp-like sftp alone",
          "[unit][repository]") {
    CHECK(mask_url("/var/lib/backupctl/repository") == "/var/lib/backupctl/repository");
    CHECK(mask_url("sftp:u123@u123.your-storagebox.de:/backups") ==
          "sftp:u123@u123.your-storagebox.de:/backups");
    CHECK(mask_url("s3:https://s3.amazonaws.com/bucket") == "s3:https://s3.amazonaws.com/bucket");
    CHECK(mask_url("rest:http://host:8000/a@b") == "rest:http://host:8000/a@b");
    CHECK(mask_url("") == "");
}

TEST_CASE("mask_url masks every URL inside a message", "[unit][repository]") {
    const std::string msg =
        "Fatal: unable to open config file: client.Head: Head "
        "\"http://u1:p1secret@127.0.0.1:1/repo1/config\": "
        "dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following "
        "location?\nrest:http://u1:p1secret@127.0.0.1:1/repo1/";
    const std::string masked = mask_url(msg);
    CHECK(masked.find("p1secret") == std::string::npos);
    CHECK(masked.find("\"http://u1:***@127.0.0.1:1/repo1/config\"") != std::string::npos);
    CHECK(masked.find("rest:http://u1:***@127.0.0.1:1/repo1/") != std::string::npos);
    // Already masked by restic: stays masked.
    CHECK(mask_url("rest:http://u1:***@h/") == "rest:http://u1:***@h/");
}

TEST_CASE("parse_sftp_url reads both of restic's forms", "[unit][repository]") {
    auto a = parse_sftp_url("sftp:u123@u123.your-storagebox.de:/home/backups");
    REQUIRE(a);
    CHECK(a->user == "u123");
    CHECK(a->host == "u123.your-storagebox.de");
    CHECK(a->port == 0);
    CHECK(a->path == "/home/backups");

    auto b = parse_sftp_url("sftp://bk@127.0.0.1:2222//data/repo");
    REQUIRE(b);
    CHECK(b->user == "bk");
    CHECK(b->host == "127.0.0.1");
    CHECK(b->port == 2222);
    CHECK(b->path == "//data/repo");

    auto c = parse_sftp_url("sftp:[::1]:/data");
    REQUIRE(c);
    CHECK(c->host == "::1");
    CHECK(c->user.empty());

    CHECK_FALSE(parse_sftp_url("sftp:hostonly"));
    CHECK_FALSE(parse_sftp_url("sftp://h:99999/x"));
    CHECK_FALSE(parse_sftp_url("rest:http://h/"));
}

TEST_CASE("ssh_command pins the host key and uses only the configured key", "[unit][repository]") {
    auto loc = parse_sftp_url("sftp:u123@u123.your-storagebox.de:/backups");
    REQUIRE(loc);
    SshConfig ssh;
    ssh.key_file = "/run/secrets/storagebox_key";
    ssh.port = 23;
    ssh.known_hosts_file = "/etc/backupctl/known_hosts";
    auto argv = ssh_command(*loc, ssh);
    REQUIRE(argv);
    const auto& a = *argv;
    CHECK(a.front() == "ssh");
    CHECK(has_pair(a, "-o", "BatchMode=yes"));
    CHECK(has_pair(a, "-o", "StrictHostKeyChecking=yes"));
    CHECK(has_pair(a, "-o", "UserKnownHostsFile=/etc/backupctl/known_hosts"));
    CHECK(has_pair(a, "-o", "IdentitiesOnly=yes"));
    CHECK(has_pair(a, "-i", "/run/secrets/storagebox_key"));
    CHECK(has_pair(a, "-p", "23"));
    CHECK(has_pair(a, "-l", "u123"));
    CHECK(has_pair(a, "-o", "ConnectTimeout=15"));
    // ssh -s HOST sftp: the subsystem, at the end.
    REQUIRE(a.size() >= 3);
    CHECK(a[a.size() - 3] == "-s");
    CHECK(a[a.size() - 2] == "u123.your-storagebox.de");
    CHECK(a.back() == "sftp");
    auto line = restic_command_line(a);
    REQUIRE(line);
    CHECK(line->find("StrictHostKeyChecking=yes") != std::string::npos);

    ssh.accept_new_host_key = true;
    ssh.user = "other";
    auto tofu = ssh_command(*loc, ssh);
    REQUIRE(tofu);
    CHECK(has_pair(*tofu, "-o", "StrictHostKeyChecking=accept-new"));
    CHECK(has_pair(*tofu, "-l", "other"));
}

TEST_CASE("ssh_command takes the URL's port and defaults to 22", "[unit][repository]") {
    SshConfig ssh;
    ssh.known_hosts_file = "/k";
    auto url_port = ssh_command(*parse_sftp_url("sftp://bk@h:2200//r"), ssh);
    REQUIRE(url_port);
    CHECK(has_pair(*url_port, "-p", "2200"));
    auto plain = ssh_command(*parse_sftp_url("sftp:h:/r"), ssh);
    REQUIRE(plain);
    CHECK(has_pair(*plain, "-p", "22"));
    CHECK(std::find(plain->begin(), plain->end(), "-l") == plain->end());
    CHECK(std::find(plain->begin(), plain->end(), "-i") == plain->end());
}

TEST_CASE("ssh_command refuses what cannot pass restic's command splitter", "[unit][repository]") {
    auto loc = *parse_sftp_url("sftp:bk@h:/r");
    SshConfig ssh;
    ssh.known_hosts_file = "/k";
    ssh.key_file = "/keys/my key";
    auto spaced = ssh_command(loc, ssh);
    REQUIRE_FALSE(spaced);
    CHECK_THAT(spaced.error, Catch::Contains("ssh.key_file") && Catch::Contains("holds a space"));
    ssh.key_file = "/keys/it's";
    CHECK_FALSE(ssh_command(loc, ssh));
    ssh.key_file = "/keys/a\\b";
    CHECK_FALSE(ssh_command(loc, ssh));
    ssh.key_file = "/keys/ok";
    ssh.known_hosts_file = "/k h";
    auto kh = ssh_command(loc, ssh);
    REQUIRE_FALSE(kh);
    CHECK_THAT(kh.error, Catch::Contains("ssh.known_hosts_file"));
    // A host that ssh would read as an option.
    ssh.known_hosts_file = "/k";
    CHECK_FALSE(ssh_command(*parse_sftp_url("sftp:bk@-oProxyCommand=x:/r"), ssh));
}

TEST_CASE("ssh_command without a known_hosts file names the ssh-keyscan fix",
          "[unit][repository]") {
    SshConfig ssh;
    ssh.port = 23;
    auto r = ssh_command(*parse_sftp_url("sftp:u1@box.example:/r"), ssh);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error, Catch::Contains("ssh-keyscan -p 23 box.example > FILE"));
}

TEST_CASE("a local repository's directory: plain absolute paths and local:, never a remote URL",
          "[repository][local]") {
    using bk::domain::local_repository_path;
    CHECK(local_repository_path("/backups/restic") == "/backups/restic");
    CHECK(local_repository_path("/srv/repos/shop/") == "/srv/repos/shop");
    CHECK(local_repository_path("local:/mnt/usb/restic") == "/mnt/usb/restic");
    CHECK(local_repository_path("/") == "/");
    CHECK(local_repository_path("sftp:u@box.example.com:/backups/shop").empty());
    CHECK(local_repository_path("sftp://u@box:23//backups").empty());
    CHECK(local_repository_path("s3:https://s3.example.com/bucket").empty());
    CHECK(local_repository_path("rest:http://u:p@host:8000/").empty());
    CHECK(local_repository_path("b2:bucket:path").empty());
    CHECK(local_repository_path("rclone:remote:path").empty());
    CHECK(local_repository_path("relative/restic").empty());
    CHECK(local_repository_path("").empty());
}
