#pragma once
// Rows (documents) per table (collection) of a dump, in bounded memory: a hostile dump can name
// millions of tables, or tables of megabytes. Past a bound a table is left out of the counts, and
// the counts say they are partial (the drill then compares the tables they hold).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace bk::domain {

class TableCounts {
public:
    static constexpr std::size_t kMaxTables = 10'000;
    static constexpr std::size_t kMaxName = 1024;           ///< bytes of one name
    static constexpr std::size_t kMaxNameBytes = 1u << 20;  ///< bytes of all names

    /// The counter of `name` (added at 0 when new), or nullptr when the table is left out.
    std::uint64_t* find_or_add(const std::string& name);
    [[nodiscard]] const std::map<std::string, std::uint64_t>& rows() const { return rows_; }
    /// Why some tables were left out (the first bound reached); empty when none was.
    [[nodiscard]] const std::string& partial() const { return partial_; }

private:
    std::map<std::string, std::uint64_t> rows_;
    std::size_t name_bytes_{0};
    std::string partial_;
};

}  // namespace bk::domain
