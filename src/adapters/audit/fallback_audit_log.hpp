#pragma once
// The audit trail that never stops a backup: writes go to the store; when the store fails
// (locked, read-only, disk full, corrupt, or it could not be opened at all) the record is
// appended to a JSONL file (one line, fsynced) instead. replay() moves the lines into the store
// (every write is an upsert, so a line replayed twice lands once); a line that cannot be read is
// moved aside to `<file>.bad` and the rest replays; the file is rewritten atomically (.tmp,
// rename).

#include <functional>
#include <memory>
#include <string>

#include "domain/ports/bookkeeping.hpp"
#include "domain/ports/logger.hpp"

namespace bk::adapters::audit {

struct ReplayReport {
    int replayed{0};
    int bad{0};
    int kept{0};  ///< still in the file: the store is still failing
};

class FallbackAuditLog final : public domain::AuditLog {
public:
    using Opener = std::function<Result<std::unique_ptr<domain::AuditLog>>()>;

    /// `open` is tried now and again before each replay while the store is not open. A record
    /// that goes to the file instead of the store is said on `log` (a warning).
    FallbackAuditLog(Opener open, std::string jsonl_path, domain::Logger& log);
    ~FallbackAuditLog() override;

    /// Why the store is not open (empty when it is).
    [[nodiscard]] const std::string& store_error() const { return store_error_; }
    /// Lines waiting in the fallback file.
    [[nodiscard]] int pending() const;
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Reopens the store if needed, then replays the file into it.
    ReplayReport replay();

    // domain::AuditLog
    Result<void> begin_run(const domain::RunRecord& run) override;
    Result<void> add_step(const domain::StepRecord& step) override;
    Result<void> finish_run(const domain::RunRecord& run) override;
    Result<void> record_effect(const domain::EffectRecord& effect) override;
    Result<void> settle_effect(const domain::EffectRecord& effect) override;
    Result<std::vector<domain::RunRecord>> history(std::string target,
                                                   bool failed_only,
                                                   int limit) override;
    Result<std::vector<domain::StepRecord>> steps(std::string run_id) override;
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

private:
    template <class Write>
    Result<void> write(const char* op, const std::string& json, Write&& to_store);
    Result<void> append(const std::string& line);
    domain::AuditLog* store();

    Opener open_;
    std::string path_;
    domain::Logger& log_;
    std::unique_ptr<domain::AuditLog> store_;
    std::string store_error_;
};

}  // namespace bk::adapters::audit
