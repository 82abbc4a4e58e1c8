// SqliteCheck: a SQLite database file as it streams past, however it is split, and the row
// counts of the backup script's messages. The files are real ones, made by the sqlite3 CLI (a
// test dependency, scripts/lib.sh) at test time; the backup script itself runs on one.
#include "databases/sqlite/sqlite_check.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "databases/sqlite/sqlite_scripts.hpp"
#include "support/test_env.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using bk::databases::sqlite::SqliteCheck;

namespace {

// Runs argv (no shell), stdin from `in` and stdout, stderr into files when given; its exit code.
int run(std::vector<std::string> argv,
        const std::filesystem::path& in = "/dev/null",
        const std::filesystem::path& out = "/dev/null",
        const std::filesystem::path& err = "/dev/null") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Feeds `data` in chunks of `chunk` bytes (0: at once).
void feed(SqliteCheck& check, const std::string& data, std::size_t chunk) {
    if (chunk == 0) {
        check.feed(data);
        return;
    }
    for (std::size_t at = 0; at < data.size(); at += chunk)
        check.feed(std::span<const char>(data).subspan(at, std::min(chunk, data.size() - at)));
}
void feed_messages(SqliteCheck& check, const std::string& data, std::size_t chunk) {
    for (std::size_t at = 0; at < data.size(); at += chunk) {
        check.feed_messages(
            std::span<const char>(data).subspan(at, std::min(chunk, data.size() - at)));
    }
}

// A database of several pages, in WAL mode like the apps it is made for, with a table name that
// needs every kind of quoting.
const std::string kOddName = "it's a \"q\"\nand a newline";

std::string make_database(const bk::testing::TempDir& dir) {
    const auto db = dir.path() / "app.db";
    REQUIRE(run({"sqlite3",
                 db.string(),
                 "PRAGMA journal_mode=wal;"
                 "CREATE TABLE items(id INTEGER PRIMARY KEY, note TEXT);"
                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500)"
                 "  INSERT INTO items(note) SELECT printf('%.100c', 'n') FROM c;"
                 "CREATE TABLE \"it's a \"\"q\"\"\nand a newline\"(x);"
                 "INSERT INTO \"it's a \"\"q\"\"\nand a newline\" VALUES (1), (2);"
                 "CREATE TABLE empty(y);"}) == 0);
    return db.string();
}

}  // namespace

TEST_CASE("sqlite: a whole database file, split any way, is complete", "[sqlite]") {
    const bk::testing::TempDir dir;
    const auto file = read_file(make_database(dir));
    REQUIRE(file.size() > std::size_t{4} * 4096);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
        SqliteCheck check;
        feed(check, file, chunk);
        CHECK(check.complete());
        CHECK(check.problem().empty());
        CHECK(check.bytes() == file.size());
    }
}

TEST_CASE("sqlite: a copy cut short or followed by other bytes is not complete", "[sqlite]") {
    const bk::testing::TempDir dir;
    const auto file = read_file(make_database(dir));
    const auto size = std::to_string(file.size());
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
        SqliteCheck cut;
        feed(cut, file.substr(0, file.size() - 1), chunk);
        CHECK_FALSE(cut.complete());
        CHECK(cut.problem() ==
              "truncated: " + std::to_string(file.size() - 1) + " of " + size + " bytes");

        SqliteCheck longer;
        feed(longer, file + "x", chunk);
        CHECK_FALSE(longer.complete());
        CHECK(longer.problem() == size + " bytes expected, " + std::to_string(file.size() + 1) +
                                      " received (trailing data)");
    }
    SqliteCheck header_only;
    header_only.feed(std::span<const char>(file).first(40));
    CHECK_FALSE(header_only.complete());
    CHECK(header_only.problem() == "truncated: 40 bytes, less than the 100-byte header");
}

TEST_CASE("sqlite: a text file or nothing is not a database", "[sqlite]") {
    SqliteCheck text;
    feed(text, "Error: unable to open database \"/data/app.db\"\n", 1);
    CHECK_FALSE(text.complete());
    CHECK(text.problem() ==
          R"x(not a SQLite database (the first bytes are "Error: unable to open database ""))x");

    SqliteCheck empty;
    CHECK_FALSE(empty.complete());
    CHECK(empty.problem() == "empty");
    CHECK(empty.bytes() == 0);
}

TEST_CASE("sqlite: a header with a stale page count or a bad page size", "[sqlite]") {
    const bk::testing::TempDir dir;
    auto file = read_file(make_database(dir));
    auto stale = file;
    stale[95] = static_cast<char>(stale[95] + 1);  // version-valid-for != change counter
    SqliteCheck check;
    check.feed(stale);
    CHECK_FALSE(check.complete());
    CHECK_THAT(check.problem(), Catch::Contains("page count is not valid"));

    auto odd = file;
    odd[16] = 0x03;  // 768 + the low byte: not a power of two
    SqliteCheck odd_check;
    odd_check.feed(odd);
    CHECK_FALSE(odd_check.complete());
    CHECK_THAT(odd_check.problem(), Catch::Contains("is not a power of two"));
}

TEST_CASE("sqlite: row counts from the messages, lines split across chunks", "[sqlite]") {
    const std::string messages =
        "PRAGMA noise\n"
        "backupctl-rows 6974656D73 500\n"  // items
        "backupctl-rows  3\n"              // the empty name
        "backupctl-rows C3BC 7\r\n"        // "ü"
        "backupctl-rows 6E 12\n" +         // n
        std::string(5000, 'x') +
        "\n" +  // a long line, dropped
        "backupctl-rows-end\n"
        "backupctl-rows 6C617465 1\n";  // after the end: ignored
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, messages.size()}) {
        SqliteCheck check;
        feed_messages(check, messages, chunk);
        CHECK(check.partial().empty());
        const std::map<std::string, std::uint64_t> want{
            {"items", 500}, {"", 3}, {"\xC3\xBC", 7}, {"n", 12}};
        CHECK(check.rows() == want);
    }
}

TEST_CASE("sqlite: without the end line the counts are partial", "[sqlite]") {
    SqliteCheck none;
    CHECK(none.partial() == "the row counts did not end");

    SqliteCheck cut;
    feed_messages(cut, "backupctl-rows 6974656D73 500\nbackupctl-rows 6C6F67 4", 3);
    CHECK(cut.partial() == "the row counts did not end");
    CHECK(cut.rows() == std::map<std::string, std::uint64_t>{{"items", 500}});

    SqliteCheck unreadable;
    feed_messages(unreadable, "backupctl-rows 6G 1\nbackupctl-rows-end\n", 64);
    CHECK(unreadable.partial() == "a row count line that cannot be read");

    SqliteCheck long_line;
    feed_messages(
        long_line, "backupctl-rows " + std::string(5000, 'A') + " 1\nbackupctl-rows-end\n", 1000);
    CHECK(long_line.partial() == "a row count line longer than 4096 bytes");
}

// The helper's backup script, run here with the local sqlite3: what it writes is what the check
// reads.
TEST_CASE("sqlite: the backup script's copy and counts pass the check", "[sqlite]") {
    const bk::testing::TempDir dir;
    const auto db = make_database(dir);
    const auto out = dir.path() / "snapshot";
    const auto err = dir.path() / "messages";
    REQUIRE(run({"sh", "-c", std::string(bk::databases::sqlite::kBackupScript), "sh", db},
                "/dev/null",
                out,
                err) == 0);
    SqliteCheck check;
    feed(check, read_file(out), 4096);
    feed_messages(check, read_file(err), 5);
    CHECK(check.complete());
    CHECK(check.problem().empty());
    CHECK(check.partial().empty());
    const std::map<std::string, std::uint64_t> want{{"items", 500}, {"empty", 0}, {kOddName, 2}};
    CHECK(check.rows() == want);

    // The drill script restores it and counts the same.
    const auto drilled = dir.path() / "drill";
    REQUIRE(run({"sh",
                 "-c",
                 std::string(bk::databases::sqlite::kDrillScript),
                 "sh",
                 (dir.path() / "drill.db").string()},
                out,
                drilled) == 0);
    SqliteCheck drill;
    feed_messages(drill, read_file(drilled), 4096);
    CHECK(drill.partial().empty());
    CHECK(drill.rows() == want);
}

TEST_CASE("sqlite: the backup script fails on a file that is not a database", "[sqlite]") {
    const bk::testing::TempDir dir;
    const auto text = dir.path() / "notes.db";
    std::ofstream(text) << "just some text, long enough to be more than a header's hundred bytes "
                           "of a database file, which it is not\n";
    const auto out = dir.path() / "snapshot";
    const auto err = dir.path() / "messages";
    CHECK(run({"sh", "-c", std::string(bk::databases::sqlite::kBackupScript), "sh", text.string()},
              "/dev/null",
              out,
              err) != 0);
    CHECK(read_file(out).empty());
    CHECK_THAT(read_file(err), Catch::Contains("file is not a database"));
}

// The restore script, run here: it replaces the database only with a snapshot that passes the
// integrity check, and leaves nothing of its own behind either way.
TEST_CASE("sqlite: the restore script replaces the database only with a sound copy", "[sqlite]") {
    const bk::testing::TempDir dir;
    const auto db = make_database(dir);
    const auto snapshot = dir.path() / "snapshot";
    REQUIRE(run({"sh", "-c", std::string(bk::databases::sqlite::kBackupScript), "sh", db},
                "/dev/null",
                snapshot) == 0);
    const auto restore = [&](const std::filesystem::path& in) {
        return run({"sh", "-c", std::string(bk::databases::sqlite::kRestoreScript), "sh", db}, in);
    };
    const auto files = [&] {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(dir.path()))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    };
    // The app's database changes after the backup; a failed restore keeps that.
    REQUIRE(run({"sqlite3", db, "INSERT INTO empty VALUES (1)"}) == 0);
    const auto before = read_file(db);

    const auto text = dir.path() / "text";
    std::ofstream(text) << "not a database, but long enough to look like the start of one....\n";
    const auto cut = dir.path() / "cut";
    std::ofstream(cut, std::ios::binary) << read_file(snapshot).substr(0, std::size_t{3} * 4096);
    const auto listing = files();
    for (const auto& bad : {std::filesystem::path("/dev/null"), text, cut}) {
        CHECK(restore(bad) != 0);
        CHECK(read_file(db) == before);
        CHECK(files() == listing);
    }

    REQUIRE(restore(snapshot) == 0);
    CHECK(read_file(db) == read_file(snapshot));
    CHECK_FALSE(std::filesystem::exists(db + "-wal"));
    CHECK_FALSE(std::filesystem::exists(db + "-shm"));
    CHECK(files() == listing);
}
