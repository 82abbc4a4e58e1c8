#pragma once
// Follows a dump as it streams past, in constant memory: whether it ended complete (the dump
// program's own completion marker, or a whole mongodump archive) and how many rows each table
// (documents each collection) holds. The counts are recorded with the snapshot at backup time; a
// restore drill compares the restored database against them.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "domain/mongo_archive.hpp"
#include "domain/target.hpp"

namespace bk::domain {

class DumpCensus {
public:
    /// `all_databases`: pg_dumpall / --all-databases / every database: completeness only, no
    /// counts (their tables live in several databases).
    DumpCensus(DbType type, bool all_databases);

    void feed(std::span<const char> data);
    /// The stream so far is a whole dump.
    [[nodiscard]] bool complete() const;
    /// Why it is not complete (empty when it is).
    [[nodiscard]] std::string problem() const;
    /// Table -> rows, keyed by the name as the SQL to count it needs it: `public.users` (psql),
    /// `` `shop`.`orders` `` (mariadb), `shop.orders` (mongo).
    [[nodiscard]] const std::map<std::string, std::uint64_t>& rows() const;
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

private:
    void feed_lines(std::span<const char> data);
    void on_line_end();
    void on_sql_byte(char c);

    DbType type_;
    bool all_;
    std::uint64_t bytes_{0};
    std::string tail_;   ///< the last bytes, for the completion marker
    std::string line_;   ///< the start of the current line (bounded)
    bool in_copy_{false};     ///< psql: inside COPY ... FROM stdin
    bool in_insert_{false};   ///< mariadb: inside INSERT INTO ... VALUES
    bool in_quote_{false};
    bool escape_{false};
    char quote_{0};
    int depth_{0};
    std::string table_;
    std::string database_;  ///< mariadb: the database of the last USE
    std::map<std::string, std::uint64_t> rows_;
    MongoArchiveCheck archive_;
};

/// The counts as JSON-free text for the audit row: one "name\trows" per line.
std::string encode_counts(const std::map<std::string, std::uint64_t>& rows);
std::map<std::string, std::uint64_t> decode_counts(const std::string& text);

}  // namespace bk::domain
