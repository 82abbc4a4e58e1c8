#pragma once
// Follows a `mongodump --archive` stream as it passes, in constant memory, and says whether it
// ended complete: the magic number, the prelude up to its terminator, then namespace segments,
// ending on a segment boundary with every namespace that was opened, and every collection the
// prelude announced, closed by its EOF header.
// The format: mongo-tools' "archive format specification" (magic 0x8199e26d little-endian,
// BSON documents, 0xffffffff terminators).

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>

namespace bk::domain {

class MongoArchiveCheck {
public:
    void feed(std::span<const char> data);
    /// True when the stream so far is a whole archive.
    [[nodiscard]] bool complete() const;
    /// Why it is not complete (empty when it is).
    [[nodiscard]] std::string problem() const;
    /// Documents seen per namespace ("db.collection"), empty collections included.
    [[nodiscard]] const std::map<std::string, std::uint64_t>& documents() const { return counts_; }

private:
    enum class State { magic, prelude, header, body, broken };
    void on_length(std::int32_t length);
    void on_document();

    State state_{State::magic};
    std::string pending_;            ///< bytes of the length field or of a header document
    std::uint64_t skip_{0};          ///< body bytes still to pass over
    bool collecting_{false};         ///< pending_ holds a header document being read
    std::uint32_t doc_length_{0};
    std::set<std::string> open_;     ///< namespaces with a header and no EOF yet
    std::set<std::string> owed_;     ///< collections of the prelude not yet closed by an EOF
    std::string broken_;
    std::string current_;            ///< the namespace of the segment being read
    std::map<std::string, std::uint64_t> counts_;
};

}  // namespace bk::domain
