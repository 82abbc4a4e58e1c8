// The census in bounded memory: a gibibyte of distinct tables (every third with a name too long to
// keep) streams through it, generated a chunk at a time, while the process's memory stays flat.
// Before the bounds, 200 MB of such a dump grew the operator by 196 MB.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>

#include "domain/dump_census.hpp"
#include <malloc.h>

#if defined(__SANITIZE_ADDRESS__)
#define BK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BK_ASAN 1
#endif
#endif
#ifdef BK_ASAN
// From <sanitizer/allocator_interface.h>, which g++ does not install (libasan exports it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using bk::domain::DumpCensus;
using bk::domain::DumpDialect;

namespace {

constexpr std::uint64_t kMiB = 1u << 20;

// The process's memory in bytes: VmRSS. Under ASan its allocator's live bytes instead: the
// quarantine keeps freed blocks resident (up to 256 MiB), which RSS would count.
std::int64_t memory_now() {
#ifdef BK_ASAN
    return static_cast<std::int64_t>(__sanitizer_get_current_allocated_bytes());
#else
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stoll(line.substr(6)) * 1024;
    }
    FAIL("no VmRSS in /proc/self/status");
    return 0;
#endif
}

// Distinct names: every third 4000 bytes long (past TableCounts::kMaxName), the others 200.
void name_of(std::uint64_t i, std::string& out) {
    out.assign(std::to_string(i));
    out.append(i % 3 == 0 ? 4000 : 200, 'n');
}

void put_i32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xffu);
}

// A BSON document of string fields (and an EOF flag), as mongodump's headers are.
void bson(std::string& out,
          std::initializer_list<std::pair<const char*, const std::string*>> fields,
          bool eof = false) {
    const std::size_t at = out.size();
    put_i32(out, 0);
    for (const auto& [key, value] : fields) {
        out += '\x02';
        out.append(key).append(1, '\0');
        put_i32(out, static_cast<std::uint32_t>(value->size() + 1));
        out.append(*value).append(1, '\0');
    }
    if (eof)
        out.append(
            "\x08"
            "EOF\0\x01",
            6);
    out += '\0';
    const auto size = static_cast<std::uint32_t>(out.size() - at);
    for (int i = 0; i < 4; ++i)
        out[at + static_cast<std::size_t>(i)] = static_cast<char>((size >> (8 * i)) & 0xffu);
}

struct Growth {
    std::int64_t before{0};
    std::int64_t peak{0};
    [[nodiscard]] std::int64_t mib() const {
        return (peak - before) / static_cast<std::int64_t>(kMiB);
    }
};

// Feeds what `emit(i, out)` writes record by record (until it returns false or `total` bytes
// have passed), 1 MiB at a time, then `trailer`; samples memory every 16 MiB.
Growth stream(DumpCensus& census,
              std::uint64_t total,
              const std::function<bool(std::uint64_t, std::string&)>& emit,
              const std::string& trailer) {
    std::string chunk;
    chunk.reserve(2 * kMiB);
    Growth g;
    malloc_trim(0);  // what earlier tests freed would otherwise hide this one's growth
    g.before = g.peak = memory_now();
    std::uint64_t fed = 0;
    std::uint64_t i = 0;
    bool more = true;
    for (std::uint64_t n = 0; more && fed < total; ++n) {
        chunk.clear();
        while (more && chunk.size() < kMiB)
            more = emit(i++, chunk);
        census.feed(chunk);
        fed += chunk.size();
        if (n % 16 == 0)
            g.peak = std::max(g.peak, memory_now());
    }
    census.feed(trailer);
    g.peak = std::max(g.peak, memory_now());
    return g;
}

void check_bounded(const DumpCensus& c, const Growth& g) {
    INFO("memory grew by " << g.mib() << " MiB");
    CHECK(g.peak - g.before < static_cast<std::int64_t>(32 * kMiB));
    CHECK(c.complete());
    CHECK(c.rows().size() <= bk::domain::TableCounts::kMaxTables);
    CHECK_FALSE(c.partial().empty());
    // The audit row made of them stays small too.
    CHECK(bk::domain::encode_counts(c.rows(), c.partial()).size() < 2 * kMiB);
}

}  // namespace

TEST_CASE("census memory stays flat over 1 GiB of distinct tables: pg_dump", "[unit][census]") {
    DumpCensus c(DumpDialect::postgres, false);
    std::string name;
    const auto g = stream(
        c,
        1024 * kMiB,
        [&name](std::uint64_t i, std::string& out) {
            name_of(i, name);
            out.append("COPY public.").append(name).append(" (id) FROM stdin;\n1\n2\n\\.\n\n");
            return true;
        },
        "--\n-- PostgreSQL database dump complete\n--\n\n");
    check_bounded(c, g);
    CHECK(c.bytes() >= 1024 * kMiB);
    CHECK(c.rows().begin()->second == 2);
}

TEST_CASE("census memory stays flat over 128 MiB of distinct tables: mariadb-dump",
          "[unit][census]") {
    DumpCensus c(DumpDialect::mariadb, false);
    std::string name;
    const auto g = stream(
        c,
        128 * kMiB,  // byte by byte: slower than the others (and grew 67 MiB before)
        [&name](std::uint64_t i, std::string& out) {
            name_of(i, name);
            out.append("CREATE TABLE `").append(name).append("` (\n  `id` int\n);\n");
            out.append("INSERT INTO `").append(name).append("` VALUES (1),(2);\n");
            return true;
        },
        "-- Dump completed on 2026-12-01 03:00:00\n");
    check_bounded(c, g);
}

TEST_CASE("census memory stays flat over 1 GiB of distinct collections: mongodump archive",
          "[unit][census]") {
    // A prelude announcing every collection, then a segment and an EOF header for each.
    const std::uint64_t collections = 236'000;  // about 1 GiB in all
    DumpCensus c(DumpDialect::mongodb, false);
    std::string start("\x6d\xe2\x99\x81", 4);
    const std::string version = "0.1";
    const std::string db = "shop";
    const std::string meta = "{}";
    const std::string id = "x";
    const std::string terminator("\xff\xff\xff\xff", 4);
    bson(start, {{"version", &version}});
    c.feed(start);
    std::string coll;
    const auto g = stream(
        c,
        ~std::uint64_t{0},
        [&](std::uint64_t i, std::string& out) {
            if (i < collections) {
                name_of(i, coll);
                bson(out, {{"db", &db}, {"collection", &coll}, {"metadata", &meta}});
            } else if (i == collections) {
                out += terminator;
            } else {
                name_of(i - collections - 1, coll);
                bson(out, {{"db", &db}, {"collection", &coll}});
                bson(out, {{"_id", &id}});
                out += terminator;
                bson(out, {{"db", &db}, {"collection", &coll}}, true);
                out += terminator;
            }
            return i < 2 * collections;
        },
        "");
    check_bounded(c, g);
    CHECK(c.bytes() >= 1024 * kMiB);
    CHECK(c.rows().begin()->second == 1);
}
