#pragma once
// Follows a Redis RDB file as `redis-cli --rdb -` streams it, in bounded memory, and says whether
// it ended complete: "REDIS" and a four-digit version, then whatever the server wrote, ending on
// the EOF opcode 0xFF and the CRC-64 of every byte before it, 0xFF included (little-endian).
// A server with `repl-diskless-sync yes` (the default) sends the 40-byte EOF mark of the diskless
// transfer after that end and redis-cli writes it to stdout too, so the end is found either 9 or
// 49 bytes before the end of the stream; redis-server and redis-check-rdb ignore what follows.
// The key counts come from the client's messages: the dump script prints INFO keyspace before
// and after the transfer between backupctl-keyspace-* lines
// (src/databases/redis/redis_scripts.hpp).

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "domain/database_kind.hpp"

namespace bk::databases::redis {

/// CRC-64 as Redis computes it (redis/src/crc64.c): Jones polynomial 0xad93d23594c935a9,
/// reflected, initial value 0, no final xor. `crc` is the value over the bytes before `data`.
std::uint64_t crc64(std::uint64_t crc, std::span<const unsigned char> data);

class RdbCheck final : public domain::DumpCheck {
public:
    /// The RDB versions accepted: 1 (Redis 1.x) to 99. Redis 7.0 writes 10, 7.2 writes 11, 7.4
    /// and 8 write 12; a newer version is accepted too, since the checksum proves the stream
    /// whole and a drill proves that a server loads it.
    static constexpr int kMinVersion = 1;
    static constexpr int kMaxVersion = 99;
    /// The diskless transfer's EOF mark (RDB_EOF_MARK_SIZE) that may follow the RDB's end.
    static constexpr std::size_t kEofMarkSize = 40;
    /// Longest message line kept; the rest of a longer one is dropped (it is never ours).
    static constexpr std::size_t kMaxLine = 1024;
    /// Databases counted at most per INFO keyspace (Redis's default is 16).
    static constexpr std::size_t kMaxDatabases = 4096;

    void feed(std::span<const char> data) override;
    void feed_messages(std::span<const char> data) override;
    [[nodiscard]] bool complete() const override;
    [[nodiscard]] std::string problem() const override;
    /// "db0" -> keys, as INFO keyspace names them; only when the counts before and after the
    /// transfer agree.
    [[nodiscard]] const std::map<std::string, std::uint64_t>& rows() const override {
        return rows_;
    }
    [[nodiscard]] const std::string& partial() const override { return partial_; }
    [[nodiscard]] std::uint64_t bytes() const override { return total_; }
    /// The RDB carries a checksum (false: the server runs with `rdbchecksum no`, which writes
    /// zeros, and complete() only found the 0xFF and the zeros where the end belongs). Only
    /// meaningful when complete().
    [[nodiscard]] bool checksummed() const;
    /// The RDB's own length, without the diskless EOF mark after it (0 unless complete()). A
    /// server loads dump.rdb with the mark, but not an AOF base file: a restore into a server
    /// with `appendonly yes` writes only these bytes (redis_scripts.hpp).
    [[nodiscard]] std::uint64_t rdb_bytes() const;

private:
    // The end can only be 9 or 49 bytes before the stream's end: the last kTail bytes are kept
    // out of the running CRC so that the CRC up to either candidate is computed when asked.
    static constexpr std::size_t kTail = 9 + kEofMarkSize;
    enum class EndKind { none, checksummed, zero };
    struct End {
        EndKind kind{EndKind::none};
        std::uint64_t rdb_bytes{0};
    };
    [[nodiscard]] EndKind end_at(std::size_t offset_in_tail) const;
    [[nodiscard]] End end() const;
    void take_header(std::span<const unsigned char> data);
    [[nodiscard]] std::string header_problem() const;
    void on_line(std::string_view line);
    void settle_counts();

    std::uint64_t total_{0};
    std::uint64_t crc_{0};  ///< over the bytes before tail_
    std::array<unsigned char, kTail> tail_{};
    std::size_t tail_size_{0};
    std::array<char, 9> header_{};
    std::size_t header_size_{0};

    enum class Section { none, before, after, end, broken };
    Section section_{Section::none};
    std::string line_;
    bool line_too_long_{false};
    std::map<std::string, std::uint64_t> before_;
    std::map<std::string, std::uint64_t> after_;
    std::string broken_;  ///< why the messages cannot give counts
    std::map<std::string, std::uint64_t> rows_;
    std::string partial_{kNoCounts};
    static constexpr std::string_view kNoCounts =
        "no key counts: the dump script's backupctl-keyspace-end line never came";
};

}  // namespace bk::databases::redis
