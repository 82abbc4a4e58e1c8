#include "dockerapi/tar.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <optional>

namespace dockerapi {
namespace {

constexpr std::size_t kBlock = 512;

Error tar_error(std::string what) {
    return Error{errc::invalid_argument, 0, "tar: " + std::move(what)};
}

// Writes `value` as zero-padded octal into a field of `width` bytes, the last one NUL.
bool put_octal(char* field, std::size_t width, unsigned long long value) {
    std::string digits(width - 1, '0');
    for (std::size_t i = width - 1; i-- > 0;) {
        digits[i] = static_cast<char>('0' + (value & 7u));
        value >>= 3;
    }
    if (value != 0)
        return false;
    std::memcpy(field, digits.data(), width - 1);
    field[width - 1] = '\0';
    return true;
}

unsigned checksum_of(const char* header) {
    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        const bool in_field = i >= 148 && i < 156;
        sum += in_field ? static_cast<unsigned>(' ') : static_cast<unsigned char>(header[i]);
    }
    return sum;
}

std::optional<unsigned long long> get_number(std::string_view field) {
    if (!field.empty() && (static_cast<unsigned char>(field[0]) & 0x80u) != 0) {  // base-256
        unsigned long long v = static_cast<unsigned char>(field[0]) & 0x7fu;
        for (std::size_t i = 1; i < field.size(); ++i) {
            if (v >> 55 != 0)
                return std::nullopt;
            v = (v << 8) | static_cast<unsigned char>(field[i]);
        }
        return v;
    }
    unsigned long long v = 0;
    bool any = false;
    for (char c : field) {
        if (c == ' ' && !any)
            continue;
        if (c < '0' || c > '7')
            break;
        v = (v << 3) | static_cast<unsigned>(c - '0');
        any = true;
    }
    return v;
}

std::string_view c_field(std::string_view block, std::size_t offset, std::size_t width) {
    auto f = block.substr(offset, width);
    return f.substr(0, std::min(f.find('\0'), f.size()));
}

// What a pax `x` header or a GNU `L` entry says about the entry after it.
struct Override {
    std::string path;
    bool has_path{false};
    unsigned long long size{0};
    bool has_size{false};
};

// "len key=value\n" records of a pax extended header.
void apply_pax(std::string_view data, Override& next) {
    while (!data.empty()) {
        auto space = data.find(' ');
        if (space == std::string_view::npos)
            return;
        std::size_t len = 0;
        for (char c : data.substr(0, space)) {
            if (c < '0' || c > '9')
                return;
            len = len * 10 + static_cast<std::size_t>(c - '0');
        }
        if (len <= space + 1 || len > data.size())
            return;
        auto record = data.substr(space + 1, len - space - 2);  // without the newline
        auto eq = record.find('=');
        if (eq != std::string_view::npos) {
            auto key = record.substr(0, eq);
            auto value = record.substr(eq + 1);
            if (key == "path") {
                next.path = std::string(value);
                next.has_path = true;
            }
            if (key == "size" && !value.empty() && value.size() <= 18 &&
                value.find_first_not_of("0123456789") == std::string_view::npos) {
                next.size = std::stoull(std::string(value));
                next.has_size = true;
            }
        }
        data.remove_prefix(len);
    }
}

}  // namespace

Result<std::string> make_tar(const std::vector<TarEntry>& entries) {
    std::string out;
    const auto now = static_cast<unsigned long long>(std::time(nullptr));
    for (const auto& e : entries) {
        if (e.path.empty())
            return tar_error("an entry without a path");
        std::string_view name = e.path;
        std::string_view prefix;
        if (name.size() > 100) {  // split at a '/' into prefix (≤155) and name (≤100)
            auto cut = name.rfind('/', 155);
            if (cut == std::string_view::npos || name.size() - cut - 1 > 100 || cut == 0) {
                return tar_error("path too long for ustar: " + e.path);
            }
            prefix = name.substr(0, cut);
            name = name.substr(cut + 1);
        }
        char header[kBlock] = {};
        std::memcpy(header, name.data(), name.size());
        if (!put_octal(header + 100, 8, e.mode & 07777u) || !put_octal(header + 108, 8, e.uid) ||
            !put_octal(header + 116, 8, e.gid) || !put_octal(header + 124, 12, e.content.size()) ||
            !put_octal(header + 136, 12, now)) {
            return tar_error("a field does not fit ustar: " + e.path);
        }
        header[156] = '0';
        std::memcpy(header + 257, "ustar", 6);  // magic with its NUL
        header[263] = '0';                      // the version, "00" without a NUL
        header[264] = '0';
        if (!prefix.empty())
            std::memcpy(header + 345, prefix.data(), prefix.size());  // data() may be null
        // The checksum field: six octal digits, NUL, space.
        put_octal(header + 148, 7, checksum_of(header));
        header[155] = ' ';
        out.append(header, kBlock);
        out.append(e.content);
        out.append((kBlock - e.content.size() % kBlock) % kBlock, '\0');
    }
    out.append(2 * kBlock, '\0');
    return out;
}

Result<std::vector<TarEntry>> read_tar(std::string_view tar) {
    std::vector<TarEntry> files;
    Override next;
    std::size_t at = 0;
    while (true) {
        // `at` passes the end when the last entry's padding is cut off.
        if (at > tar.size() || tar.size() - at < kBlock)
            return tar_error("the archive is cut short");
        std::string_view block = tar.substr(at, kBlock);
        if (block.find_first_not_of('\0') == std::string_view::npos)
            return files;  // end
        auto sum = get_number(block.substr(148, 8));
        if (!sum || *sum != checksum_of(block.data())) {
            return tar_error("bad header checksum at byte " + std::to_string(at));
        }
        auto size = get_number(block.substr(124, 12));
        if (!size)
            return tar_error("bad size at byte " + std::to_string(at));
        const char type = block[156];
        const bool regular = type == '0' || type == '\0' || type == '7';
        if (regular && next.has_size)
            size = next.size;
        at += kBlock;
        if (*size > tar.size() - at)
            return tar_error("the archive is cut short");
        std::string_view data = tar.substr(at, static_cast<std::size_t>(*size));
        at += static_cast<std::size_t>((*size + kBlock - 1) / kBlock * kBlock);
        switch (type) {
            case 'x':
                apply_pax(data, next);
                continue;
            case 'L':
                next.path = std::string(data.substr(0, std::min(data.find('\0'), data.size())));
                next.has_path = true;
                continue;
            case 'g':
                continue;
            default:
                break;
        }
        if (regular) {
            TarEntry e;
            if (next.has_path) {
                e.path = next.path;
            } else {
                auto prefix = c_field(block, 345, 155);
                auto name = c_field(block, 0, 100);
                e.path = prefix.empty() ? std::string(name)
                                        : std::string(prefix) + "/" + std::string(name);
            }
            e.content = std::string(data);
            e.mode = static_cast<unsigned>(get_number(block.substr(100, 8)).value_or(0) & 07777u);
            e.uid = static_cast<unsigned>(get_number(block.substr(108, 8)).value_or(0));
            e.gid = static_cast<unsigned>(get_number(block.substr(116, 8)).value_or(0));
            files.push_back(std::move(e));
        }
        next = Override{};
    }
}

}  // namespace dockerapi
