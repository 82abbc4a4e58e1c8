#pragma once
// A database kind (postgres, mariadb, mongodb, sqlite, redis, ...), its pure part: the names it
// answers to, which images imply it, what its snapshots are called and how a dump of it is
// checked as it streams past. Each kind lives in src/databases/<kind>/ with its engine part
// (src/databases/engine.hpp); bootstrap/ registers them, one line each, and labels, config and
// docs take their names from the registry.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bk::domain {

/// Follows a dump as it streams past, in bounded memory: whether it ended complete and what it
/// holds (rows per table, keys per database), recorded with the snapshot and compared by drills.
class DumpCheck {
public:
    virtual ~DumpCheck() = default;
    /// The dump's bytes (the client's stdout: what becomes the snapshot).
    virtual void feed(std::span<const char> data) = 0;
    /// The client's messages (stderr). Kinds whose counts are taken by the client (a query on
    /// the consistent copy) report them there; others ignore it. Never in the snapshot.
    virtual void feed_messages(std::span<const char> /*data*/) {}
    /// The stream so far is a whole dump.
    [[nodiscard]] virtual bool complete() const = 0;
    /// Why it is not complete (empty when it is).
    [[nodiscard]] virtual std::string problem() const = 0;
    /// Table (collection, key space) -> rows (documents, keys), named as the kind's counting
    /// query takes them back.
    [[nodiscard]] virtual const std::map<std::string, std::uint64_t>& rows() const = 0;
    /// Why rows() leaves tables out or cannot be compared; empty when it does not.
    [[nodiscard]] virtual const std::string& partial() const = 0;
    [[nodiscard]] virtual std::uint64_t bytes() const = 0;
};

class DatabaseKind {
public:
    virtual ~DatabaseKind() = default;
    /// The canonical name: labels' db.type, config's database.type, audit rows.
    [[nodiscard]] virtual std::string_view name() const = 0;
    /// Other names accepted for it (postgresql, mongo).
    [[nodiscard]] virtual std::vector<std::string_view> aliases() const { return {}; }
    /// An image's repository name (last path component, no tag or digest) implies this kind.
    [[nodiscard]] virtual bool matches_image(std::string_view repository) const = 0;
    /// The snapshot file name of database `database` ("*": all) of target `target`.
    [[nodiscard]] virtual std::string file_name(const std::string& target,
                                                const std::string& database) const = 0;
    /// A check of one dump; `all_databases`: the dump of every database ("*").
    [[nodiscard]] virtual std::unique_ptr<DumpCheck> check(bool all_databases) const = 0;
    /// A drill counts the restored rows and compares them with the recorded ones; false: it
    /// proves the dump loads and says that nothing was counted.
    [[nodiscard]] virtual bool drill_counts() const { return true; }
    /// Its data are files in the target's volumes (db.path), not a server on a network.
    [[nodiscard]] virtual bool file_based() const { return false; }
    /// One line for docs and errors: "PostgreSQL (pg_dump of the server's own image)".
    [[nodiscard]] virtual std::string_view describe() const = 0;
};

/// The registry of kinds, in registration order (which decides image inference).
class DatabaseKinds {
public:
    void add(std::shared_ptr<const DatabaseKind> kind);
    /// By canonical name or alias, case-insensitive; null when none.
    [[nodiscard]] std::shared_ptr<const DatabaseKind> find(std::string_view name) const;
    /// The kind an image implies (its repository name), null when none.
    [[nodiscard]] std::shared_ptr<const DatabaseKind> infer(std::string_view image) const;
    /// Canonical names, in registration order.
    [[nodiscard]] std::vector<std::string> names() const;
    /// "postgres, mysql, mariadb, mongodb, sqlite or redis".
    [[nodiscard]] std::string names_text() const;
    [[nodiscard]] const std::vector<std::shared_ptr<const DatabaseKind>>& all() const {
        return kinds_;
    }

private:
    std::vector<std::shared_ptr<const DatabaseKind>> kinds_;
};

}  // namespace bk::domain
