// The mongodump archive check over any bytes (first line: the sizes of the pieces it is fed in):
// no exception, no read out of bounds, the same verdict however the bytes are split.
#include "domain/mongo_archive.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    bk::fuzz::FuzzInput in(data, size);
    const auto sizes = in.line();
    bk::domain::MongoArchiveCheck pieces;
    bk::fuzz::in_pieces(in.rest(), sizes, [&pieces](std::span<const char> p) { pieces.feed(p); });
    bk::domain::MongoArchiveCheck whole;
    whole.feed(std::span<const char>(in.rest().data(), in.rest().size()));
    BK_FUZZ_CHECK(pieces.complete() == pieces.problem().empty());
    BK_FUZZ_CHECK(pieces.complete() == whole.complete());
    BK_FUZZ_CHECK(pieces.problem() == whole.problem());
    BK_FUZZ_CHECK(pieces.documents() == whole.documents());
    BK_FUZZ_CHECK(pieces.documents().size() <= bk::domain::TableCounts::kMaxTables);
    return 0;
}
