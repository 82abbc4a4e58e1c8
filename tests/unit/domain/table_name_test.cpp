// Table names from dump text taken apart by their SQL quoting rules (the drill's row counts).
#include "domain/table_name.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using bk::domain::sql_name_length;
using bk::domain::sql_name_parts;
using Parts = std::vector<std::string>;

TEST_CASE("a COPY line's name ends where its quoting says", "[unit][table_name]") {
    CHECK(sql_name_length("public.users (id) FROM stdin;", '"') == 12);
    CHECK(sql_name_length("public.\"a (b\" (id) FROM stdin;", '"') == 13);
    CHECK(sql_name_length("\"x\"\"y\".\"z\" FROM stdin;", '"') == 10);
    CHECK(sql_name_length("`shop`.`or``ders` VALUES", '`') == 17);
    CHECK(sql_name_length("public.\"open", '"') == 0);  // unterminated
    CHECK(sql_name_length("public. x", '"') == 0);      // empty part
    CHECK(sql_name_length("\"\".t", '"') == 0);         // "" is no identifier
}

TEST_CASE("names come apart into their identifiers, hostile ones included", "[unit][table_name]") {
    CHECK(sql_name_parts("public.users", '"', true) == Parts{"public", "users"});
    CHECK(sql_name_parts("Public.Users", '"', true) == Parts{"public", "users"});  // folded
    CHECK(sql_name_parts("public.\"a (b\"", '"', true) == Parts{"public", "a (b"});
    CHECK(sql_name_parts("public.\"q\"\"; \\! id\"", '"', true) == Parts{"public", "q\"; \\! id"});
    CHECK(sql_name_parts("`shop`.`or``ders`", '`', false) == Parts{"shop", "or`ders"});
    CHECK(sql_name_parts("`app`.`a\\`", '`', false) == Parts{"app", "a\\"});
    CHECK(sql_name_parts("`app`.`\\! id`", '`', false) == Parts{"app", "\\! id"});
}

TEST_CASE("what is not exactly one name is refused", "[unit][table_name]") {
    CHECK_FALSE(sql_name_parts("", '"', true));
    CHECK_FALSE(sql_name_parts("public.users; \\! id", '"', true));  // text after the name
    CHECK_FALSE(sql_name_parts("public.\"a", '"', true));            // what census cut short
    CHECK_FALSE(sql_name_parts("users (id)", '"', true));
    CHECK_FALSE(sql_name_parts("a.b.c.d", '"', true));
    CHECK_FALSE(sql_name_parts("public.\"new\nline\"", '"', true));  // control bytes
    CHECK_FALSE(sql_name_parts("`a`.`b", '`', false));
    CHECK_FALSE(sql_name_parts("`a`;`b`", '`', false));
}

TEST_CASE("hex of a name", "[unit][table_name]") {
    CHECK(bk::domain::to_hex("a\"`\\\xff") == "6122605cff");
}
