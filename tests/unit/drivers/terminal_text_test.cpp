// What the CLI prints reaches the terminal as text (audit L9).
#include "drivers/cli/terminal_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <ostream>
#include <sstream>

using bk::drivers::cli::EscapingStreambuf;
using bk::drivers::cli::shown;

TEST_CASE("printed text shows escape sequences instead of obeying them", "[cli][terminal]") {
    std::ostringstream sink;
    {
        EscapingStreambuf buf(sink.rdbuf());
        std::ostream out(&buf);
        out << "restoring db shop\x1b[2K\r\x1b[1Ashop-other" << '\n' << "\tok\n";
        // a character split between two writes is held until it is complete
        out << "Gr\xc3" << std::flush;
        out << "\xbc\xc3\x9f"
            << "e \xc2"
            << "\x9b"
            << "31m\n";
        out << "cut at the end \xe2\x80";
    }
    CHECK(sink.str() ==
          "restoring db shop\\u001b[2K\\r\\u001b[1Ashop-other\n\tok\nGrüße \\u009b31m\n"
          "cut at the end \\xe2\\x80");
}

TEST_CASE("JSON output passes the escaping unchanged and stays JSON", "[cli][terminal]") {
    const nlohmann::json j{{"name", "a\x1b[31m\x7f\xc2\x9b\xe2\x80\xae"}, {"n", 1}};
    const auto text = j.dump(2);
    std::ostringstream sink;
    {
        EscapingStreambuf buf(sink.rdbuf());
        std::ostream out(&buf);
        out << text << "\n";
    }
    CHECK(nlohmann::json::parse(sink.str()) == j);
    CHECK(sink.str().find('\x1b') == std::string::npos);
    CHECK(sink.str().find("\xc2\x9b") == std::string::npos);
}

TEST_CASE("one value on a line escapes its line breaks", "[cli][terminal]") {
    CHECK(shown("shop\n  db other from snapshot x") == "shop\\n  db other from snapshot x");
    CHECK(shown("plain") == "plain");
}
