#include "databases/redis/redis.hpp"

#include "databases/redis/rdb_check.hpp"
#include "databases/redis/redis_kind.hpp"
#include "databases/redis/redis_scripts.hpp"

namespace bk::databases::redis {
namespace {

std::vector<std::string> script(std::string_view text) {
    return {"sh", "-c", std::string(text), "sh"};
}

class RedisEngine final : public Engine {
public:
    [[nodiscard]] std::string_view name() const override { return RedisKind::kName; }
    [[nodiscard]] std::string project_user() const override { return {}; }
    [[nodiscard]] bool project_needs_password() const override { return false; }
    [[nodiscard]] bool unauthenticated(const Env& env,
                                       const domain::DatabaseSpec& db) const override {
        // The official image takes its password on the command line (--requirepass), where the
        // engine cannot read it: a password comes from a variable the labels name, or the usual
        // REDIS_PASSWORD (bitnami's images); without either, none is sent.
        return db.password_env.empty() && !env.contains("REDIS_PASSWORD") &&
               !env.contains("REDIS_PASSWORD_FILE");
    }
    [[nodiscard]] std::string default_user(const Env& /*env*/) const override { return {}; }
    [[nodiscard]] std::string password_variable(const std::string& /*user*/,
                                                const Env& /*env*/) const override {
        return "REDIS_PASSWORD";
    }
    [[nodiscard]] std::vector<std::string> default_variables() const override { return {}; }
    // An RDB holds every database, whose keys it counts: "all", not "*" (a dump of every
    // database of a SQL server, which records no counts).
    [[nodiscard]] std::string default_database(const Env& /*env*/) const override { return "all"; }
    [[nodiscard]] ClientSetup client(const Connection& c) const override {
        ClientSetup s;
        if (!c.password.empty())
            s.files.push_back({"backupctl.redis-pass", c.password + "\n"});
        s.connection = {c.host, std::to_string(c.port > 0 ? c.port : 6379)};
        if (!c.user.empty())
            s.connection.push_back(c.user);
        return s;
    }
    // The scripts take the connection as their positional arguments, after "sh".
    [[nodiscard]] std::vector<std::string> with_connection(
        std::vector<std::string> argv, const std::vector<std::string>& connection) const override {
        argv.insert(argv.end(), connection.begin(), connection.end());
        return argv;
    }
    [[nodiscard]] std::vector<std::string> dump(const std::string& /*database*/) const override {
        return script(kDumpScript);
    }
    [[nodiscard]] std::vector<std::string> probe(const std::string& /*database*/) const override {
        return script(kProbeScript);
    }
    [[nodiscard]] LoadPlan load(const std::string& /*database*/) const override {
        // Not in this version: the drill proves the RDB loads; a restore into the server is
        // by hand (docs/restore.md: restic dump, then the server's data directory).
        return {{"sh",
                 "-c",
                 "echo 'backupctl: restoring Redis into its server is not in this version: "
                 "verify (the drill) proves the snapshot; docs/restore.md shows the restore by "
                 "hand' >&2; exit 1"},
                {},
                {}};
    }
    [[nodiscard]] std::optional<CountPlan> count(const std::string& /*database*/,
                                                 const std::vector<std::string>& /*tables*/,
                                                 std::string& why) const override {
        why = "a Redis drill counts in its own session";
        return std::nullopt;
    }
    [[nodiscard]] std::optional<std::map<std::string, std::uint64_t>> parse_counts(
        const std::string& out,
        const std::vector<std::string>& /*tables*/,
        std::string& why) const override {
        RdbCheck counts;
        counts.feed_messages(std::span<const char>(out.data(), out.size()));
        if (!counts.partial().empty()) {
            why = "the drill's key counts: " + counts.partial();
            return std::nullopt;
        }
        return counts.rows();
    }
    [[nodiscard]] std::vector<std::string> ready() const override { return {"true"}; }
    [[nodiscard]] std::optional<std::vector<std::string>> drill_session(
        const std::string& /*database*/) const override {
        return script(kDrillSessionScript);
    }
    [[nodiscard]] std::vector<std::string> scratch_variables() const override { return {}; }
    [[nodiscard]] std::string scratch_password_file_variable() const override { return {}; }
};

}  // namespace

std::shared_ptr<const domain::DatabaseKind> kind() {
    return std::make_shared<const RedisKind>();
}
std::shared_ptr<const Engine> engine() {
    return std::make_shared<const RedisEngine>();
}

}  // namespace bk::databases::redis
