#include "domain/mongo_archive.hpp"

#include <cstring>

namespace bk::domain {
namespace {

constexpr unsigned char kMagic[4] = {0x6d, 0xe2, 0x99, 0x81};
constexpr std::uint32_t kMaxDocument = 48u << 20;  // BSON's 16 MiB, with room

std::int32_t read_i32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return static_cast<std::int32_t>(v);
}

struct Header {
    std::string db;
    std::string collection;
    std::string metadata;
    bool eof{false};
    bool ok{false};
};

// The few element types a namespace header holds; anything else ends the scan.
Header parse_header(const std::string& doc) {
    Header h;
    std::size_t i = 4;
    while (i < doc.size()) {
        const auto type = static_cast<unsigned char>(doc[i++]);
        if (type == 0) {
            h.ok = true;
            break;
        }
        const auto name_end = doc.find('\0', i);
        if (name_end == std::string::npos)
            return h;
        const std::string name = doc.substr(i, name_end - i);
        i = name_end + 1;
        switch (type) {
            case 0x02: {  // string
                if (i + 4 > doc.size())
                    return h;
                const auto len = read_i32(doc.data() + i);
                if (len < 1 || i + 4 + static_cast<std::size_t>(len) > doc.size())
                    return h;
                std::string value = doc.substr(i + 4, static_cast<std::size_t>(len) - 1);
                if (name == "db")
                    h.db = value;
                if (name == "collection")
                    h.collection = value;
                if (name == "metadata")
                    h.metadata = value;
                i += 4 + static_cast<std::size_t>(len);
                break;
            }
            case 0x08:  // bool
                if (i + 1 > doc.size())
                    return h;
                if (name == "EOF")
                    h.eof = doc[i] != 0;
                i += 1;
                break;
            case 0x10:
                i += 4;
                break;  // int32
            case 0x01:
            case 0x12:
                i += 8;
                break;  // double, int64
            default:
                h.ok = true;
                return h;  // unknown trailing fields: keep what we have
        }
    }
    return h;
}

}  // namespace

void MongoArchiveCheck::feed(std::span<const char> data) {
    std::size_t i = 0;
    while (i < data.size() && state_ != State::broken) {
        if (state_ == State::magic) {
            const std::size_t take = std::min<std::size_t>(4 - pending_.size(), data.size() - i);
            pending_.append(data.data() + i, take);
            i += take;
            if (pending_.size() == 4) {
                if (std::memcmp(pending_.data(), kMagic, 4) != 0) {
                    state_ = State::broken;
                    broken_ = "the stream does not start with the mongodump archive magic number";
                    return;
                }
                pending_.clear();
                state_ = State::prelude;
            }
            continue;
        }
        if (skip_ > 0) {
            const auto take = std::min<std::uint64_t>(skip_, data.size() - i);
            skip_ -= take;
            i += take;
            continue;
        }
        if (collecting_) {
            const std::size_t take =
                std::min<std::size_t>(doc_length_ - pending_.size(), data.size() - i);
            pending_.append(data.data() + i, take);
            i += take;
            if (pending_.size() == doc_length_) {
                collecting_ = false;
                on_document();
                pending_.clear();
            }
            continue;
        }
        // A length field (or a terminator).
        const std::size_t take = std::min<std::size_t>(4 - pending_.size(), data.size() - i);
        pending_.append(data.data() + i, take);
        i += take;
        if (pending_.size() == 4) {
            const auto length = read_i32(pending_.data());
            on_length(length);
        }
    }
}

void MongoArchiveCheck::on_length(std::int32_t length) {
    if (length == -1) {
        pending_.clear();
        if (state_ == State::prelude || state_ == State::body) {
            state_ = State::header;
        } else {
            state_ = State::broken;
            broken_ = "a terminator where a namespace header belongs";
        }
        return;
    }
    if (length < 5 || static_cast<std::uint32_t>(length) > kMaxDocument) {
        state_ = State::broken;
        broken_ = "a BSON document of impossible length " + std::to_string(length);
        return;
    }
    if (state_ == State::header || state_ == State::prelude) {
        collecting_ = true;  // keep the length bytes: the document includes them
        doc_length_ = static_cast<std::uint32_t>(length);
        return;
    }
    pending_.clear();
    skip_ = static_cast<std::uint64_t>(length) - 4;
    if (current_ != nullptr)
        ++*current_;
}

void MongoArchiveCheck::on_document() {
    const auto h = parse_header(pending_);
    if (state_ == State::prelude) {
        // The archive header, then one metadata document per collection: each of those owes an
        // EOF header later (views have no data of their own).
        if (h.ok && !h.collection.empty() && h.metadata.find("\"viewOn\"") == std::string::npos) {
            ns_.assign(h.db).append(".").append(h.collection);
            if (counts_.find_or_add(ns_) != nullptr)
                owed_.insert(ns_);
        }
        return;
    }
    if (!h.ok) {
        state_ = State::broken;
        broken_ = "an unreadable namespace header";
        return;
    }
    ns_.assign(h.db).append(".").append(h.collection);
    current_ = counts_.find_or_add(ns_);
    if (h.eof) {
        open_.erase(ns_);
        owed_.erase(ns_);
    } else if (current_ != nullptr) {
        open_.insert(ns_);
    }
    state_ = State::body;
}

bool MongoArchiveCheck::complete() const {
    return state_ == State::header && pending_.empty() && !collecting_ && skip_ == 0 &&
           open_.empty() && owed_.empty();
}

std::string MongoArchiveCheck::problem() const {
    if (complete())
        return {};
    if (state_ == State::broken)
        return broken_;
    if (state_ == State::magic)
        return "the stream ended before the archive's magic number";
    if (state_ == State::prelude)
        return "the stream ended inside the archive's prelude";
    if (!open_.empty())
        return "the stream ended before the end of " + *open_.begin();
    if (!owed_.empty())
        return "the stream ended before any data of " + *owed_.begin();
    return "the stream ended inside a document";
}

}  // namespace bk::domain
