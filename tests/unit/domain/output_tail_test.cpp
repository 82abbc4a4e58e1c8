#include "domain/output_tail.hpp"

#include <catch2/catch.hpp>

#include <string>

using bk::domain::OutputTail;

TEST_CASE("OutputTail keeps the last bytes of a stream however it is split", "[output_tail]") {
    std::string all;
    for (int i = 0; i < 3000; ++i)
        all += "line " + std::to_string(i) + "\n";
    for (const std::size_t chunk : {std::size_t{1},
                                    std::size_t{7},
                                    std::size_t{100},
                                    std::size_t{4096},
                                    std::size_t{5000},
                                    all.size()}) {
        OutputTail tail(4096);
        for (std::size_t at = 0; at < all.size(); at += chunk) {
            tail.append(std::string_view(all).substr(at, chunk));
            CHECK(tail.text().size() <= 4096);
        }
        CHECK(tail.text() == all.substr(all.size() - 4096));
    }
}

TEST_CASE("OutputTail holds all of a short output", "[output_tail]") {
    OutputTail tail(4096);
    CHECK(tail.text().empty());
    tail.append("pg_dump: error: ");
    tail.append("connection refused\n");
    CHECK(tail.text() == "pg_dump: error: connection refused\n");
}
