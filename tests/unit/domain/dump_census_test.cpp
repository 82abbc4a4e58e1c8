// DumpCensus: completeness and row counts of pg_dump / mariadb-dump output, however it is split.
#include <catch2/catch.hpp>

#include <string>

#include "domain/dump_census.hpp"

using bk::domain::DbType;
using bk::domain::DumpCensus;

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

DumpCensus feed_in_pieces(DbType type, const std::string& s, std::size_t piece, bool all = false) {
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
        auto c = feed_in_pieces(DbType::postgres, kPgDump, piece);
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
    auto c = feed_in_pieces(DbType::postgres, cut, 5);
    CHECK_FALSE(c.complete());
    CHECK(c.problem().find("completion marker") != std::string::npos);
    // pg_dumpall's marker is another one
    CHECK_FALSE(feed_in_pieces(DbType::postgres, kPgDump, 9, true).complete());
    CHECK(feed_in_pieces(DbType::postgres, kPgDump, 9, true).rows().empty());
}

TEST_CASE("mariadb-dump: tuples counted outside quotes and parentheses", "[unit][census]") {
    for (std::size_t piece : {1u, 3u, 11u, 100000u}) {
        INFO("piece " << piece);
        auto c = feed_in_pieces(DbType::mariadb, kMariaDump, piece);
        CHECK(c.complete());
        const auto& rows = c.rows();
        REQUIRE(rows.size() == 2);
        CHECK(rows.at("`shop`.`empty`") == 0);
        CHECK(rows.at("`shop`.`or``ders`") == 7);
    }
    const auto cut = kMariaDump.substr(0, kMariaDump.size() - 45);
    CHECK_FALSE(feed_in_pieces(DbType::mariadb, cut, 4).complete());
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
    auto c = feed_in_pieces(DbType::postgres, dump, 3);
    CHECK(c.complete());
    const std::map<std::string, std::uint64_t> want{{"public.\"a (b\"", 2},
                                                    {"public.\"q\"\"; \\! id\"", 1}};
    CHECK(c.rows() == want);
}
