#include "domain/printable.hpp"

#include <catch2/catch.hpp>

using bk::domain::escape_unprintable;
using bk::domain::incomplete_utf8_tail;
using bk::domain::Layout;
using bk::domain::unprintable;

TEST_CASE("printable text: UTF-8 without controls or direction overrides", "[printable]") {
    CHECK_FALSE(unprintable("shop_db-1.prod"));
    CHECK_FALSE(unprintable("Grüße, 日本, emoji 🙂"));
    CHECK(*unprintable("shop\r\nX") == "holds a control character (U+000D at byte 4)");
    CHECK(*unprintable("a\x1b[2J") == "holds a control character (U+001B at byte 1)");
    CHECK(*unprintable("a\x7f") == "holds a control character (U+007F at byte 1)");
    CHECK(*unprintable("a\xc2\x9b"
                       "2J") == "holds a control character (U+009B at byte 1)");
    CHECK(*unprintable("x\xe2\x80\xae") == "holds a text direction control (U+202E at byte 1)");
    CHECK(*unprintable("\xff") == "holds a byte that is not UTF-8 (0xff at byte 0)");
    CHECK(unprintable("\xc0\xaf"));      // overlong '/'
    CHECK(unprintable("\xed\xa0\x80"));  // a surrogate
    CHECK(unprintable("\xe2\x80"));      // cut short
    CHECK(unprintable(std::string_view("a\0b", 3)));
}

TEST_CASE("escaping shows what a terminal would obey", "[printable]") {
    CHECK(escape_unprintable("shop\r\nContent-Type: x") == "shop\\r\\nContent-Type: x");
    CHECK(escape_unprintable("\x1b[31mred\x1b[0m") == "\\u001b[31mred\\u001b[0m");
    CHECK(escape_unprintable("a\xc2\x9b"
                             "2J\x7f") == "a\\u009b2J\\u007f");
    CHECK(escape_unprintable("gnp.\xe2\x80\xae"
                             "exe") == "gnp.\\u202eexe");
    CHECK(escape_unprintable("\xff"
                             "ok") == "\\xffok");
    CHECK(escape_unprintable("Grüße\t🙂") == "Grüße\\t🙂");
    CHECK(escape_unprintable("two\nlines\t\x1b", Layout::keep) == "two\nlines\t\\u001b");
    CHECK(escape_unprintable("cr\r", Layout::keep) == "cr\\r");
}

TEST_CASE("the unfinished UTF-8 character at the end of a piece", "[printable]") {
    CHECK(incomplete_utf8_tail("") == 0);
    CHECK(incomplete_utf8_tail("abc") == 0);
    CHECK(incomplete_utf8_tail("a\xc2") == 1);
    CHECK(incomplete_utf8_tail("a\xc2\x9b") == 0);
    CHECK(incomplete_utf8_tail("\xf0\x9f\x99") == 3);
    CHECK(incomplete_utf8_tail("\xf0\x9f\x99\x82") == 0);
    CHECK(incomplete_utf8_tail("\xe2\x80") == 2);
}
