#include "domain/dump_census.hpp"

#include <charconv>
#include <cstring>
#include <optional>

#include "domain/table_name.hpp"

namespace bk::domain {
namespace {

constexpr std::size_t kLineKeep = std::size_t{64} * 1024;  // a COPY / CREATE TABLE line is shorter

constexpr const char* kPgMarker = "-- PostgreSQL database dump complete";
constexpr const char* kPgAllMarker = "-- PostgreSQL database cluster dump complete";
constexpr const char* kMariaMarker = "-- Dump completed";  // " on <date>" unless --skip-dump-date

// The first line of the current text form of the counts (see encode_counts); rows of the first
// form (before names were escaped) do not start with it.
constexpr const char* kCountsHeader = "%bk-counts 2";
constexpr const char* kPartialLine = "%partial ";

bool starts_with(const std::string& s, const char* p) {
    return s.rfind(p, 0) == 0;
}
bool ends_with(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// The backticked name at `from`, backticks included (`a``b` stays as written).
std::string backticked(const std::string& s, std::size_t from) {
    if (from >= s.size() || s[from] != '`')
        return {};
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

// What may follow pg_dump's completion marker: its own comment lines, blank lines, and the
// "\unrestrict <token>" of current versions.
bool pg_trailer(const std::string& line) {
    return line.empty() || starts_with(line, "--") || starts_with(line, "\\unrestrict ");
}

// Names in the text form: backslash, and every control byte (tab and newline separate fields and
// records) as \\, \t, \n or \xHH.
void append_escaped(std::string& out, const std::string& name) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The inverse of append_escaped; an escape it would not write stays as it is.
std::string unescaped(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        const char e = s[i + 1];
        if (e == '\\' || e == 't' || e == 'n') {
            out += e == 't' ? '\t' : e == 'n' ? '\n' : '\\';
            ++i;
        } else if (e == 'x' && i + 3 < s.size() && hex_digit(s[i + 2]) >= 0 &&
                   hex_digit(s[i + 3]) >= 0) {
            out += static_cast<char>(hex_digit(s[i + 2]) * 16 + hex_digit(s[i + 3]));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<std::uint64_t> number(std::string_view s) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
        return std::nullopt;
    return n;
}

}  // namespace

DumpCensus::DumpCensus(DumpDialect type, bool all_databases) : type_(type), all_(all_databases) {}

void DumpCensus::feed(std::span<const char> data) {
    bytes_ += data.size();
    if (type_ == DumpDialect::mongodb) {
        archive_.feed(data);
        return;
    }
    if (type_ == DumpDialect::postgres) {
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
            if (c == ' ' && starts_with(line_, "INSERT INTO `") && ends_with(line_, " VALUES ")) {
                begin_insert();
            }
        }
    }
}

// pg_dump: only line starts matter, found with memchr (this runs on every byte of a backup).
void DumpCensus::feed_lines(std::span<const char> data) {
    const char* p = data.data();
    const char* const end = p + data.size();
    while (p < end) {
        const auto* nl =
            static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        const char* stop = nl != nullptr ? nl : end;
        // Inside COPY only "\." matters: three bytes tell it from a row.
        const std::size_t keep = in_copy_ ? 3 : kLineKeep;
        if (line_.size() < keep) {
            line_.append(p, std::min(static_cast<std::size_t>(stop - p), keep - line_.size()));
        }
        if (nl == nullptr)
            break;
        on_line_end();
        line_.clear();
        p = nl + 1;
    }
}

void DumpCensus::begin_insert() {
    table_ = database_ + backticked(line_, 12);
    current_ = all_ ? nullptr : counts_.find_or_add(table_);
    in_insert_ = true;
    in_quote_ = escape_ = false;
    depth_ = 0;
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
            if (depth_++ == 0 && current_ != nullptr)
                ++*current_;
            break;
        case ')':
            --depth_;
            break;
        case ';':
            if (depth_ == 0)
                in_insert_ = false;
            break;
        default:
            break;
    }
}

bool DumpCensus::is_marker(const std::string& line) const {
    if (type_ == DumpDialect::postgres)
        return line == (all_ ? kPgAllMarker : kPgMarker);
    return starts_with(line, kMariaMarker);
}

bool DumpCensus::is_trailer(const std::string& line) const {
    return type_ == DumpDialect::postgres ? pg_trailer(line) : line.empty();
}

void DumpCensus::on_line_end() {
    if (type_ == DumpDialect::postgres) {
        if (in_copy_) {
            if (line_ == "\\.") {
                in_copy_ = false;
            } else if (current_ != nullptr) {
                ++*current_;
            }
            return;
        }
        // The marker counts only when nothing but its trailer follows it.
        if (is_marker(line_)) {
            marker_ = true;
        } else if (!is_trailer(line_)) {
            marker_ = false;
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
            if (all_) {
                current_ = nullptr;
            } else {
                table_.assign(line_, 5, len);
                current_ = counts_.find_or_add(table_);
            }
            in_copy_ = true;
        }
        return;
    }
    // mariadb-dump / mysqldump. Inside an INSERT's values line_ holds nothing of them.
    if (!in_insert_) {
        if (is_marker(line_)) {
            marker_ = true;
        } else if (!is_trailer(line_)) {
            marker_ = false;
        }
    }
    if (starts_with(line_, "USE `")) {
        database_ = backticked(line_, 4) + ".";
    } else if (starts_with(line_, "CREATE TABLE `")) {
        if (!all_)
            counts_.find_or_add(database_ + backticked(line_, 13));
    } else if (!in_insert_ && starts_with(line_, "INSERT INTO `") && ends_with(line_, " VALUES")) {
        // mariadb-dump 10.11+: "INSERT INTO `t` VALUES" alone, then one tuple per line.
        begin_insert();
    }
}

bool DumpCensus::complete() const {
    if (type_ == DumpDialect::mongodb)
        return archive_.complete();
    if (in_copy_ || in_insert_)
        return false;  // cut inside a table's data
    // The last line may lack its newline: it counts as a line.
    if (line_.empty())
        return marker_;
    if (is_marker(line_))
        return true;
    return marker_ && is_trailer(line_);
}

std::string DumpCensus::problem() const {
    if (complete())
        return {};
    if (type_ == DumpDialect::mongodb)
        return "archive check: " + archive_.problem();
    if (in_copy_ || in_insert_) {
        return "the dump ends inside a table's data, without its completion marker (truncated?)";
    }
    return "the dump ends without its completion marker (truncated?)";
}

const std::map<std::string, std::uint64_t>& DumpCensus::rows() const {
    static const std::map<std::string, std::uint64_t> none;
    if (all_)
        return none;
    return type_ == DumpDialect::mongodb ? archive_.documents() : counts_.rows();
}

const std::string& DumpCensus::partial() const {
    static const std::string none;
    if (all_)
        return none;
    return type_ == DumpDialect::mongodb ? archive_.partial() : counts_.partial();
}

std::string encode_counts(const std::map<std::string, std::uint64_t>& rows,
                          const std::string& partial) {
    std::string out = kCountsHeader;
    out += '\n';
    if (!partial.empty()) {
        out += kPartialLine;
        append_escaped(out, partial);
        out += '\n';
    }
    for (const auto& [name, n] : rows) {
        // A line starting with '%' is ours (a mongo database may be called "%x").
        if (!name.empty() && name[0] == '%') {
            out += "\\x25";
            append_escaped(out, name.substr(1));
        } else {
            append_escaped(out, name);
        }
        out += '\t';
        out += std::to_string(n);
        out += '\n';
    }
    return out;
}

RecordedCounts decode_recorded_counts(std::string_view text) {
    RecordedCounts out;
    const bool escaped = text.substr(0, text.find('\n')) == kCountsHeader;
    std::size_t at = 0;
    while (at < text.size()) {
        auto nl = text.find('\n', at);
        if (nl == std::string_view::npos)
            nl = text.size();
        const auto line = text.substr(at, nl - at);
        at = nl + 1;
        if (escaped && line.rfind('%', 0) == 0) {
            if (line.rfind(kPartialLine, 0) == 0) {
                out.partial = unescaped(line.substr(std::strlen(kPartialLine)));
            }
            continue;
        }
        // Rows of the first form kept names as they were: a name with a newline was cut in two,
        // and its pieces are dropped here.
        const auto tab = line.rfind('\t');
        if (tab == std::string_view::npos)
            continue;
        const auto n = number(line.substr(tab + 1));
        if (!n)
            continue;
        const auto name = line.substr(0, tab);
        out.rows[escaped ? unescaped(name) : std::string(name)] = *n;
    }
    return out;
}

std::map<std::string, std::uint64_t> decode_counts(std::string_view text) {
    return decode_recorded_counts(text).rows;
}

}  // namespace bk::domain
