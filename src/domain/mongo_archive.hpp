#pragma once
// Follows a `mongodump --archive` stream as it passes, in bounded memory, and says whether it
// ended complete: the magic number, the prelude up to its terminator, then namespace segments,
// ending on a segment boundary with every namespace that was opened, and every collection the
// prelude announced, closed by its EOF header.
// The format: mongo-tools' "archive format specification" (magic 0x8199e26d little-endian,
// BSON documents, 0xffffffff terminators).
// Namespaces are tracked within the bounds of TableCounts: one left out is neither counted nor
// checked for its EOF header (the counts then say they are partial).

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>

#include "domain/table_counts.hpp"

namespace bk::domain {

class MongoArchiveCheck {
public:
    void feed(std::span<const char> data);
    /// True when the stream so far is a whole archive.
    [[nodiscard]] bool complete() const;
    /// Why it is not complete (empty when it is).
    [[nodiscard]] std::string problem() const;
    /// Documents seen per namespace ("db.collection"), empty collections included.
    [[nodiscard]] const std::map<std::string, std::uint64_t>& documents() const {
        return counts_.rows();
    }
    /// Why documents() leaves namespaces out; empty when it does not.
    [[nodiscard]] const std::string& partial() const { return counts_.partial(); }

private:
    enum class State { magic, prelude, header, body, broken };
    void on_length(std::int32_t length);
    void on_document();

    State state_{State::magic};
    std::string pending_;     ///< bytes of the length field or of a header document
    std::uint64_t skip_{0};   ///< body bytes still to pass over
    bool collecting_{false};  ///< pending_ holds a header document being read
    std::uint32_t doc_length_{0};
    std::set<std::string> open_;  ///< namespaces with a header and no EOF yet
    std::set<std::string> owed_;  ///< collections of the prelude not yet closed by an EOF
    std::string broken_;
    std::string ns_;                   ///< the namespace of the last header
    std::uint64_t* current_{nullptr};  ///< its counter; nullptr: left out
    TableCounts counts_;
};

}  // namespace bk::domain
