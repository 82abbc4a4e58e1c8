// The RDB check: real RDB files as Debian's redis-server 7.0.15 sent them to `redis-cli --rdb -`
// (tests/fixtures/redis/: keys in db0 and db3), whole and cut into chunks of every size, and the
// key counts the dump script prints around the transfer.
#include "databases/redis/rdb_check.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

using bk::databases::redis::crc64;
using bk::databases::redis::RdbCheck;

namespace {

// diskless.rdb: the default `repl-diskless-sync yes`, so the 40-byte EOF mark follows the RDB.
// disk.rdb: `repl-diskless-sync no`, nothing after the RDB.
// nochecksum.rdb: `rdbchecksum no` (zeros for the checksum), with the EOF mark.
std::string fixture(const std::string& name) {
    std::ifstream in(std::string(BK_FIXTURES_DIR) + "/redis/" + name, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RdbCheck checked(const std::string& data, std::size_t chunk = 0) {
    RdbCheck check;
    if (chunk == 0)
        chunk = data.empty() ? 1 : data.size();
    for (std::size_t at = 0; at < data.size(); at += chunk)
        check.feed(std::span<const char>(data).subspan(at, std::min(chunk, data.size() - at)));
    return check;
}

RdbCheck with_messages(const std::string& messages, std::size_t chunk) {
    RdbCheck check;
    for (std::size_t at = 0; at < messages.size(); at += chunk) {
        check.feed_messages(
            std::span<const char>(messages).subspan(at, std::min(chunk, messages.size() - at)));
    }
    return check;
}

constexpr std::size_t kChunks[] = {0, 1, 2, 7, 9, 13, 40, 49, 50, 64, 4096};

}  // namespace

TEST_CASE("crc64 is Redis's CRC-64 (Jones, reflected)", "[redis]") {
    const std::string check = "123456789";
    const std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(check.data()),
                                               check.size());
    // redis/src/crc64.c's own test value.
    CHECK(crc64(0, bytes) == 0xe9c6d914c4b8d9caULL);

    std::mt19937 rng(20);
    std::vector<unsigned char> data(1000);
    for (auto& b : data)
        b = static_cast<unsigned char>(rng());
    std::uint64_t bytewise = 0;
    for (const auto b : data)
        bytewise = crc64(bytewise, {&b, 1});
    CHECK(crc64(0, data) == bytewise);
    CHECK(crc64(crc64(0, std::span(data).first(333)), std::span(data).subspan(333)) == bytewise);
}

TEST_CASE("a whole RDB is complete in chunks of any size", "[redis]") {
    const auto name = GENERATE(as<std::string>{}, "diskless.rdb", "disk.rdb", "nochecksum.rdb");
    const auto chunk = GENERATE(from_range(std::begin(kChunks), std::end(kChunks)));
    const auto data = fixture(name);
    const auto check = checked(data, chunk);
    INFO(name << " in chunks of " << chunk);
    CHECK(check.complete());
    CHECK(check.problem().empty());
    CHECK(check.bytes() == data.size());
    CHECK(check.checksummed() == (name != "nochecksum.rdb"));
    CHECK(check.rdb_bytes() ==
          (name == "disk.rdb" ? data.size() : data.size() - RdbCheck::kEofMarkSize));
}

TEST_CASE("an RDB cut anywhere is not complete", "[redis]") {
    const auto data = fixture("diskless.rdb");
    const std::size_t rdb_end = data.size() - RdbCheck::kEofMarkSize;
    for (std::size_t cut = 0; cut < data.size(); ++cut) {
        const auto check = checked(data.substr(0, cut), 7);
        INFO("cut at " << cut);
        // Cut exactly before the EOF mark, it is the RDB that a disk-based sync sends.
        CHECK(check.complete() == (cut == rdb_end));
        CHECK(check.rdb_bytes() == (cut == rdb_end ? rdb_end : 0));
        if (cut > 0 && cut != rdb_end)
            CHECK(check.problem() ==
                  "truncated or damaged: no end marker with a matching checksum");
    }
    CHECK(checked("").problem() == "empty");
    CHECK_FALSE(checked("").complete());
}

TEST_CASE("one flipped byte of an RDB is found", "[redis]") {
    const auto name = GENERATE(as<std::string>{}, "diskless.rdb", "disk.rdb");
    const auto original = fixture(name);
    const std::size_t rdb_end =
        name == "disk.rdb" ? original.size() : original.size() - RdbCheck::kEofMarkSize;
    for (std::size_t at = 0; at < original.size(); ++at) {
        auto data = original;
        data[at] = static_cast<char>(data[at] ^ 0x20);
        const auto check = checked(data, 13);
        INFO(name << ": byte " << at);
        // The EOF mark is not part of the RDB: the server does not read it.
        CHECK(check.complete() == (at >= rdb_end));
        if (at < rdb_end)
            CHECK_FALSE(check.problem().empty());
    }
}

TEST_CASE("bytes after the RDB other than the 40 of the EOF mark make it incomplete", "[redis]") {
    const auto name = GENERATE(as<std::string>{}, "diskless.rdb", "disk.rdb", "nochecksum.rdb");
    const auto data = fixture(name);
    for (std::size_t extra = 1; extra <= 60; ++extra) {
        const bool mark_room = name == "disk.rdb" && extra == RdbCheck::kEofMarkSize;
        INFO(name << " + " << extra << " bytes");
        CHECK(checked(data + std::string(extra, 'x'), 1).complete() == mark_room);
        CHECK(checked(data + std::string(extra, 'x')).complete() == mark_room);
    }
}

TEST_CASE("a zero checksum counts only where the end belongs", "[redis]") {
    const auto data = fixture("nochecksum.rdb");
    const auto rdb = data.substr(0, data.size() - RdbCheck::kEofMarkSize);
    CHECK(checked(rdb, 3).complete());
    CHECK_FALSE(checked(rdb, 3).checksummed());
    // 0xFF and eight zeros within the stream, not at its end.
    CHECK_FALSE(checked(rdb + "REDIS0010", 3).complete());
    CHECK_FALSE(checked(rdb.substr(0, rdb.size() - 1)).complete());
}

TEST_CASE("what is not an RDB says so", "[redis]") {
    const auto chunk = GENERATE(0U, 1U, 4U);
    CHECK(checked("hello world, this is no RDB at all", chunk).problem() ==
          "not an RDB file (it starts with \"hello wor\", not \"REDIS\" and four digits)");
    CHECK(checked("REDIS00a1" + std::string(40, '\0'), chunk).problem() ==
          "not an RDB file (it starts with \"REDIS00a1\", not \"REDIS\" and four digits)");
    CHECK(checked("REDIS0000" + std::string(40, '\0'), chunk).problem() ==
          "not an RDB file (RDB version 0, expected 1 to 99)");
    CHECK(checked("\x1b[2J", chunk).problem() ==
          "not an RDB file (it starts with \"\\u001b[2J\", not \"REDIS\" and four digits)");
    // A start that may still become one is a truncated RDB.
    CHECK(checked("REDIS00", chunk).problem() ==
          "truncated or damaged: no end marker with a matching checksum");
    // A real RDB behind a wrong header is still not one.
    auto data = fixture("disk.rdb");
    data[0] = 'r';
    CHECK_FALSE(checked(data, chunk).complete());
}

namespace {

// What the dump script's stderr carries: its markers around INFO keyspace, redis-cli's own
// messages between them, \r\n line ends as redis-cli prints replies to a pipe.
std::string messages(const std::string& before, const std::string& after, bool end = true) {
    std::string m = "backupctl-keyspace-before\n# Keyspace\r\n" + before +
                    "\r\nsending REPLCONF capa eof\nsending REPLCONF rdb-only 1\n"
                    "SYNC sent to master, writing bytes of bulk transfer until EOF marker to "
                    "'-'\nTransfer finished with success after 320 bytes\n"
                    "backupctl-keyspace-after\n# Keyspace\r\n" +
                    after + "\r\n";
    if (end)
        m += "backupctl-keyspace-end\n";
    return m;
}

const std::string kTwoDbs =
    "db0:keys=5,expires=1,avg_ttl=9999948\r\ndb3:keys=6,expires=0,avg_ttl=0\r\n";

}  // namespace

TEST_CASE("the key counts before and after the transfer", "[redis]") {
    const auto chunk = GENERATE(1U, 5U, 4096U);
    INFO("chunks of " << chunk);

    SECTION("equal: the counts") {
        const auto check = with_messages(messages(kTwoDbs, kTwoDbs), chunk);
        CHECK(check.partial().empty());
        CHECK(check.rows() == std::map<std::string, std::uint64_t>{{"db0", 5}, {"db3", 6}});
    }
    SECTION("an empty server: no counts, nothing partial") {
        const auto check = with_messages(messages("", ""), chunk);
        CHECK(check.partial().empty());
        CHECK(check.rows().empty());
    }
    SECTION("changed: not compared") {
        const auto check = with_messages(
            messages(kTwoDbs, "db0:keys=7,expires=1,avg_ttl=9999948\r\ndb3:keys=6\r\n"), chunk);
        CHECK(check.rows().empty());
        CHECK(check.partial() ==
              "the key counts changed during the dump (db0: 5 -> 7): not compared");
    }
    SECTION("a database that appeared") {
        const auto check =
            with_messages(messages(kTwoDbs, kTwoDbs + "db15:keys=1,expires=0\r\n"), chunk);
        CHECK(check.rows().empty());
        CHECK(check.partial() ==
              "the key counts changed during the dump (db15: 0 -> 1): not compared");
    }
    SECTION("no end line") {
        const auto check = with_messages(messages(kTwoDbs, kTwoDbs, false), chunk);
        CHECK(check.rows().empty());
        CHECK(check.partial() ==
              "no key counts: the dump script's backupctl-keyspace-end line never came");
    }
    SECTION("markers out of order") {
        const auto check =
            with_messages("backupctl-keyspace-after\n" + messages(kTwoDbs, kTwoDbs), chunk);
        CHECK(check.rows().empty());
        CHECK(check.partial() == "no key counts: the key count markers came out of order");
    }
    SECTION("an unreadable count") {
        const auto check = with_messages(messages("db0:keys=lots\r\n", kTwoDbs), chunk);
        CHECK(check.rows().empty());
        CHECK(check.partial() == "no key counts: an unreadable INFO keyspace line: db0:keys=lots");
    }
    SECTION("a long line is dropped, not kept") {
        const auto long_line = "db1:keys=9" + std::string(5000, '9') + "\n";
        const auto check = with_messages(messages(kTwoDbs + long_line, kTwoDbs), chunk);
        CHECK(check.partial().empty());
        CHECK(check.rows().size() == 2);
    }
}
