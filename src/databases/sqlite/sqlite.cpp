#include "databases/sqlite/sqlite.hpp"

#include "databases/sqlite/sqlite_check.hpp"
#include "databases/sqlite/sqlite_scripts.hpp"

namespace bk::databases::sqlite {
namespace {

// A probe: the file is there and sqlite3 reads it as a database (sqlite3 would create a file
// that is not there: tested first). Args: the file.
constexpr std::string_view kProbeScript = R"sh(set -eu
if [ ! -f "$1" ]; then echo "backupctl: no database file at $1" >&2; exit 1; fi
sqlite3 -bail "$1" ".timeout 10000" "PRAGMA schema_version" >/dev/null
)sh";

std::vector<std::string> script(std::string_view text, const std::string& path) {
    return {"sh", "-c", std::string(text), "sh", path};
}

class SqliteKind final : public domain::DatabaseKind {
public:
    [[nodiscard]] std::string_view name() const override { return "sqlite"; }
    [[nodiscard]] std::vector<std::string_view> aliases() const override { return {"sqlite3"}; }
    // No server image implies it: an app's image says nothing of its files.
    [[nodiscard]] bool matches_image(std::string_view /*repository*/) const override {
        return false;
    }
    [[nodiscard]] std::string file_name(const std::string& target,
                                        const std::string& database) const override {
        // The file's own path under the target: vaultwarden/data/db.sqlite3.
        return target + (database.starts_with('/') ? "" : "/") + database;
    }
    [[nodiscard]] std::unique_ptr<domain::DumpCheck> check(bool /*all*/) const override {
        return std::make_unique<SqliteCheck>();
    }
    [[nodiscard]] bool file_based() const override { return true; }
    [[nodiscard]] std::string_view describe() const override {
        return "SQLite files in the target's named volumes (`backupctl.db.path`): a consistent "
               "copy made by the operator's helper image while the app writes";
    }
};

class SqliteEngine final : public Engine {
public:
    [[nodiscard]] std::string_view name() const override { return "sqlite"; }
    [[nodiscard]] std::string project_user() const override { return {}; }
    [[nodiscard]] bool project_needs_password() const override { return false; }
    [[nodiscard]] bool unauthenticated(const Env& /*env*/,
                                       const domain::DatabaseSpec& /*db*/) const override {
        return true;  // a file: no server, no credentials
    }
    [[nodiscard]] std::string default_user(const Env& /*env*/) const override { return {}; }
    [[nodiscard]] std::string password_variable(const std::string& /*user*/,
                                                const Env& /*env*/) const override {
        return {};
    }
    [[nodiscard]] std::vector<std::string> default_variables() const override { return {}; }
    [[nodiscard]] std::string default_database(const Env& /*env*/) const override { return {}; }
    [[nodiscard]] Placement placement() const override {
        return {.network = false, .target_volumes = true, .stop_target_to_load = true};
    }
    [[nodiscard]] ClientSetup client(const Connection& /*c*/) const override { return {}; }
    [[nodiscard]] std::vector<std::string> dump(const std::string& path) const override {
        return script(kBackupScript, path);
    }
    [[nodiscard]] std::vector<std::string> probe(const std::string& path) const override {
        return script(kProbeScript, path);
    }
    [[nodiscard]] LoadPlan load(const std::string& path) const override {
        return {script(kRestoreScript, path), {}, {}};
    }
    [[nodiscard]] std::optional<CountPlan> count(const std::string& /*database*/,
                                                 const std::vector<std::string>& /*tables*/,
                                                 std::string& why) const override {
        why = "a SQLite drill counts in its own session";
        return std::nullopt;
    }
    [[nodiscard]] std::optional<std::map<std::string, std::uint64_t>> parse_counts(
        const std::string& out,
        const std::vector<std::string>& /*tables*/,
        std::string& why) const override {
        // The drill session writes the counts as the backup did (SqliteCheck reads both).
        SqliteCheck counts;
        counts.feed_messages(std::span<const char>(out.data(), out.size()));
        if (!counts.partial().empty()) {
            why = "the drill's row counts: " + counts.partial();
            return std::nullopt;
        }
        return counts.rows();
    }
    [[nodiscard]] std::vector<std::string> ready() const override { return {"true"}; }
    [[nodiscard]] std::optional<std::vector<std::string>> drill_session(
        const std::string& /*path*/) const override {
        // Loaded into the helper's own /tmp, checked with PRAGMA integrity_check, counted.
        return script(kDrillScript, "/tmp/backupctl-drill.sqlite3");
    }
    [[nodiscard]] std::vector<std::string> scratch_variables() const override { return {}; }
    [[nodiscard]] std::string scratch_password_file_variable() const override { return {}; }
};

}  // namespace

std::shared_ptr<const domain::DatabaseKind> kind() {
    return std::make_shared<const SqliteKind>();
}
std::shared_ptr<const Engine> engine() {
    return std::make_shared<const SqliteEngine>();
}

}  // namespace bk::databases::sqlite
