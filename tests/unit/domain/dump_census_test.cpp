// DumpCensus: completeness and row counts of pg_dump / mariadb-dump output, however it is split.
#include "domain/dump_census.hpp"

#include <catch2/catch.hpp>

#include <string>

using bk::domain::DumpCensus;
using bk::domain::DumpDialect;

namespace {

const std::string kPgDump = R"(--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
CREATE TABLE public.users (
    id integer NOT NULL,
    name text
);
CREATE TABLE public."Mixed Case" (
    id integer
);
COPY public."Mixed Case" (id) FROM stdin;
\.


COPY public.users (id, name) FROM stdin;
1	alice
2	bob\nwith a newline
3	COPY public.fake (x) FROM stdin;
\.


--
-- PostgreSQL database dump complete
--

\unrestrict AbCdEf
)";

const std::string kMariaDump = R"(/*M!999999\- enable the sandbox mode */
-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB
CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;
USE `shop`;
DROP TABLE IF EXISTS `empty`;
CREATE TABLE `empty` (
  `id` int(11) NOT NULL
) ENGINE=InnoDB;
DROP TABLE IF EXISTS `or``ders`;
CREATE TABLE `or``ders` (
  `id` int(11) NOT NULL,
  `note` text
) ENGINE=InnoDB;
LOCK TABLES `or``ders` WRITE;
INSERT INTO `or``ders` VALUES (1,'a (paren'),(2,'it\'s ), (tricky'),(3,NULL);
INSERT INTO `or``ders` VALUES (4,"dq ) ("),(5,'x');
UNLOCK TABLES;
INSERT INTO `or``ders` VALUES
(6,'own line'),
(7,'x\n(y)');
/*!50001 CREATE VIEW `v` AS select 1 AS `a` */;
-- Dump completed on 2026-11-26 21:00:00
)";

DumpCensus feed_in_pieces(DumpDialect type,
                          const std::string& s,
                          std::size_t piece,
                          bool all = false) {
    DumpCensus c(type, all);
    for (std::size_t i = 0; i < s.size(); i += piece) {
        c.feed(std::span<const char>(s.data() + i, std::min(piece, s.size() - i)));
    }
    return c;
}

}  // namespace

TEST_CASE("pg_dump: rows per table and the completion marker however split", "[unit][census]") {
    for (std::size_t piece : {1u, 2u, 7u, 64u, 100000u}) {
        INFO("piece " << piece);
        auto c = feed_in_pieces(DumpDialect::postgres, kPgDump, piece);
        CHECK(c.complete());
        const auto& rows = c.rows();
        REQUIRE(rows.size() == 2);
        CHECK(rows.at("public.users") == 3);
        CHECK(rows.at("public.\"Mixed Case\"") == 0);
        CHECK(c.bytes() == kPgDump.size());
    }
}

TEST_CASE("pg_dump: a cut dump is incomplete", "[unit][census]") {
    const auto cut = kPgDump.substr(0, kPgDump.find("--\n-- PostgreSQL database dump complete"));
    auto c = feed_in_pieces(DumpDialect::postgres, cut, 5);
    CHECK_FALSE(c.complete());
    CHECK(c.problem().find("completion marker") != std::string::npos);
    // pg_dumpall's marker is another one
    CHECK_FALSE(feed_in_pieces(DumpDialect::postgres, kPgDump, 9, true).complete());
    CHECK(feed_in_pieces(DumpDialect::postgres, kPgDump, 9, true).rows().empty());
}

TEST_CASE("mariadb-dump: tuples counted outside quotes and parentheses", "[unit][census]") {
    for (std::size_t piece : {1u, 3u, 11u, 100000u}) {
        INFO("piece " << piece);
        auto c = feed_in_pieces(DumpDialect::mariadb, kMariaDump, piece);
        CHECK(c.complete());
        const auto& rows = c.rows();
        REQUIRE(rows.size() == 2);
        CHECK(rows.at("`shop`.`empty`") == 0);
        CHECK(rows.at("`shop`.`or``ders`") == 7);
    }
    const auto cut = kMariaDump.substr(0, kMariaDump.size() - 45);
    CHECK_FALSE(feed_in_pieces(DumpDialect::mariadb, cut, 4).complete());
}

TEST_CASE("counts survive their text form", "[unit][census]") {
    std::map<std::string, std::uint64_t> rows{{"public.users", 3}, {"`a`.`b\tc`", 0}};
    CHECK(bk::domain::decode_counts(bk::domain::encode_counts(rows)) == rows);
    CHECK(bk::domain::decode_counts("").empty());
}

TEST_CASE("pg_dump: a quoted table name holding \" (\" is counted under its whole name",
          "[unit][census]") {
    const std::string dump =
        "COPY public.\"a (b\" (id, name) FROM stdin;\n1\tx\n2\ty\n\\.\n"
        "COPY public.\"q\"\"; \\! id\" FROM stdin;\n1\n\\.\n"
        "--\n-- PostgreSQL database dump complete\n--\n";
    auto c = feed_in_pieces(DumpDialect::postgres, dump, 3);
    CHECK(c.complete());
    const std::map<std::string, std::uint64_t> want{{"public.\"a (b\"", 2},
                                                    {"public.\"q\"\"; \\! id\"", 1}};
    CHECK(c.rows() == want);
}

TEST_CASE("counts survive their text form, names with tabs and newlines too", "[unit][census]") {
    // A mongo collection may be called "a\tb\nc": its row broke the first text form, and reading
    // it back threw std::invalid_argument in the drill.
    const std::map<std::string, std::uint64_t> rows{{"shop.a\tb\nc", 5},
                                                    {"shop.back\\slash\\t", 2},
                                                    {std::string("x\0y\x7f", 4), 1},
                                                    {"%percent.first", 3},
                                                    {"shop.\xc3\xa9t\xc3\xa9", 4}};
    const auto text = bk::domain::encode_counts(rows);
    CHECK(text.rfind("%bk-counts 2\n", 0) == 0);
    std::map<std::string, std::uint64_t> back;
    REQUIRE_NOTHROW(back = bk::domain::decode_counts(text));
    CHECK(back == rows);
    const auto partial = bk::domain::encode_counts(rows, "more than 10000 tables");
    const auto recorded = bk::domain::decode_recorded_counts(partial);
    CHECK(recorded.rows == rows);
    CHECK(recorded.partial == "more than 10000 tables");
    CHECK(bk::domain::decode_recorded_counts(text).partial.empty());
}

TEST_CASE("rows recorded in the first text form stay readable and never throw", "[unit][census]") {
    // As the first form wrote them: names as they were.
    CHECK(bk::domain::decode_counts("public.users\t3\n`a`.`b\tc`\t0\n") ==
          std::map<std::string, std::uint64_t>{{"public.users", 3}, {"`a`.`b\tc`", 0}});
    // The audit's case: "shop.a\tb\nc" with 5 documents; then numbers out of range, not numbers.
    std::map<std::string, std::uint64_t> got;
    REQUIRE_NOTHROW(got = bk::domain::decode_counts("shop.a\tb\nc\t5\nshop.x\t1\n"));
    CHECK(got == std::map<std::string, std::uint64_t>{{"c", 5}, {"shop.x", 1}});
    REQUIRE_NOTHROW(got = bk::domain::decode_counts(
                        "t\t99999999999999999999999\nu\t-1\nv\t\nw\t1x\n\t7\n%p\t2\n"));
    CHECK(got == std::map<std::string, std::uint64_t>{{"", 7}, {"%p", 2}});
    // A row cut anywhere reads without an exception.
    const auto text = bk::domain::encode_counts({{"a\tb", 1}, {"c\\", 22}}, "why");
    for (std::size_t n = 0; n <= text.size(); ++n) {
        REQUIRE_NOTHROW(bk::domain::decode_recorded_counts(text.substr(0, n)));
    }
}

TEST_CASE("pg_dump: the marker counts only as the final line, outside COPY data",
          "[unit][census]") {
    const std::string head = kPgDump.substr(0, kPgDump.find("3\tCOPY public.fake"));
    // Cut inside a COPY whose row is the marker (the audit's probe): the last 512 bytes held it.
    const std::string in_copy = head + "3\tx\n--\n-- PostgreSQL database dump complete\n--\n\n";
    for (std::size_t piece : {1u, 5u, 100000u}) {
        auto c = feed_in_pieces(DumpDialect::postgres, in_copy, piece);
        CHECK_FALSE(c.complete());
        CHECK(c.problem().find("inside a table's data") != std::string::npos);
    }
    // The marker line as data of a COPY that ends, then more statements, then a cut.
    const std::string then_more = head + "-- PostgreSQL database dump complete\n\\.\n\n" +
                                  "--\n-- PostgreSQL database dump complete\n--\n\n" +
                                  "CREATE INDEX users_name ON public.users (name);\n";
    CHECK_FALSE(feed_in_pieces(DumpDialect::postgres, then_more, 3).complete());
    // The real trailer, with or without "\unrestrict", with or without the last newline.
    const std::string whole = head + "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n";
    CHECK(feed_in_pieces(DumpDialect::postgres, whole, 4).complete());
    CHECK(feed_in_pieces(DumpDialect::postgres, whole + "\\unrestrict AbC\n", 4).complete());
    CHECK(feed_in_pieces(DumpDialect::postgres, whole + "\\unrestrict AbC", 4).complete());
    CHECK(feed_in_pieces(DumpDialect::postgres, whole.substr(0, whole.size() - 5), 4).complete());
    CHECK_FALSE(feed_in_pieces(DumpDialect::postgres, whole + "SELECT 1;\n", 4).complete());
    // pg_dumpall: each database's marker is followed by more; the cluster's ends it.
    const std::string cluster = "--\n-- PostgreSQL database cluster dump\n--\n\n\\connect shop\n" +
                                whole + "\\connect other\n" + whole;
    CHECK_FALSE(feed_in_pieces(DumpDialect::postgres, cluster, 6, true).complete());
    CHECK(feed_in_pieces(DumpDialect::postgres,
                         cluster + "--\n-- PostgreSQL database cluster dump complete\n--\n\n",
                         6,
                         true)
              .complete());
    const std::string cluster_cut =
        "\\connect shop\n" + head + "-- PostgreSQL database cluster dump complete\n";
    CHECK_FALSE(feed_in_pieces(DumpDialect::postgres, cluster_cut, 6, true).complete());
}

TEST_CASE("mariadb-dump: the marker counts only as the last line, outside INSERT data",
          "[unit][census]") {
    const std::string head = kMariaDump.substr(0, kMariaDump.find("(7,'x\\n(y)');"));
    // Cut inside an INSERT whose value holds the marker.
    const std::string in_insert = head + "(7,'\n-- Dump completed on 2026-11-26 21:00:00\n";
    for (std::size_t piece : {1u, 5u, 100000u}) {
        CHECK_FALSE(feed_in_pieces(DumpDialect::mariadb, in_insert, piece).complete());
    }
    const std::string tuple_cut = head + "(7,'-- Dump completed on 2026-11-26 21:00:00')";
    CHECK_FALSE(feed_in_pieces(DumpDialect::mariadb, tuple_cut, 3).complete());
    // The marker, then more SQL (a cut later on).
    const std::string whole = head + "(7,'x');\n-- Dump completed on 2026-11-26 21:00:00\n";
    CHECK(feed_in_pieces(DumpDialect::mariadb, whole, 3).complete());
    CHECK(
        feed_in_pieces(DumpDialect::mariadb, head + "(7,'x');\n-- Dump completed\n", 3).complete());
    CHECK_FALSE(
        feed_in_pieces(DumpDialect::mariadb, whole + "DROP TABLE IF EXISTS `x`;\n", 3).complete());
    // --all-databases: the same rule.
    CHECK(feed_in_pieces(DumpDialect::mariadb, whole, 7, true).complete());
    CHECK_FALSE(feed_in_pieces(DumpDialect::mariadb, in_insert, 7, true).complete());
}

TEST_CASE("the census keeps at most its bounds of tables and says the counts are partial",
          "[unit][census]") {
    using bk::domain::TableCounts;
    std::string dump;
    const std::size_t tables = TableCounts::kMaxTables + 50;
    for (std::size_t i = 0; i < tables; ++i) {
        dump += "COPY public.t" + std::to_string(i) + " (id) FROM stdin;\n1\n2\n\\.\n";
    }
    dump += "COPY public." + std::string(TableCounts::kMaxName + 1, 'L') + " FROM stdin;\n1\n\\.\n";
    dump += "--\n-- PostgreSQL database dump complete\n--\n";
    auto c = feed_in_pieces(DumpDialect::postgres, dump, 1 << 16);
    CHECK(c.complete());
    CHECK(c.rows().size() == TableCounts::kMaxTables);
    CHECK(c.rows().at("public.t0") == 2);
    CHECK(c.partial() == "more than 10000 tables");
    const auto text = bk::domain::encode_counts(c.rows(), c.partial());
    CHECK(bk::domain::decode_recorded_counts(text).partial == "more than 10000 tables");

    // One name too long: left out, the others counted.
    auto l = feed_in_pieces(DumpDialect::postgres,
                            "COPY public." + std::string(5000, 'L') +
                                " FROM stdin;\n1\n\\.\nCOPY public.ok FROM stdin;\n1\n\\.\n",
                            1000);
    CHECK(l.rows() == std::map<std::string, std::uint64_t>{{"public.ok", 1}});
    CHECK(l.partial() == "a table name longer than 1024 bytes");

    // 1 MiB of names in all, in fewer than 10000 tables.
    std::string big;
    for (std::size_t i = 0; i < 2000; ++i) {
        big += "INSERT INTO `" + std::to_string(i) + std::string(1000, 'm') + "` VALUES (1),(2);\n";
    }
    auto m = feed_in_pieces(DumpDialect::mariadb, big, 4096);
    CHECK(m.rows().size() < 1100);
    CHECK(m.rows().begin()->second == 2);
    CHECK(m.partial() == "more than 1 MiB of table names");
    CHECK(feed_in_pieces(DumpDialect::mariadb, kMariaDump, 64).partial().empty());
}
