#include "domain/dump_census.hpp"

#include <cstring>
#include <sstream>

#include "domain/table_name.hpp"

namespace bk::domain {
namespace {

constexpr std::size_t kLineKeep = 64 * 1024;  // a COPY / CREATE TABLE line is shorter
constexpr std::size_t kTailKeep = 1024;

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// The backticked name at `from`, backticks included (`a``b` stays as written).
std::string backticked(const std::string& s, std::size_t from) {
    if (from >= s.size() || s[from] != '`') return {};
    std::size_t i = from + 1;
    while (i < s.size()) {
        if (s[i] == '`') {
            if (i + 1 < s.size() && s[i + 1] == '`') {
                i += 2;
                continue;
            }
            return s.substr(from, i - from + 1);
        }
        ++i;
    }
    return {};
}

}  // namespace

DumpCensus::DumpCensus(DbType type, bool all_databases) : type_(type), all_(all_databases) {}

void DumpCensus::feed(std::span<const char> data) {
    bytes_ += data.size();
    if (type_ == DbType::mongodb) {
        archive_.feed(data);
        return;
    }
    if (data.size() >= kTailKeep) {
        tail_.assign(data.data() + data.size() - kTailKeep, kTailKeep);
    } else {
        tail_.append(data.data(), data.size());
        if (tail_.size() > 2 * kTailKeep) tail_.erase(0, tail_.size() - kTailKeep);
    }
    if (all_) return;
    if (type_ == DbType::postgres) {
        feed_lines(data);
        return;
    }
    // mariadb-dump / mysqldump: tuples are counted byte by byte (quotes, parentheses).
    for (char c : data) {
        if (in_insert_) {
            on_sql_byte(c);
        }
        if (c == '\n') {
            on_line_end();
            line_.clear();
            continue;
        }
        if (line_.size() < kLineKeep && !in_insert_) {
            line_ += c;
            // An INSERT's values may start on the line that names its table.
            if (c == ' ' && starts_with(line_, "INSERT INTO `") &&
                ends_with(line_, " VALUES ")) {
                table_ = database_ + backticked(line_, 12);
                rows_.try_emplace(table_, 0);
                in_insert_ = true;
                in_quote_ = escape_ = false;
                depth_ = 0;
            }
        }
    }
}

// pg_dump: only line starts matter, found with memchr (this runs on every byte of a backup).
void DumpCensus::feed_lines(std::span<const char> data) {
    const char* p = data.data();
    const char* const end = p + data.size();
    while (p < end) {
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char* stop = nl != nullptr ? nl : end;
        // Inside COPY only "\." matters: three bytes tell it from a row.
        const std::size_t keep = in_copy_ ? 3 : kLineKeep;
        if (line_.size() < keep) {
            line_.append(p, std::min(static_cast<std::size_t>(stop - p), keep - line_.size()));
        }
        if (nl == nullptr) break;
        on_line_end();
        line_.clear();
        p = nl + 1;
    }
}

void DumpCensus::on_sql_byte(char c) {
    if (in_quote_) {
        if (escape_) {
            escape_ = false;
        } else if (c == '\\') {
            escape_ = true;
        } else if (c == quote_) {
            in_quote_ = false;
        }
        return;
    }
    switch (c) {
        case '\'':
        case '"':
            in_quote_ = true;
            quote_ = c;
            break;
        case '(':
            if (depth_++ == 0) ++rows_[table_];
            break;
        case ')': --depth_; break;
        case ';':
            if (depth_ == 0) in_insert_ = false;
            break;
        default: break;
    }
}

void DumpCensus::on_line_end() {
    if (type_ == DbType::postgres) {
        if (in_copy_) {
            if (line_ == "\\.") {
                in_copy_ = false;
            } else {
                ++rows_[table_];
            }
            return;
        }
        // COPY public.users (id, name) FROM stdin;
        if (starts_with(line_, "COPY ") && ends_with(line_, " FROM stdin;")) {
            // The name as pg_dump quotes it: `public."a (b"` holds " (" itself.
            auto len = sql_name_length(std::string_view(line_).substr(5), '"');
            if (len == 0) {
                const auto end = line_.find(" (");
                len = (end == std::string::npos ? line_.size() - std::string(" FROM stdin;").size()
                                                : end) -
                      5;
            }
            table_ = line_.substr(5, len);
            rows_.try_emplace(table_, 0);
            in_copy_ = true;
        }
        return;
    }
    // mariadb-dump / mysqldump
    if (starts_with(line_, "USE `")) {
        database_ = backticked(line_, 4) + ".";
    } else if (starts_with(line_, "CREATE TABLE `")) {
        rows_.try_emplace(database_ + backticked(line_, 13), 0);
    } else if (!in_insert_ && starts_with(line_, "INSERT INTO `") && ends_with(line_, " VALUES")) {
        // mariadb-dump 10.11+: "INSERT INTO `t` VALUES" alone, then one tuple per line.
        table_ = database_ + backticked(line_, 12);
        rows_.try_emplace(table_, 0);
        in_insert_ = true;
        in_quote_ = escape_ = false;
        depth_ = 0;
    }
}

bool DumpCensus::complete() const {
    if (type_ == DbType::mongodb) return archive_.complete();
    const std::string end = tail_.size() > 512 ? tail_.substr(tail_.size() - 512) : tail_;
    if (type_ == DbType::postgres) {
        // Current pg_dump follows the trailer with "\unrestrict <token>".
        return end.find(all_ ? "-- PostgreSQL database cluster dump complete"
                             : "-- PostgreSQL database dump complete") != std::string::npos;
    }
    return end.find("-- Dump completed") != std::string::npos;
}

std::string DumpCensus::problem() const {
    if (complete()) return {};
    if (type_ == DbType::mongodb) return archive_.problem();
    return "the dump ends without its completion marker (truncated?)";
}

const std::map<std::string, std::uint64_t>& DumpCensus::rows() const {
    static const std::map<std::string, std::uint64_t> none;
    if (all_) return none;
    return type_ == DbType::mongodb ? archive_.documents() : rows_;
}

std::string encode_counts(const std::map<std::string, std::uint64_t>& rows) {
    std::string out;
    for (const auto& [name, n] : rows) out += name + "\t" + std::to_string(n) + "\n";
    return out;
}

std::map<std::string, std::uint64_t> decode_counts(const std::string& text) {
    std::map<std::string, std::uint64_t> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto tab = line.rfind('\t');
        if (tab == std::string::npos) continue;
        out[line.substr(0, tab)] = std::stoull(line.substr(tab + 1));
    }
    return out;
}

}  // namespace bk::domain
