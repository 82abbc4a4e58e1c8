// The mongodump archive check: a whole archive is complete, every cut of it is not. The sample
// archive is built here by the format specification (no MongoDB server is packaged for this
// machine, so nothing is recorded from a real mongodump yet) and is the same bytes the fake
// mongodump of the e2e image prints.
#include "domain/mongo_archive.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

using bk::domain::MongoArchiveCheck;

namespace {

void put_i32(std::string& out, std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((u >> (8 * i)) & 0xffu);
}

class Doc {
public:
    Doc& str(const std::string& name, const std::string& value) {
        body_ += '\x02';
        body_ += name + '\0';
        put_i32(body_, static_cast<std::int32_t>(value.size() + 1));
        body_ += value + '\0';
        return *this;
    }
    Doc& boolean(const std::string& name, bool value) {
        body_ += '\x08';
        body_ += name + '\0';
        body_ += value ? '\x01' : '\x00';
        return *this;
    }
    Doc& i64(const std::string& name, std::int64_t value) {
        body_ += '\x12';
        body_ += name + '\0';
        put_i32(body_, static_cast<std::int32_t>(value & 0xffffffff));
        put_i32(body_, static_cast<std::int32_t>(value >> 32));
        return *this;
    }
    [[nodiscard]] std::string bytes() const {
        std::string out;
        put_i32(out, static_cast<std::int32_t>(body_.size() + 5));
        return out + body_ + '\0';
    }

private:
    std::string body_;
};

const std::string kTerminator("\xff\xff\xff\xff", 4);

std::string header(const std::string& coll, bool eof) {
    Doc d;
    d.str("db", "shop").str("collection", coll);
    if (eof)
        d.boolean("EOF", true).i64("CRC", 12345);
    return d.bytes();
}

/// Two collections, interleaved like a concurrent mongodump writes them.
std::string sample_archive() {
    std::string a("\x6d\xe2\x99\x81", 4);
    a += Doc()
             .str("version", "0.1")
             .str("server_version", "7.0.0")
             .str("tool_version", "100.9.0")
             .bytes();
    a += Doc().str("db", "shop").str("collection", "items").str("metadata", "{}").bytes();
    a += Doc().str("db", "shop").str("collection", "users").str("metadata", "{}").bytes();
    a += kTerminator;
    a += header("items", false) + Doc().str("_id", "1").str("name", "apple").bytes() + kTerminator;
    a += header("users", false) + Doc().str("_id", "u1").bytes() + kTerminator;
    a += header("items", false) + Doc().str("_id", "2").str("name", "pear").bytes() + kTerminator;
    a += header("items", true) + kTerminator;
    a += header("users", true) + kTerminator;
    return a;
}

bool check_in_pieces(const std::string& bytes, std::size_t piece) {
    MongoArchiveCheck c;
    for (std::size_t i = 0; i < bytes.size(); i += piece) {
        c.feed(std::span<const char>(bytes.data() + i, std::min(piece, bytes.size() - i)));
    }
    return c.complete();
}

}  // namespace

TEST_CASE("a whole mongodump archive is complete however it is split", "[unit][mongo]") {
    const auto a = sample_archive();
    for (std::size_t piece : {1u, 3u, 7u, 64u, 100000u}) {
        INFO("piece " << piece);
        CHECK(check_in_pieces(a, piece));
    }
}

TEST_CASE("every cut of a mongodump archive is incomplete", "[unit][mongo]") {
    const auto a = sample_archive();
    for (std::size_t cut = 0; cut < a.size(); ++cut) {
        INFO("cut at " << cut);
        MongoArchiveCheck c;
        c.feed(std::span<const char>(a.data(), cut));
        CHECK_FALSE(c.complete());
        CHECK_FALSE(c.problem().empty());
    }
}

TEST_CASE("an archive of an empty database is complete and other bytes are not an archive",
          "[unit][mongo]") {
    std::string empty("\x6d\xe2\x99\x81", 4);
    empty += Doc().str("version", "0.1").bytes() + kTerminator;
    CHECK(check_in_pieces(empty, 5));

    MongoArchiveCheck sql;
    const std::string text = "-- PostgreSQL database dump\n";
    sql.feed(std::span<const char>(text.data(), text.size()));
    CHECK_FALSE(sql.complete());
    CHECK_THAT(sql.problem(), Catch::Contains("magic number"));

    // A namespace that was opened and never closed by its EOF header.
    std::string unclosed("\x6d\xe2\x99\x81", 4);
    unclosed += Doc().str("version", "0.1").bytes() + kTerminator;
    unclosed += header("items", false) + Doc().str("_id", "1").bytes() + kTerminator;
    MongoArchiveCheck u;
    u.feed(std::span<const char>(unclosed.data(), unclosed.size()));
    CHECK_FALSE(u.complete());
    CHECK_THAT(u.problem(), Catch::Contains("shop.items"));
}

TEST_CASE("the fake mongodump of the e2e image prints the sample archive", "[unit][mongo]") {
    const std::string path =
        std::string(BK_SOURCE_DIR) + "/tests/images/fakedump/sample.mongo.archive";
    std::ifstream in(path, std::ios::binary);
    const std::string on_disk((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (on_disk != sample_archive()) {
        std::ofstream(path + ".new", std::ios::binary) << sample_archive();
    }
    INFO("regenerated into " << path << ".new: move it over the old one if the change is intended");
    CHECK(on_disk == sample_archive());
}

TEST_CASE("the archive check counts the documents of every collection", "[unit][mongo]") {
    const auto a = sample_archive();
    for (std::size_t piece : {1u, 5u, 100000u}) {
        MongoArchiveCheck c;
        for (std::size_t i = 0; i < a.size(); i += piece) {
            c.feed(std::span<const char>(a.data() + i, std::min(piece, a.size() - i)));
        }
        REQUIRE(c.complete());
        const auto& docs = c.documents();
        REQUIRE(docs.size() == 2);
        CHECK(docs.begin()->first.ends_with(".items"));
        CHECK(docs.begin()->second == 2);
        CHECK(std::next(docs.begin())->second == 1);
    }
}
