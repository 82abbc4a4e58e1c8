#include "line_buffer.hpp"

#include <catch2/catch.hpp>

#include "support/result_printing.hpp"

using dockerapi::detail::LineBuffer;

namespace {
std::span<const char> sp(const std::string& s) {
    return {s.data(), s.size()};
}
}  // namespace

TEST_CASE("lines are reassembled across chunk boundaries", "[ndjson]") {
    LineBuffer lb(1024);
    const std::string a = R"({"a":1})", b = "\n{\"b\":", c = "2}\n\n{\"c\":3}\r\n";
    REQUIRE(lb.append(sp(a)));
    CHECK_FALSE(lb.pop().has_value());
    REQUIRE(lb.append(sp(b)));
    CHECK(lb.pop() == R"({"a":1})");
    CHECK_FALSE(lb.pop().has_value());
    REQUIRE(lb.append(sp(c)));
    CHECK(lb.pop() == R"({"b":2})");
    CHECK(lb.pop() == R"({"c":3})");
    CHECK_FALSE(lb.pop().has_value());
    CHECK_FALSE(lb.has_partial());
}

TEST_CASE("an over-long unterminated line is refused", "[ndjson]") {
    LineBuffer lb(8);
    CHECK(lb.append(sp(std::string(8, 'x'))));
    CHECK_FALSE(lb.append(sp(std::string(1, 'x'))));
    CHECK(lb.has_partial());
}
