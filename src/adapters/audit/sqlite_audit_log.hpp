#pragma once

#include <memory>
#include <string>

#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/copy_ledger.hpp"

namespace SQLite {
class Database;
}

namespace bk::adapters::audit {

/// domain::AuditLog in SQLite (WAL, versioned migrations via PRAGMA user_version) in state_dir.
/// It keeps the pending copies too (domain::CopyLedger), in the same database.
class SqliteAuditLog final : public domain::AuditLog, public domain::CopyLedger {
public:
    /// Opens (creating and migrating) `<path>`.
    static Result<std::unique_ptr<SqliteAuditLog>> open(const std::string& path);
    ~SqliteAuditLog() override;

    // domain::AuditLog
    Result<void> begin_run(const domain::RunRecord& run) override;
    Result<void> add_step(const domain::StepRecord& step) override;
    Result<void> finish_run(const domain::RunRecord& run) override;
    Result<std::vector<domain::RunRecord>> history(std::string target,
                                                   bool failed_only,
                                                   int limit) override;
    Result<std::vector<domain::StepRecord>> steps(std::string run_id) override;
    Result<void> record_effect(const domain::EffectRecord& effect) override;
    Result<void> settle_effect(const domain::EffectRecord& effect) override;
    Result<std::vector<domain::RunRecord>> running() override;
    Result<std::vector<domain::EffectRecord>> open_effects() override;
    Result<std::string> last_success(std::string target) override;
    Result<void> record_contents(const domain::ContentsRecord& contents) override;
    Result<std::optional<domain::ContentsRecord>> contents(std::string snapshot_id) override;
    Result<void> rename_snapshot(const std::string& old_id, const std::string& new_id) override;
    Result<std::vector<domain::DumpFigures>> normal_dumps(std::string target,
                                                          std::string item,
                                                          int limit) override;
    Result<std::optional<domain::RunRecord>> last_run(std::string target,
                                                      std::string kind) override;
    Result<std::vector<domain::RunRecord>> runs(const domain::RunQuery& query) override;
    Result<std::optional<domain::RunRecord>> run(std::string id) override;
    Result<std::vector<domain::RunCount>> run_counts() override;
    Result<std::optional<domain::Provenance>> provenance(std::string target) override;
    Result<std::vector<domain::Provenance>> provenances() override;
    Result<void> record_provenance(const domain::Provenance& p) override;
    Result<void> record_check(const domain::CheckRecord& check) override;
    Result<std::vector<domain::CheckRecord>> checks(std::string repository, int limit) override;

    // domain::CopyLedger
    Result<void> add_pending(const domain::PendingCopy& copy) override;
    Result<std::vector<domain::PendingCopy>> pending(std::string source,
                                                     std::string destination) override;
    Result<void> mark_copied(std::string source,
                             std::string destination,
                             std::string target,
                             std::string up_to,
                             std::string copied_at) override;
    Result<void> mark_failed(std::string source,
                             std::string destination,
                             std::string error) override;

private:
    explicit SqliteAuditLog(std::unique_ptr<SQLite::Database> db);
    std::unique_ptr<SQLite::Database> db_;
};

}  // namespace bk::adapters::audit
