#pragma once
// A database kind's engine part: how its clients reach a server and what they run. Recipes in
// plain terms (argv, files, variables): the one client-container lifecycle that runs them for
// any kind is adapters/docker (DockerDumper, DockerRestorer). A kind is one folder,
// src/databases/<kind>/, with its pure part (domain::DatabaseKind) and this, registered by one
// line in bootstrap/database_kinds.cpp.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/database_kind.hpp"
#include "domain/target.hpp"

namespace bk::databases {

using Env = std::map<std::string, std::string>;

/// What a client connects with, resolved by the generic part (from a config project, or from
/// the server container's environment through the Engine API).
struct Connection {
    std::string host;
    int port{0};  ///< 0: the client's default
    std::string user;
    std::string password;
    Env env;  ///< the server's non-secret defaults (default_variables())
};

/// A file written under /tmp of the client container (mode 0600) before it starts.
struct SecretFile {
    std::string name;
    std::string content;
};

/// What a client container of the kind gets besides its argv: variables (never a secret) and
/// its secret files; `connection` goes right after the program in every argv.
struct ClientSetup {
    std::vector<std::string> env;
    std::vector<SecretFile> files;
    std::vector<std::string> connection;
};

/// A load of one dump: the client program (connection arguments are added after argv[0]),
/// what it is told before the stream (empty the database) and after it, once the stream proved
/// whole (the COMMIT a killed load never gets).
struct LoadPlan {
    std::vector<std::string> argv;
    std::string preamble;
    std::string epilogue;
};

/// A count of rows: the client's argv and its input; parse() reads its output.
struct CountPlan {
    std::vector<std::string> argv;
    std::string input;
};

/// Where a kind's client containers run and what they reach.
struct Placement {
    /// On the target's network; false: no network at all (a file kind's helper).
    bool network{true};
    /// The target's named volumes mounted at their own paths (a file kind's helper reads and
    /// writes the database files there). A file on a bind mount cannot be reached: an error.
    bool target_volumes{false};
    /// A restore into the target stops it first and starts it again after (the files are
    /// replaced under a server that is not running).
    bool stop_target_to_load{false};
};

class Engine {
public:
    virtual ~Engine() = default;
    /// The kind's canonical name (domain::DatabaseKind::name()).
    [[nodiscard]] virtual std::string_view name() const = 0;

    // Credentials.
    /// A config project without database.user: this user ("" = none).
    [[nodiscard]] virtual std::string project_user() const = 0;
    /// A config project with a user must give a password.
    [[nodiscard]] virtual bool project_needs_password() const { return true; }
    /// A labelled server that needs no credentials at all (given its environment and labels).
    [[nodiscard]] virtual bool unauthenticated(const Env& /*env*/,
                                               const domain::DatabaseSpec& /*db*/) const {
        return false;
    }
    /// A labelled server's user when no label names one.
    [[nodiscard]] virtual std::string default_user(const Env& env) const = 0;
    /// The server's variable holding `user`'s password (its *_FILE form is read too).
    [[nodiscard]] virtual std::string password_variable(const std::string& user,
                                                        const Env& env) const = 0;
    /// Non-secret variables of the server a client may use (its default database).
    [[nodiscard]] virtual std::vector<std::string> default_variables() const = 0;
    /// The database to dump when no label names one ("" = all of them).
    [[nodiscard]] virtual std::string default_database(const Env& env) const = 0;

    // Clients.
    [[nodiscard]] virtual Placement placement() const { return {}; }
    [[nodiscard]] virtual ClientSetup client(const Connection& c) const = 0;
    /// A client's argv with its connection arguments: after the program by default.
    [[nodiscard]] virtual std::vector<std::string> with_connection(
        std::vector<std::string> argv, const std::vector<std::string>& connection) const;
    /// The dump of `database` ("*": all) to stdout.
    [[nodiscard]] virtual std::vector<std::string> dump(const std::string& database) const = 0;
    /// One query through the same credentials, dumping nothing (dry run).
    [[nodiscard]] virtual std::vector<std::string> probe(const std::string& database) const = 0;
    [[nodiscard]] virtual LoadPlan load(const std::string& database) const = 0;
    /// The count of `tables` (as the kind's DumpCheck names them), or why it cannot (`why`: a
    /// whole message).
    [[nodiscard]] virtual std::optional<CountPlan> count(const std::string& database,
                                                         const std::vector<std::string>& tables,
                                                         std::string& why) const = 0;
    /// The counts in `tables`' order from the count's output, or an error message.
    [[nodiscard]] virtual std::optional<std::map<std::string, std::uint64_t>> parse_counts(
        const std::string& out, const std::vector<std::string>& tables, std::string& why) const;
    /// A query that succeeds once a fresh server accepts clients.
    [[nodiscard]] virtual std::vector<std::string> ready() const = 0;
    /// The drill as one client session: the snapshot on stdin is loaded into a throwaway server
    /// or file inside that container (no network, nothing left behind), checked, and its counts
    /// written to stdout for parse_counts(). nullopt: drills load a scratch server (clone()).
    [[nodiscard]] virtual std::optional<std::vector<std::string>> drill_session(
        const std::string& /*database*/) const {
        return std::nullopt;
    }
    [[nodiscard]] bool drills_in_session() const { return drill_session("*").has_value(); }

    // Scratch servers (drills) and copies (restore --new-container).
    /// Variables of the target's server a scratch copy keeps: names, never passwords.
    [[nodiscard]] virtual std::vector<std::string> scratch_variables() const = 0;
    /// The image's variable naming a file with the superuser's password.
    [[nodiscard]] virtual std::string scratch_password_file_variable() const = 0;
    /// Variables a scratch server needs besides those (given the target's environment).
    [[nodiscard]] virtual std::vector<std::string> scratch_extra(const Env& /*env*/) const {
        return {};
    }

    /// A failed dump's explanation beyond its own words (a client older than the server), or
    /// empty.
    [[nodiscard]] virtual std::string explain_failure(const domain::Target& /*target*/,
                                                      const std::string& /*stderr_tail*/) const {
        return {};
    }
};

/// "a table name the drill cannot count: <name>", control bytes of the name shown as '?'.
std::string cannot_count(const std::string& table);

/// The kinds known to this build: the pure parts (for labels, config, docs, the domain) and
/// their engines, by the kind's name.
class Registry {
public:
    void add(std::shared_ptr<const domain::DatabaseKind> kind,
             std::shared_ptr<const Engine> engine);
    [[nodiscard]] const domain::DatabaseKinds& kinds() const { return kinds_; }
    [[nodiscard]] std::shared_ptr<const domain::DatabaseKinds> shared_kinds() const;
    /// The engine of a kind; null when the build has none of that name.
    [[nodiscard]] const Engine* engine(std::string_view name) const;

private:
    domain::DatabaseKinds kinds_;
    std::map<std::string, std::shared_ptr<const Engine>, std::less<>> engines_;
};

}  // namespace bk::databases
