#pragma once
// The check of a SQLite snapshot: the database file itself, a consistent copy that the helper
// container made with sqlite3's .backup and streamed to stdout. The file says how long it must
// be (page size x page count in its 100-byte header), so a cut or a tail of other bytes shows.
// The row counts come from the helper's stderr, taken on the copy before it was streamed.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "domain/database_kind.hpp"
#include "domain/table_counts.hpp"

namespace bk::databases::sqlite {

/// Follows a SQLite database file as it streams past, in constant memory (its header and one
/// line of the client's messages), however the bytes are split.
///
/// The client's messages (the backup script's stderr) carry the counts as
/// `backupctl-rows <HEX> <count>` lines, HEX being the table name's UTF-8 bytes as sqlite's
/// hex() writes them, and end with `backupctl-rows-end`; other lines are ignored.
class SqliteCheck final : public domain::DumpCheck {
public:
    static constexpr std::size_t kHeaderSize = 100;
    /// A message line longer than this is dropped (a count line of the longest name a
    /// TableCounts keeps is about 2 KiB).
    static constexpr std::size_t kMaxLine = 4096;

    void feed(std::span<const char> data) override;
    void feed_messages(std::span<const char> data) override;
    [[nodiscard]] bool complete() const override;
    [[nodiscard]] std::string problem() const override;
    [[nodiscard]] const std::map<std::string, std::uint64_t>& rows() const override {
        return counts_.rows();
    }
    [[nodiscard]] const std::string& partial() const override { return partial_; }
    [[nodiscard]] std::uint64_t bytes() const override { return bytes_; }

private:
    void on_message_line();
    void update_partial();
    /// Why the header is not one of a SQLite database copy; empty when it is.
    [[nodiscard]] std::string header_problem() const;
    /// The file's length in bytes as its header gives it (0 when the header does not).
    [[nodiscard]] std::uint64_t expected_bytes() const;

    std::array<unsigned char, kHeaderSize> header_{};
    std::uint64_t bytes_{0};

    std::string line_;        ///< the current message line (at most kMaxLine bytes)
    bool dropping_{false};    ///< the current message line is too long: skipped to its end
    bool long_count_{false};  ///< a dropped line was a count line
    bool unreadable_{false};  ///< a count line could not be read
    bool ended_{false};       ///< backupctl-rows-end came
    domain::TableCounts counts_;
    std::string partial_{"the row counts did not end"};
};

}  // namespace bk::databases::sqlite
