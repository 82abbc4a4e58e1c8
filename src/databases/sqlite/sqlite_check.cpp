#include "databases/sqlite/sqlite_check.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "domain/printable.hpp"

namespace bk::databases::sqlite {
namespace {

// The 16 bytes every SQLite 3 database file starts with, its NUL included.
constexpr std::string_view kMagic{"SQLite format 3\0", 16};
constexpr std::string_view kRowsPrefix = "backupctl-rows ";
constexpr std::string_view kRowsEnd = "backupctl-rows-end";

// Header fields (https://www.sqlite.org/fileformat2.html#the_database_header).
constexpr std::size_t kPageSizeAt = 16;
constexpr std::size_t kPayloadFractionsAt = 21;  // 64, 32, 32 in every valid file
constexpr std::size_t kChangeCounterAt = 24;
constexpr std::size_t kPageCountAt = 28;
constexpr std::size_t kValidForAt = 92;

template <std::size_t N>
std::uint32_t big_endian(const std::array<unsigned char, N>& bytes, std::size_t at, int width) {
    std::uint32_t v = 0;
    for (int i = 0; i < width; ++i) {
        v = (v << 8U) | bytes[at + static_cast<std::size_t>(i)];
    }
    return v;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::optional<std::uint64_t> count_value(std::string_view s) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return n;
}

}  // namespace

void SqliteCheck::feed(std::span<const char> data) {
    if (bytes_ < kHeaderSize) {
        const auto take = std::min<std::size_t>(data.size(), kHeaderSize - bytes_);
        std::copy_n(data.begin(), take, header_.begin() + static_cast<std::ptrdiff_t>(bytes_));
    }
    bytes_ += data.size();
}

std::string SqliteCheck::header_problem() const {
    const auto have = static_cast<std::size_t>(std::min<std::uint64_t>(bytes_, kHeaderSize));
    const auto magic = std::min(have, kMagic.size());
    if (!std::equal(
            kMagic.begin(), kMagic.begin() + static_cast<std::ptrdiff_t>(magic), header_.begin())) {
        // What it starts with tells what it is (an error message, HTML, another format).
        std::string_view first(reinterpret_cast<const char*>(header_.data()),
                               std::min<std::size_t>(have, 32));
        return "not a SQLite database (the first bytes are \"" + domain::escape_unprintable(first) +
               "\")";
    }
    if (have < kHeaderSize) {
        return "truncated: " + std::to_string(bytes_) + " bytes, less than the " +
               std::to_string(kHeaderSize) + "-byte header";
    }
    const std::uint32_t page_size = big_endian(header_, kPageSizeAt, 2);
    if (page_size != 1 && (page_size < 512 || (page_size & (page_size - 1)) != 0)) {
        return "not a SQLite database (page size " + std::to_string(page_size) +
               " is not a power of two from 512 to 65536)";
    }
    if (header_[kPayloadFractionsAt] != 64 || header_[kPayloadFractionsAt + 1] != 32 ||
        header_[kPayloadFractionsAt + 2] != 32) {
        return "not a SQLite database (its header's payload fractions are not 64, 32, 32)";
    }
    const std::uint32_t changes = big_endian(header_, kChangeCounterAt, 4);
    const std::uint32_t valid_for = big_endian(header_, kValidForAt, 4);
    // A file written by a version before 3.7.0 (or edited by one) keeps a stale page count; the
    // copies that sqlite3's .backup makes never do.
    if (valid_for != changes) {
        return "the header's page count is not valid (change counter " + std::to_string(changes) +
               ", valid for " + std::to_string(valid_for) +
               "): not a copy made by sqlite3's .backup";
    }
    if (big_endian(header_, kPageCountAt, 4) == 0)
        return "the header's page count is 0";
    return {};
}

std::uint64_t SqliteCheck::expected_bytes() const {
    if (bytes_ < kHeaderSize || !header_problem().empty())
        return 0;
    const std::uint32_t raw = big_endian(header_, kPageSizeAt, 2);
    const std::uint64_t page_size = raw == 1 ? 65536 : raw;
    return page_size * big_endian(header_, kPageCountAt, 4);
}

bool SqliteCheck::complete() const {
    const auto expected = expected_bytes();
    return expected != 0 && bytes_ == expected;
}

std::string SqliteCheck::problem() const {
    if (bytes_ == 0)
        return "empty";
    if (auto why = header_problem(); !why.empty())
        return why;
    const auto expected = expected_bytes();
    if (bytes_ < expected) {
        return "truncated: " + std::to_string(bytes_) + " of " + std::to_string(expected) +
               " bytes";
    }
    if (bytes_ > expected) {
        return std::to_string(expected) + " bytes expected, " + std::to_string(bytes_) +
               " received (trailing data)";
    }
    return {};
}

void SqliteCheck::feed_messages(std::span<const char> data) {
    for (const char c : data) {
        if (c == '\n') {
            if (!dropping_)
                on_message_line();
            line_.clear();
            dropping_ = false;
            continue;
        }
        if (dropping_)
            continue;
        if (line_.size() == kMaxLine) {
            // Without its end the line cannot be read; a count line lost this way makes the
            // counts partial rather than silently short of a table.
            long_count_ = long_count_ || line_.starts_with(kRowsPrefix);
            dropping_ = true;
            line_.clear();
            continue;
        }
        line_ += c;
    }
    update_partial();
}

void SqliteCheck::on_message_line() {
    std::string_view line = line_;
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    if (line == kRowsEnd) {
        ended_ = true;
        return;
    }
    if (ended_ || !line.starts_with(kRowsPrefix))
        return;
    line.remove_prefix(kRowsPrefix.size());
    // "<HEX> <count>"; the name of a table may be empty, so may its hex.
    const auto space = line.find(' ');
    const auto name =
        space == std::string_view::npos ? std::nullopt : from_hex(line.substr(0, space));
    const auto n =
        space == std::string_view::npos ? std::nullopt : count_value(line.substr(space + 1));
    if (!name || !n) {
        unreadable_ = true;
        return;
    }
    if (auto* counter = counts_.find_or_add(*name); counter != nullptr)
        *counter = *n;
}

void SqliteCheck::update_partial() {
    if (!ended_) {
        partial_ = "the row counts did not end";
    } else if (!counts_.partial().empty()) {
        partial_ = counts_.partial();
    } else if (long_count_) {
        partial_ = "a row count line longer than " + std::to_string(kMaxLine) + " bytes";
    } else if (unreadable_) {
        partial_ = "a row count line that cannot be read";
    } else {
        partial_.clear();
    }
}

}  // namespace bk::databases::sqlite
