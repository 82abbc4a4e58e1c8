#include "adapters/audit/sqlite_audit_log.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <stdexcept>

#include "domain/dump_census.hpp"
#include "domain/utc_time.hpp"

namespace bk::adapters::audit {
namespace {

// Each entry moves the schema one version up; never edit an entry once released.
const char* const kMigrations[] = {
    R"(CREATE TABLE runs (
         id TEXT PRIMARY KEY, target TEXT NOT NULL, trigger TEXT NOT NULL, status TEXT NOT NULL,
         started_at TEXT NOT NULL, finished_at TEXT, instance TEXT, pid INTEGER,
         bytes INTEGER DEFAULT 0, snapshots TEXT DEFAULT '', error TEXT DEFAULT '');
       CREATE INDEX runs_target ON runs(target, started_at);
       CREATE TABLE steps (
         run_id TEXT NOT NULL REFERENCES runs(id), name TEXT NOT NULL, started_at TEXT,
         finished_at TEXT, bytes INTEGER DEFAULT 0, outcome TEXT, detail TEXT DEFAULT '');
       CREATE INDEX steps_run ON steps(run_id);)",
    // 2: replays land once (steps keyed), the side-effect journal.
    R"(DELETE FROM steps WHERE rowid NOT IN
         (SELECT MIN(rowid) FROM steps GROUP BY run_id, name, started_at);
       CREATE UNIQUE INDEX steps_key ON steps(run_id, name, started_at);
       CREATE TABLE effects (
         run_id TEXT NOT NULL, instance TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
         detail TEXT DEFAULT '', at TEXT, settled_at TEXT, PRIMARY KEY (run_id, kind, ref));
       CREATE INDEX runs_status ON runs(status);)",
    // 3: restores and drills are runs too; what each snapshot holds.
    R"(ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'backup';
       CREATE INDEX runs_kind ON runs(target, kind, finished_at);
       CREATE TABLE contents (
         snapshot_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, target TEXT NOT NULL,
         item TEXT NOT NULL, rows TEXT NOT NULL DEFAULT '');)",
    // 4: where each target comes from (labels are untrusted: a change is held until adopted).
    R"(CREATE TABLE provenance (
         target TEXT PRIMARY KEY, origin TEXT NOT NULL, compose_project TEXT NOT NULL DEFAULT '',
         compose_service TEXT NOT NULL DEFAULT '', image TEXT NOT NULL DEFAULT '',
         db_type TEXT NOT NULL DEFAULT '', first_seen TEXT NOT NULL,
         confirmed_at TEXT NOT NULL, confirmed_by TEXT NOT NULL DEFAULT '');)",
    // 5: a dump's bytes beside its counts, for comparing a run with the target's history.
    R"(ALTER TABLE contents ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
       CREATE INDEX contents_target_item ON contents(target, item);)",
    // 6: repository checks (restic check --read-data-subset=k/N), the rotation's memory.
    R"(CREATE TABLE checks (
         id TEXT PRIMARY KEY, repository TEXT NOT NULL, started_at TEXT NOT NULL,
         finished_at TEXT NOT NULL, subset INTEGER NOT NULL, subsets INTEGER NOT NULL,
         ok INTEGER NOT NULL, packs_read INTEGER NOT NULL DEFAULT -1,
         total_packs INTEGER NOT NULL DEFAULT -1, error TEXT NOT NULL DEFAULT '');
       CREATE INDEX checks_repository ON checks(repository, finished_at);)",
    // 7: snapshots that wait to be copied to their repository's copy_to (a second copy).
    R"(CREATE TABLE copies (
         snapshot_id TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
         run_id TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '', made_at TEXT NOT NULL,
         copied_at TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
         PRIMARY KEY (snapshot_id, destination));
       CREATE INDEX copies_pending ON copies(source, destination, copied_at);)",
};

constexpr const char* kRunColumns =
    "id, target, trigger, status, started_at, IFNULL(finished_at,''), IFNULL(instance,''), "
    "IFNULL(pid,0), bytes, snapshots, error, kind";

Failure db_failure(const std::exception& e) {
    return Failure{errc::io_error, std::string("audit database: ") + e.what()};
}

// The states' strings are the columns' (older databases read unchanged); one this version does
// not know is an error of the read, never a default.
domain::RunStatus status_from(const std::string& id, const std::string& s) {
    if (auto v = domain::parse_run_status(s))
        return *v;
    throw std::runtime_error("run " + id + " has an unknown status '" + s + "'");
}

domain::RunRecord run_from(SQLite::Statement& q) {
    domain::RunRecord r;
    r.id = q.getColumn(0).getString();
    r.target = q.getColumn(1).getString();
    r.trigger = q.getColumn(2).getString();
    r.status = status_from(r.id, q.getColumn(3).getString());
    r.started_at = q.getColumn(4).getString();
    r.finished_at = q.getColumn(5).getString();
    r.instance = q.getColumn(6).getString();
    r.pid = q.getColumn(7).getInt64();
    r.bytes = static_cast<std::uint64_t>(q.getColumn(8).getInt64());
    r.snapshots = q.getColumn(9).getString();
    r.error = q.getColumn(10).getString();
    r.kind = q.getColumn(11).getString();
    return r;
}

constexpr const char* kProvenanceColumns =
    "target, origin, compose_project, compose_service, image, db_type, first_seen, confirmed_at, "
    "confirmed_by";

domain::Provenance provenance_from(SQLite::Statement& q) {
    domain::Provenance p;
    p.target = q.getColumn(0).getString();
    p.origin = q.getColumn(1).getString();
    p.compose_project = q.getColumn(2).getString();
    p.compose_service = q.getColumn(3).getString();
    p.image = q.getColumn(4).getString();
    p.db_type = q.getColumn(5).getString();
    p.first_seen = q.getColumn(6).getString();
    p.confirmed_at = q.getColumn(7).getString();
    p.confirmed_by = q.getColumn(8).getString();
    return p;
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
SqliteAuditLog::~SqliteAuditLog() = default;

Result<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::open(const std::string& path) {
    try {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        auto db = std::make_unique<SQLite::Database>(
            path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
        db->setBusyTimeout(5000);
        db->exec("PRAGMA journal_mode=WAL");
        db->exec("PRAGMA foreign_keys=ON");
        const int latest = static_cast<int>(std::size(kMigrations));
        if (db->execAndGet("PRAGMA user_version").getInt() < latest) {
            // Several processes may open a new store at once (the daemon and a CLI): the version
            // is read again under the write lock, so each migration runs exactly once.
            SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
            for (int version = db->execAndGet("PRAGMA user_version").getInt(); version < latest;
                 ++version) {
                db->exec(kMigrations[version]);
                db->exec("PRAGMA user_version=" + std::to_string(version + 1));
            }
            tx.commit();
        }
        return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(std::move(db)));
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::begin_run(const domain::RunRecord& r) {
    try {
        SQLite::Statement q(
            *db_,
            "INSERT INTO runs (id, target, trigger, status, started_at, instance, pid, "
            "kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
        q.bind(1, r.id);
        q.bind(2, r.target);
        q.bind(3, r.trigger);
        q.bind(4, domain::to_string(r.status));
        q.bind(5, r.started_at);
        q.bind(6, r.instance);
        q.bind(7, static_cast<int64_t>(r.pid));
        q.bind(8, r.kind);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::add_step(const domain::StepRecord& s) {
    try {
        SQLite::Statement q(*db_,
                            "INSERT INTO steps (run_id, name, started_at, finished_at, bytes, "
                            "outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT(run_id, name, started_at) DO NOTHING");
        q.bind(1, s.run_id);
        q.bind(2, s.name);
        q.bind(3, s.started_at);
        q.bind(4, s.finished_at);
        q.bind(5, static_cast<int64_t>(s.bytes));
        q.bind(6, domain::to_string(s.outcome));
        q.bind(7, s.detail);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::finish_run(const domain::RunRecord& r) {
    try {
        SQLite::Statement q(
            *db_,
            "INSERT INTO runs (id, target, trigger, status, started_at, finished_at, instance, "
            "pid, "
            "bytes, snapshots, error, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET status=excluded.status, "
            "finished_at=excluded.finished_at, bytes=excluded.bytes, "
            "snapshots=excluded.snapshots, error=excluded.error");
        q.bind(1, r.id);
        q.bind(2, r.target);
        q.bind(3, r.trigger);
        q.bind(4, domain::to_string(r.status));
        q.bind(5, r.started_at);
        q.bind(6, r.finished_at);
        q.bind(7, r.instance);
        q.bind(8, static_cast<int64_t>(r.pid));
        q.bind(9, static_cast<int64_t>(r.bytes));
        q.bind(10, r.snapshots);
        q.bind(11, r.error);
        q.bind(12, r.kind);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::record_effect(const domain::EffectRecord& e) {
    try {
        SQLite::Statement q(*db_,
                            "INSERT INTO effects (run_id, instance, kind, ref, detail, at) "
                            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        q.bind(1, e.run_id);
        q.bind(2, e.instance);
        q.bind(3, e.kind);
        q.bind(4, e.ref);
        q.bind(5, e.detail);
        q.bind(6, e.at);
        q.exec();
        return {};
    } catch (const std::exception& ex) {
        return db_failure(ex);
    }
}

Result<void> SqliteAuditLog::settle_effect(const domain::EffectRecord& e) {
    try {
        SQLite::Statement q(*db_,
                            "UPDATE effects SET settled_at=? WHERE run_id=? AND kind=? AND ref=?");
        q.bind(1, e.at);
        q.bind(2, e.run_id);
        q.bind(3, e.kind);
        q.bind(4, e.ref);
        q.exec();
        return {};
    } catch (const std::exception& ex) {
        return db_failure(ex);
    }
}

Result<std::vector<domain::RunRecord>> SqliteAuditLog::running() {
    try {
        SQLite::Statement q(*db_,
                            std::string("SELECT ") + kRunColumns +
                                " FROM runs WHERE status='running' ORDER BY started_at");
        std::vector<domain::RunRecord> out;
        while (q.executeStep())
            out.push_back(run_from(q));
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::EffectRecord>> SqliteAuditLog::open_effects() {
    try {
        SQLite::Statement q(*db_,
                            "SELECT run_id, instance, kind, ref, IFNULL(detail,''), IFNULL(at,'') "
                            "FROM effects WHERE settled_at IS NULL ORDER BY at");
        std::vector<domain::EffectRecord> out;
        while (q.executeStep()) {
            out.push_back({q.getColumn(0).getString(),
                           q.getColumn(1).getString(),
                           q.getColumn(2).getString(),
                           q.getColumn(3).getString(),
                           q.getColumn(4).getString(),
                           q.getColumn(5).getString()});
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::string> SqliteAuditLog::last_success(std::string target) {
    try {
        SQLite::Statement q(*db_,
                            std::string("SELECT IFNULL(MAX(finished_at),'') FROM runs "
                                        "WHERE target=? AND status IN ('success','suspect') "
                                        "AND kind='backup' "
                                        "AND trigger<>'") +
                                domain::kSafetyTrigger + "'");
        q.bind(1, target);
        std::string out;
        if (q.executeStep())
            out = q.getColumn(0).getString();
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::RunRecord>> SqliteAuditLog::history(std::string target,
                                                               bool failed_only,
                                                               int limit) {
    try {
        std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs WHERE 1=1";
        if (!target.empty())
            sql += " AND target=?";
        if (failed_only)
            sql += " AND status IN ('failed','partial','crashed')";
        sql += " ORDER BY started_at DESC, rowid DESC LIMIT ?";
        SQLite::Statement q(*db_, sql);
        int i = 1;
        if (!target.empty())
            q.bind(i++, target);
        q.bind(i, limit);
        std::vector<domain::RunRecord> out;
        while (q.executeStep())
            out.push_back(run_from(q));
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::RunRecord>> SqliteAuditLog::runs(const domain::RunQuery& query) {
    try {
        std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs WHERE 1=1";
        if (!query.target.empty())
            sql += " AND target=?";
        if (query.status == domain::RunStatus::failed) {
            sql += " AND status IN ('failed','partial','crashed')";
        } else if (query.status) {
            sql += " AND status=?";
        }
        if (!query.kind.empty())
            sql += " AND kind=?";
        if (!query.before.empty())
            sql += " AND started_at<?";
        if (query.no_safety)
            sql += std::string(" AND trigger<>'") + domain::kSafetyTrigger + "'";
        sql += " ORDER BY started_at DESC, rowid DESC LIMIT ?";
        SQLite::Statement q(*db_, sql);
        int i = 1;
        if (!query.target.empty())
            q.bind(i++, query.target);
        if (query.status && query.status != domain::RunStatus::failed)
            q.bind(i++, domain::to_string(*query.status));
        if (!query.kind.empty())
            q.bind(i++, query.kind);
        if (!query.before.empty())
            q.bind(i++, query.before);
        q.bind(i, query.limit);
        std::vector<domain::RunRecord> out;
        while (q.executeStep())
            out.push_back(run_from(q));
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::optional<domain::RunRecord>> SqliteAuditLog::run(std::string id) {
    try {
        SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id=?");
        q.bind(1, id);
        if (q.executeStep())
            return std::optional<domain::RunRecord>(run_from(q));
        return std::optional<domain::RunRecord>{};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::StepRecord>> SqliteAuditLog::steps(std::string run_id) {
    try {
        SQLite::Statement q(
            *db_,
            "SELECT run_id, name, IFNULL(started_at,''), IFNULL(finished_at,''), "
            "bytes, IFNULL(outcome,''), detail FROM steps WHERE run_id=? ORDER BY rowid");
        q.bind(1, run_id);
        std::vector<domain::StepRecord> out;
        while (q.executeStep()) {
            domain::StepRecord s;
            s.run_id = q.getColumn(0).getString();
            s.name = q.getColumn(1).getString();
            s.started_at = q.getColumn(2).getString();
            s.finished_at = q.getColumn(3).getString();
            s.bytes = static_cast<std::uint64_t>(q.getColumn(4).getInt64());
            const auto outcome = q.getColumn(5).getString();
            const auto parsed = domain::parse_step_outcome(outcome);
            if (!parsed) {
                throw std::runtime_error("step " + s.name + " of run " + run_id +
                                         " has an unknown outcome '" + outcome + "'");
            }
            s.outcome = *parsed;
            s.detail = q.getColumn(6).getString();
            out.push_back(std::move(s));
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::record_contents(const domain::ContentsRecord& c) {
    try {
        SQLite::Statement q(*db_,
                            "INSERT INTO contents (snapshot_id, run_id, target, item, rows, bytes) "
                            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(snapshot_id) DO NOTHING");
        q.bind(1, c.snapshot_id);
        q.bind(2, c.run_id);
        q.bind(3, c.target);
        q.bind(4, c.item);
        q.bind(5, c.rows);
        q.bind(6, static_cast<std::int64_t>(c.bytes));
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::optional<domain::ContentsRecord>> SqliteAuditLog::contents(std::string snapshot_id) {
    try {
        SQLite::Statement q(*db_,
                            "SELECT snapshot_id, run_id, target, item, rows, bytes FROM contents "
                            "WHERE substr(snapshot_id, 1, length(?1)) = ?1 "
                            "OR substr(?1, 1, length(snapshot_id)) = snapshot_id LIMIT 2");
        q.bind(1, snapshot_id);
        std::vector<domain::ContentsRecord> found;
        while (q.executeStep()) {
            found.push_back({q.getColumn(0).getString(),
                             q.getColumn(1).getString(),
                             q.getColumn(2).getString(),
                             q.getColumn(3).getString(),
                             q.getColumn(4).getString(),
                             static_cast<std::uint64_t>(q.getColumn(5).getInt64())});
        }
        if (found.size() != 1 || snapshot_id.size() < 8)
            return std::optional<domain::ContentsRecord>{};
        return std::optional<domain::ContentsRecord>(std::move(found.front()));
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::rename_snapshot(const std::string& old_id, const std::string& new_id) {
    if (old_id.size() < 8 || new_id.empty())
        return Failure{errc::internal, "rename_snapshot: an id of 8 characters or more"};
    try {
        SQLite::Statement q(*db_,
                            "UPDATE contents SET snapshot_id=?2 "
                            "WHERE substr(snapshot_id, 1, length(?1)) = ?1 "
                            "OR substr(?1, 1, length(snapshot_id)) = snapshot_id");
        q.bind(1, old_id);
        q.bind(2, new_id);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::DumpFigures>> SqliteAuditLog::normal_dumps(std::string target,
                                                                      std::string item,
                                                                      int limit) {
    try {
        SQLite::Statement q(
            *db_,
            std::string("SELECT r.id, r.started_at, c.bytes, c.rows FROM contents c "
                        "JOIN runs r ON r.id = c.run_id "
                        "WHERE c.target=? AND c.item=? AND r.kind='backup' "
                        "AND r.status='success' AND r.trigger<>'") +
                domain::kSafetyTrigger + "' ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?");
        q.bind(1, target);
        q.bind(2, item);
        q.bind(3, limit);
        std::vector<domain::DumpFigures> out;
        while (q.executeStep()) {
            domain::DumpFigures f;
            f.run_id = q.getColumn(0).getString();
            f.at = domain::parse_utc(q.getColumn(1).getString());
            f.bytes = static_cast<std::uint64_t>(q.getColumn(2).getInt64());
            const auto rows = q.getColumn(3).getString();
            f.has_rows = !rows.empty();
            auto counts = domain::decode_recorded_counts(rows);
            f.rows = std::move(counts.rows);
            f.rows_partial = std::move(counts.partial);
            out.push_back(std::move(f));
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::optional<domain::RunRecord>> SqliteAuditLog::last_run(std::string target,
                                                                  std::string kind) {
    try {
        SQLite::Statement q(*db_,
                            std::string("SELECT ") + kRunColumns +
                                " FROM runs WHERE target=? AND kind=? AND status<>'running' "
                                "AND (kind<>'backup' OR trigger<>'" +
                                domain::kSafetyTrigger +
                                "') "
                                "ORDER BY finished_at DESC LIMIT 1");
        q.bind(1, target);
        q.bind(2, kind);
        if (q.executeStep())
            return std::optional<domain::RunRecord>(run_from(q));
        return std::optional<domain::RunRecord>{};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::RunCount>> SqliteAuditLog::run_counts() {
    try {
        SQLite::Statement q(*db_,
                            "SELECT target, kind, status, COUNT(*) FROM runs "
                            "WHERE status<>'running' GROUP BY target, kind, status "
                            "ORDER BY target, kind, status");
        std::vector<domain::RunCount> out;
        while (q.executeStep()) {
            auto target = q.getColumn(0).getString();
            auto kind = q.getColumn(1).getString();
            const auto status = status_from("of " + target, q.getColumn(2).getString());
            out.push_back({std::move(target), std::move(kind), status, q.getColumn(3).getInt64()});
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::optional<domain::Provenance>> SqliteAuditLog::provenance(std::string target) {
    try {
        SQLite::Statement q(
            *db_, std::string("SELECT ") + kProvenanceColumns + " FROM provenance WHERE target=?");
        q.bind(1, target);
        std::optional<domain::Provenance> out;
        if (q.executeStep())
            out = provenance_from(q);
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::Provenance>> SqliteAuditLog::provenances() {
    try {
        SQLite::Statement q(
            *db_, std::string("SELECT ") + kProvenanceColumns + " FROM provenance ORDER BY target");
        std::vector<domain::Provenance> out;
        while (q.executeStep())
            out.push_back(provenance_from(q));
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::record_provenance(const domain::Provenance& p) {
    try {
        SQLite::Statement q(*db_,
                            std::string("INSERT OR REPLACE INTO provenance (") +
                                kProvenanceColumns + ") VALUES (?,?,?,?,?,?,?,?,?)");
        q.bind(1, p.target);
        q.bind(2, p.origin);
        q.bind(3, p.compose_project);
        q.bind(4, p.compose_service);
        q.bind(5, p.image);
        q.bind(6, p.db_type);
        q.bind(7, p.first_seen);
        q.bind(8, p.confirmed_at);
        q.bind(9, p.confirmed_by);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::record_check(const domain::CheckRecord& c) {
    try {
        SQLite::Statement q(*db_,
                            "INSERT INTO checks (id, repository, started_at, finished_at, subset, "
                            "subsets, ok, packs_read, total_packs, error) VALUES "
                            "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING");
        q.bind(1, c.id);
        q.bind(2, c.repository);
        q.bind(3, c.started_at);
        q.bind(4, c.finished_at);
        q.bind(5, c.subset);
        q.bind(6, c.subsets);
        q.bind(7, c.ok ? 1 : 0);
        q.bind(8, static_cast<int64_t>(c.packs_read));
        q.bind(9, static_cast<int64_t>(c.total_packs));
        q.bind(10, c.error);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::add_pending(const domain::PendingCopy& c) {
    try {
        SQLite::Statement q(*db_,
                            "INSERT OR IGNORE INTO copies (snapshot_id, source, destination, "
                            "run_id, target, made_at) VALUES (?,?,?,?,?,?)");
        q.bind(1, c.snapshot_id);
        q.bind(2, c.source);
        q.bind(3, c.destination);
        q.bind(4, c.run_id);
        q.bind(5, c.target);
        q.bind(6, c.made_at);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::CheckRecord>> SqliteAuditLog::checks(std::string repository, int limit) {
    try {
        SQLite::Statement q(*db_,
                            "SELECT id, repository, started_at, finished_at, subset, subsets, ok, "
                            "packs_read, total_packs, error FROM checks WHERE repository=? "
                            "ORDER BY finished_at DESC, rowid DESC LIMIT ?");
        q.bind(1, repository);
        q.bind(2, limit);
        std::vector<domain::CheckRecord> out;
        while (q.executeStep()) {
            domain::CheckRecord c;
            c.id = q.getColumn(0).getString();
            c.repository = q.getColumn(1).getString();
            c.started_at = q.getColumn(2).getString();
            c.finished_at = q.getColumn(3).getString();
            c.subset = q.getColumn(4).getInt();
            c.subsets = q.getColumn(5).getInt();
            c.ok = q.getColumn(6).getInt() != 0;
            c.packs_read = q.getColumn(7).getInt64();
            c.total_packs = q.getColumn(8).getInt64();
            c.error = q.getColumn(9).getString();
            out.push_back(std::move(c));
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<std::vector<domain::PendingCopy>> SqliteAuditLog::pending(std::string source,
                                                                 std::string destination) {
    try {
        SQLite::Statement q(*db_,
                            "SELECT snapshot_id, source, destination, run_id, target, made_at, "
                            "copied_at, last_error FROM copies WHERE copied_at = '' AND "
                            "(? = '' OR source = ?) AND (? = '' OR destination = ?) "
                            "ORDER BY made_at");
        q.bind(1, source);
        q.bind(2, source);
        q.bind(3, destination);
        q.bind(4, destination);
        std::vector<domain::PendingCopy> out;
        while (q.executeStep()) {
            domain::PendingCopy c;
            c.snapshot_id = q.getColumn(0).getString();
            c.source = q.getColumn(1).getString();
            c.destination = q.getColumn(2).getString();
            c.run_id = q.getColumn(3).getString();
            c.target = q.getColumn(4).getString();
            c.made_at = q.getColumn(5).getString();
            c.copied_at = q.getColumn(6).getString();
            c.last_error = q.getColumn(7).getString();
            out.push_back(std::move(c));
        }
        return out;
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::mark_copied(std::string source,
                                         std::string destination,
                                         std::string target,
                                         std::string up_to,
                                         std::string copied_at) {
    try {
        SQLite::Statement q(*db_,
                            "UPDATE copies SET copied_at = ?, last_error = '' WHERE copied_at = '' "
                            "AND source = ? AND destination = ? AND target = ? AND made_at <= ?");
        q.bind(1, copied_at);
        q.bind(2, source);
        q.bind(3, destination);
        q.bind(4, target);
        q.bind(5, up_to);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

Result<void> SqliteAuditLog::mark_failed(std::string source,
                                         std::string destination,
                                         std::string error) {
    try {
        SQLite::Statement q(*db_,
                            "UPDATE copies SET last_error = ? WHERE copied_at = '' AND source = ? "
                            "AND destination = ?");
        q.bind(1, error);
        q.bind(2, source);
        q.bind(3, destination);
        q.exec();
        return {};
    } catch (const std::exception& e) {
        return db_failure(e);
    }
}

}  // namespace bk::adapters::audit
