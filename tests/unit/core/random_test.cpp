#include "core/random.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <string>

#include "support/bk_result_printing.hpp"

using bk::random_hex;

TEST_CASE("random_hex: 2n lower-case hex digits, different each time", "[random]") {
    const auto a = random_hex(32);
    const auto b = random_hex(32);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->size() == 64);
    CHECK(a->find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(*a != *b);
    CHECK(*a != std::string(64, '0'));
}

TEST_CASE("random_hex: a failed read is an error, never an all-zero secret", "[random]") {
    const auto failing = [](void*, std::size_t, unsigned) -> ssize_t {
        errno = EIO;
        return -1;
    };
    const auto r = random_hex(16, failing);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == bk::errc::io_error);
    CHECK(r.error().message.find(std::strerror(EIO)) != std::string::npos);

    const auto empty = [](void*, std::size_t, unsigned) -> ssize_t { return 0; };
    CHECK_FALSE(random_hex(16, empty));
}

TEST_CASE("random_hex: a read cut short is continued, one interrupted is retried", "[random]") {
    int calls = 0;
    const auto dribbling = [&calls](void* buffer, std::size_t length, unsigned) -> ssize_t {
        if (++calls == 2) {
            errno = EINTR;
            return -1;
        }
        // One byte per call, each 0xab: the whole answer is assembled from the pieces.
        (void)length;
        *static_cast<unsigned char*>(buffer) = 0xab;
        return 1;
    };
    const auto r = random_hex(4, dribbling);
    REQUIRE(r);
    CHECK(*r == "abababab");
    CHECK(calls == 5);
}
