#include "adapters/audit/fallback_audit_log.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace bk::adapters::audit {
namespace {

using nlohmann::json;

// The states' strings are the audit trail's: an unknown one makes the line bad, never a default.
domain::RunStatus status_of(const std::string& s) {
    if (auto v = domain::parse_run_status(s))
        return *v;
    throw std::invalid_argument("unknown run status '" + s + "'");
}
domain::StepOutcome outcome_of(const std::string& s) {
    if (auto v = domain::parse_step_outcome(s))
        return *v;
    throw std::invalid_argument("unknown step outcome '" + s + "'");
}

json to_json(const domain::RunRecord& r) {
    return {{"id", r.id},
            {"target", r.target},
            {"trigger", r.trigger},
            {"status", domain::to_string(r.status)},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at},
            {"instance", r.instance},
            {"pid", r.pid},
            {"bytes", r.bytes},
            {"snapshots", r.snapshots},
            {"error", r.error},
            {"kind", r.kind}};
}
domain::RunRecord run_of(const json& j) {
    domain::RunRecord r;
    r.id = j.at("id").get<std::string>();
    r.target = j.at("target").get<std::string>();
    r.trigger = j.at("trigger").get<std::string>();
    r.status = status_of(j.at("status").get<std::string>());
    r.started_at = j.at("started_at").get<std::string>();
    r.finished_at = j.value("finished_at", "");
    r.instance = j.value("instance", "");
    r.pid = j.value("pid", std::int64_t{0});
    r.bytes = j.value("bytes", std::uint64_t{0});
    r.snapshots = j.value("snapshots", "");
    r.error = j.value("error", "");
    r.kind = j.value("kind", "backup");
    return r;
}
json to_json(const domain::StepRecord& s) {
    return {{"run_id", s.run_id},
            {"name", s.name},
            {"started_at", s.started_at},
            {"finished_at", s.finished_at},
            {"bytes", s.bytes},
            {"outcome", domain::to_string(s.outcome)},
            {"detail", s.detail}};
}
domain::StepRecord step_of(const json& j) {
    domain::StepRecord s;
    s.run_id = j.at("run_id").get<std::string>();
    s.name = j.at("name").get<std::string>();
    s.started_at = j.at("started_at").get<std::string>();
    s.finished_at = j.value("finished_at", "");
    s.bytes = j.value("bytes", std::uint64_t{0});
    s.outcome = outcome_of(j.value("outcome", ""));
    s.detail = j.value("detail", "");
    return s;
}
json to_json(const domain::EffectRecord& e) {
    return {{"run_id", e.run_id},
            {"instance", e.instance},
            {"kind", e.kind},
            {"ref", e.ref},
            {"detail", e.detail},
            {"at", e.at}};
}
domain::EffectRecord effect_of(const json& j) {
    return {j.at("run_id").get<std::string>(),
            j.at("instance").get<std::string>(),
            j.at("kind").get<std::string>(),
            j.at("ref").get<std::string>(),
            j.value("detail", ""),
            j.value("at", "")};
}

json to_json(const domain::ContentsRecord& c) {
    return {{"snapshot_id", c.snapshot_id},
            {"run_id", c.run_id},
            {"target", c.target},
            {"item", c.item},
            {"rows", c.rows},
            {"bytes", c.bytes}};
}
domain::ContentsRecord contents_of(const json& j) {
    return {j.at("snapshot_id").get<std::string>(),
            j.at("run_id").get<std::string>(),
            j.at("target").get<std::string>(),
            j.at("item").get<std::string>(),
            j.value("rows", ""),
            j.value("bytes", std::uint64_t{0})};
}

json to_json(const domain::CheckRecord& c) {
    return {{"id", c.id},
            {"repository", c.repository},
            {"started_at", c.started_at},
            {"finished_at", c.finished_at},
            {"subset", c.subset},
            {"subsets", c.subsets},
            {"ok", c.ok},
            {"packs_read", c.packs_read},
            {"total_packs", c.total_packs},
            {"error", c.error}};
}
domain::CheckRecord check_of(const json& j) {
    domain::CheckRecord c;
    c.id = j.at("id").get<std::string>();
    c.repository = j.at("repository").get<std::string>();
    c.started_at = j.value("started_at", "");
    c.finished_at = j.value("finished_at", "");
    c.subset = j.at("subset").get<int>();
    c.subsets = j.at("subsets").get<int>();
    c.ok = j.at("ok").get<bool>();
    c.packs_read = j.value("packs_read", std::int64_t{-1});
    c.total_packs = j.value("total_packs", std::int64_t{-1});
    c.error = j.value("error", "");
    return c;
}

// One JSONL line; bytes that are not UTF-8 (a program's stderr) become U+FFFD, never an exception.
std::string line_of(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<void> apply_line(domain::AuditLog& store, const json& line) {
    const auto op = line.at("op").get<std::string>();
    const auto& rec = line.at("record");
    if (op == "begin_run")
        return store.begin_run(run_of(rec));
    if (op == "finish_run")
        return store.finish_run(run_of(rec));
    if (op == "add_step")
        return store.add_step(step_of(rec));
    if (op == "record_effect")
        return store.record_effect(effect_of(rec));
    if (op == "settle_effect")
        return store.settle_effect(effect_of(rec));
    if (op == "record_contents")
        return store.record_contents(contents_of(rec));
    if (op == "rename_snapshot") {
        return store.rename_snapshot(rec.at("old").get<std::string>(),
                                     rec.at("new").get<std::string>());
    }
    if (op == "record_check")
        return store.record_check(check_of(rec));
    throw std::invalid_argument("unknown op " + op);
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// The file is appended to and rewritten by several processes (a CLI run beside the daemon):
// both hold <file>.lock exclusively.
class FileGuard {
public:
    explicit FileGuard(const std::string& path)
        : fd_(::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
        if (fd_ >= 0) {
            while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
            }
        }
    }
    ~FileGuard() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    FileGuard(const FileGuard&) = delete;
    FileGuard& operator=(const FileGuard&) = delete;

private:
    int fd_;
};

Failure unavailable() {
    return Failure{errc::io_error, "the audit store is not open"};
}

}  // namespace

FallbackAuditLog::FallbackAuditLog(Opener open, std::string jsonl_path, domain::Logger& log)
    : open_(std::move(open)), path_(std::move(jsonl_path)), log_(log) {
    (void)store();
}

FallbackAuditLog::~FallbackAuditLog() = default;

domain::AuditLog* FallbackAuditLog::store() {
    if (!store_) {
        auto opened = open_();
        if (opened) {
            store_ = std::move(*opened);
            store_error_.clear();
        } else {
            store_error_ = opened.error().message;
        }
    }
    return store_.get();
}

Result<void> FallbackAuditLog::append(const std::string& line) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    FileGuard guard(path_);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Failure{errc::io_error, "cannot open " + path_ + ": " + errno_text(errno)};
    }
    const bool ok = write_all(fd, line + "\n") && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        return Failure{errc::io_error, "cannot write " + path_ + ": " + errno_text(errno)};
    }
    return {};
}

template <class Write>
Result<void> FallbackAuditLog::write(const char* op, const std::string& record, Write&& to_store) {
    if (auto* s = store()) {
        auto r = to_store(*s);
        if (r)
            return r;
        store_error_ = r.error().message;
    }
    log_.warn("audit store failed (" + store_error_ + "); the record goes to " + path_);
    return append("{\"op\":\"" + std::string(op) + "\",\"record\":" + record + "}");
}

Result<void> FallbackAuditLog::begin_run(const domain::RunRecord& r) {
    return write(
        "begin_run", line_of(to_json(r)), [&](domain::AuditLog& s) { return s.begin_run(r); });
}
Result<void> FallbackAuditLog::add_step(const domain::StepRecord& st) {
    return write(
        "add_step", line_of(to_json(st)), [&](domain::AuditLog& s) { return s.add_step(st); });
}
Result<void> FallbackAuditLog::finish_run(const domain::RunRecord& r) {
    return write(
        "finish_run", line_of(to_json(r)), [&](domain::AuditLog& s) { return s.finish_run(r); });
}
Result<void> FallbackAuditLog::record_effect(const domain::EffectRecord& e) {
    return write("record_effect", line_of(to_json(e)), [&](domain::AuditLog& s) {
        return s.record_effect(e);
    });
}
Result<void> FallbackAuditLog::settle_effect(const domain::EffectRecord& e) {
    return write("settle_effect", line_of(to_json(e)), [&](domain::AuditLog& s) {
        return s.settle_effect(e);
    });
}

Result<void> FallbackAuditLog::record_contents(const domain::ContentsRecord& c) {
    return write("record_contents", line_of(to_json(c)), [&](domain::AuditLog& s) {
        return s.record_contents(c);
    });
}
Result<void> FallbackAuditLog::rename_snapshot(const std::string& old_id,
                                               const std::string& new_id) {
    return write("rename_snapshot",
                 line_of(json{{"old", old_id}, {"new", new_id}}),
                 [&](domain::AuditLog& s) { return s.rename_snapshot(old_id, new_id); });
}
Result<std::vector<domain::DumpFigures>> FallbackAuditLog::normal_dumps(std::string target,
                                                                        std::string item,
                                                                        int limit) {
    if (auto* s = store())
        return s->normal_dumps(std::move(target), std::move(item), limit);
    return unavailable();
}
Result<std::optional<domain::ContentsRecord>> FallbackAuditLog::contents(std::string snapshot_id) {
    if (auto* s = store())
        return s->contents(std::move(snapshot_id));
    return unavailable();
}
Result<std::optional<domain::RunRecord>> FallbackAuditLog::last_run(std::string target,
                                                                    std::string kind) {
    if (auto* s = store())
        return s->last_run(std::move(target), std::move(kind));
    return unavailable();
}

Result<std::vector<domain::RunRecord>> FallbackAuditLog::runs(const domain::RunQuery& query) {
    if (auto* s = store())
        return s->runs(query);
    return unavailable();
}

Result<std::optional<domain::RunRecord>> FallbackAuditLog::run(std::string id) {
    if (auto* s = store())
        return s->run(std::move(id));
    return unavailable();
}

Result<std::vector<domain::RunCount>> FallbackAuditLog::run_counts() {
    if (auto* s = store())
        return s->run_counts();
    return unavailable();
}

Result<std::vector<domain::RunRecord>> FallbackAuditLog::history(std::string target,
                                                                 bool failed_only,
                                                                 int limit) {
    if (auto* s = store())
        return s->history(std::move(target), failed_only, limit);
    return unavailable();
}
Result<std::vector<domain::StepRecord>> FallbackAuditLog::steps(std::string run_id) {
    if (auto* s = store())
        return s->steps(std::move(run_id));
    return unavailable();
}
Result<std::vector<domain::RunRecord>> FallbackAuditLog::running() {
    if (auto* s = store())
        return s->running();
    return unavailable();
}
Result<std::vector<domain::EffectRecord>> FallbackAuditLog::open_effects() {
    if (auto* s = store())
        return s->open_effects();
    return unavailable();
}
Result<std::string> FallbackAuditLog::last_success(std::string target) {
    if (auto* s = store())
        return s->last_success(std::move(target));
    return unavailable();
}

// Provenance is read and written only in the store: while it is away a target's provenance is
// unverified (its runs go on, retention waits) and first sights are recorded once it is back.
Result<std::optional<domain::Provenance>> FallbackAuditLog::provenance(std::string target) {
    if (auto* s = store())
        return s->provenance(std::move(target));
    return unavailable();
}
Result<std::vector<domain::Provenance>> FallbackAuditLog::provenances() {
    if (auto* s = store())
        return s->provenances();
    return unavailable();
}
Result<void> FallbackAuditLog::record_provenance(const domain::Provenance& p) {
    if (auto* s = store())
        return s->record_provenance(p);
    return unavailable();
}

// A check goes to the file while the store is away (and into the store at the replay); reading
// needs the store: while it is away the rotation cannot be known and no check runs.
Result<void> FallbackAuditLog::record_check(const domain::CheckRecord& c) {
    return write("record_check", line_of(to_json(c)), [&](domain::AuditLog& s) {
        return s.record_check(c);
    });
}
Result<std::vector<domain::CheckRecord>> FallbackAuditLog::checks(std::string repository,
                                                                  int limit) {
    if (auto* s = store())
        return s->checks(std::move(repository), limit);
    return unavailable();
}

int FallbackAuditLog::pending() const {
    std::ifstream in(path_);
    int n = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty())
            ++n;
    }
    return n;
}

ReplayReport FallbackAuditLog::replay() {
    ReplayReport report;
    if (!std::filesystem::exists(path_))
        return report;
    auto* s = store();
    FileGuard guard(path_);
    if (s == nullptr) {
        report.kept = pending();
        return report;
    }
    std::ifstream in(path_);
    std::string line;
    std::string kept;
    std::string bad;
    bool store_failing = false;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        if (store_failing) {
            kept += line + "\n";  // keep the order: nothing after a failure replays early
            ++report.kept;
            continue;
        }
        try {
            auto r = apply_line(*s, json::parse(line));
            if (r) {
                ++report.replayed;
            } else {
                store_failing = true;
                store_error_ = r.error().message;
                kept += line + "\n";
                ++report.kept;
            }
        } catch (const std::exception&) {
            bad += line + "\n";
            ++report.bad;
        }
    }
    in.close();
    if (!bad.empty()) {
        const int fd =
            ::open((path_ + ".bad").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            (void)(write_all(fd, bad) && ::fsync(fd) == 0);
            ::close(fd);
        }
    }
    const std::string tmp = path_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return report;
    const bool ok = write_all(fd, kept) && ::fsync(fd) == 0;
    ::close(fd);
    std::error_code ec;
    if (ok && kept.empty()) {
        std::filesystem::remove(path_, ec);
        std::filesystem::remove(tmp, ec);
    } else if (ok) {
        std::filesystem::rename(tmp, path_, ec);
    }
    return report;
}

}  // namespace bk::adapters::audit
