// The dump census over any bytes (first byte: the database kind and all-databases; first line:
// the sizes of the pieces it is fed in): no exception, bounded counts, and the counts survive
// their text form. The text form's reader also runs on the raw input (old audit rows).
#include <string>

#include "domain/dump_census.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bk::domain;  // NOLINT(google-build-using-namespace)
    bk::fuzz::FuzzInput in(data, size);
    (void)decode_recorded_counts(in.rest());
    const auto choice = in.byte();
    const DumpDialect type = choice % 3 == 0   ? DumpDialect::postgres
                             : choice % 3 == 1 ? DumpDialect::mariadb
                                               : DumpDialect::mongodb;
    const bool all = (choice & 0x80u) != 0;
    const auto sizes = in.line();
    DumpCensus census(type, all);
    bk::fuzz::in_pieces(in.rest(), sizes, [&census](std::span<const char> p) { census.feed(p); });
    BK_FUZZ_CHECK(census.complete() == census.problem().empty());
    BK_FUZZ_CHECK(census.bytes() == in.rest().size());
    const auto& rows = census.rows();
    BK_FUZZ_CHECK(rows.size() <= TableCounts::kMaxTables);
    const auto text = encode_counts(rows, census.partial());
    const auto back = decode_recorded_counts(text);
    BK_FUZZ_CHECK(back.rows == rows);
    BK_FUZZ_CHECK(back.partial == census.partial());
    // The same bytes in one piece: the same verdict and counts.
    DumpCensus whole(type, all);
    whole.feed(std::span<const char>(in.rest().data(), in.rest().size()));
    BK_FUZZ_CHECK(whole.complete() == census.complete());
    BK_FUZZ_CHECK(whole.rows() == rows);
    return 0;
}
