#pragma once
// Follows a dump as it streams past, in bounded memory: whether it ended complete (the dump
// program's own completion marker as its last line, outside any table's data, or a whole
// mongodump archive) and how many rows each table (documents each collection) holds. The counts
// are recorded with the snapshot at backup time; a restore drill compares the restored database
// against them. They are bounded (domain::TableCounts): past the bounds they are partial.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "domain/database_kind.hpp"
#include "domain/mongo_archive.hpp"
#include "domain/table_counts.hpp"

namespace bk::domain {

/// The dump formats the census reads: SQL text of pg_dump, of mysqldump / mariadb-dump, and
/// mongodump archives (the kinds of src/databases/ choose theirs).
enum class DumpDialect { postgres, mysql, mariadb, mongodb };

class DumpCensus final : public DumpCheck {
public:
    /// `all_databases`: pg_dumpall / --all-databases / every database: completeness only, no
    /// counts (their tables live in several databases).
    DumpCensus(DumpDialect type, bool all_databases);

    void feed(std::span<const char> data) override;
    /// The stream so far is a whole dump.
    [[nodiscard]] bool complete() const override;
    /// Why it is not complete (empty when it is).
    [[nodiscard]] std::string problem() const override;
    /// Table -> rows, keyed by the name as the SQL to count it needs it: `public.users` (psql),
    /// `` `shop`.`orders` `` (mariadb), `shop.orders` (mongo).
    [[nodiscard]] const std::map<std::string, std::uint64_t>& rows() const override;
    /// Why rows() leaves tables out (a bound of TableCounts was reached); empty when it does not.
    [[nodiscard]] const std::string& partial() const override;
    [[nodiscard]] std::uint64_t bytes() const override { return bytes_; }

private:
    void feed_lines(std::span<const char> data);
    void on_line_end();
    void on_sql_byte(char c);
    void begin_insert();
    [[nodiscard]] bool is_marker(const std::string& line) const;
    [[nodiscard]] bool is_trailer(const std::string& line) const;

    DumpDialect type_;
    bool all_;
    std::uint64_t bytes_{0};
    std::string line_;       ///< the start of the current line (bounded)
    bool marker_{false};     ///< the completion marker, followed by its trailer lines only
    bool in_copy_{false};    ///< psql: inside COPY ... FROM stdin
    bool in_insert_{false};  ///< mariadb: inside INSERT INTO ... VALUES
    bool in_quote_{false};
    bool escape_{false};
    char quote_{0};
    int depth_{0};
    std::string table_;
    std::uint64_t* current_{nullptr};  ///< the counter of table_; nullptr: not counted
    std::string database_;             ///< mariadb: the database of the last USE
    TableCounts counts_;
    MongoArchiveCheck archive_;
};

/// The counts as JSON-free text for the audit row: a "%bk-counts 2" line, "%partial <why>" when
/// tables were left out, then one "name\trows" line per table, with backslash and control bytes
/// of names escaped (\\, \t, \n, \xHH).
std::string encode_counts(const std::map<std::string, std::uint64_t>& rows,
                          const std::string& partial = {});

struct RecordedCounts {
    std::map<std::string, std::uint64_t> rows;
    std::string partial;  ///< why tables were left out; empty: none was
};
/// Reads both text forms (rows written before names were escaped too). Never throws: a line it
/// cannot read is left out.
RecordedCounts decode_recorded_counts(std::string_view text);
std::map<std::string, std::uint64_t> decode_counts(std::string_view text);

}  // namespace bk::domain
