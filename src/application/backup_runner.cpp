#include "application/backup_runner.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>

#include "application/provenance_guard.hpp"
#include "application/repository_checks.hpp"
#include "application/snapshot_copier.hpp"
#include "application/suspects.hpp"
#include "domain/dump_census.hpp"
#include "domain/duration.hpp"
#include "domain/human.hpp"
#include "domain/snapshot_tags.hpp"
#include "domain/telling_line.hpp"
#include "domain/utc_time.hpp"
#include <unistd.h>

namespace bk::app {

std::string format_progress(const Progress& p, double seconds) {
    std::string out = p.item + ": " + domain::human_bytes(p.bytes);
    if (seconds > 0.5) {
        out += " at " + domain::human_bytes(static_cast<double>(p.bytes) / seconds) + "/s";
    }
    return out;
}

std::string new_run_id() {
    const auto t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    static std::mt19937 rng{std::random_device{}()};
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rng() & 0xffffff));
    return std::string(buf) + "-" + suffix;
}

namespace {

// The audit step of the first item that failed: "dump shop", "files /srv/uploads".
std::string item_stage(const std::vector<ItemReport>& items) {
    for (const auto& i : items) {
        if (i.outcome == domain::StepOutcome::ok)
            continue;
        if (i.database.rfind("files:", 0) == 0)
            return "files " + i.database.substr(6);
        return "dump " + i.database;
    }
    return "dump";
}

// Counts the bytes that pass on to the snapshot writer.
class CountingSink final : public domain::ByteSink {
public:
    CountingSink(domain::SnapshotWriter& w, const Cutoff& cut, Progress& progress, std::string item)
        : w_(w), cut_(cut), progress_(progress) {
        progress_.item = std::move(item);
        progress_.bytes = 0;
        progress_.item_since = std::chrono::steady_clock::now();
    }
    ~CountingSink() override { progress_.item.clear(); }
    CountingSink(const CountingSink&) = delete;
    CountingSink& operator=(const CountingSink&) = delete;
    std::uint64_t bytes{0};
    Task<Result<void>> write(std::span<const char> data) override {
        if (cut_.requested()) {
            // Shutdown: the stream stops here, so the snapshot is aborted, never committed.
            co_return Failure{errc::cancelled, "cut short: " + cut_.reason()};
        }
        bytes += data.size();
        progress_.bytes = bytes;
        progress_.run_bytes += data.size();
        co_return co_await w_.write(data);
    }

private:
    domain::SnapshotWriter& w_;
    const Cutoff& cut_;
    Progress& progress_;
};

std::string dump_failure(const domain::DumpOutcome& o) {
    if (!o.error.empty()) {
        return o.error;
    }
    const std::string tail = domain::telling_line(o.stderr_tail);
    if (o.exit_code != 0) {
        return "the dump exited " + std::to_string(o.exit_code) + (tail.empty() ? "" : ": " + tail);
    }
    // The client's own words, else the kind's check's (what is missing or wrong).
    std::string why = tail.empty() ? o.check_problem : tail;
    if (tail.empty() && why.find("completion marker") != std::string::npos)
        return why;
    return "the dump ended without its completion marker (truncated?)" +
           (why.empty() ? std::string{} : ": " + why);
}

}  // namespace

Task<void> BackupRunner::settle(domain::SnapshotWriter& writer,
                                bool source_ok,
                                std::string error,
                                ItemReport& report) {
    if (!source_ok) {
        co_await writer.abort();  // no snapshot from an incomplete source
        report.outcome = domain::StepOutcome::failed;
        report.error = std::move(error);
        co_return;
    }
    auto snap = co_await writer.commit();
    if (snap) {
        report.outcome = domain::StepOutcome::ok;
        report.snapshot_id = snap->snapshot_id;
    } else {
        report.outcome = domain::StepOutcome::failed;
        report.error = snap.error().message;
    }
}

void BackupRunner::record_item(domain::StepRecord step, const ItemReport& item) {
    step.finished_at = domain::utc_now();
    step.bytes = item.bytes;
    step.outcome = item.outcome;
    step.detail =
        item.outcome == domain::StepOutcome::ok ? "snapshot " + item.snapshot_id : item.error;
    audit_.add_step(step);
}

Task<std::string> BackupRunner::hook(const domain::Target& target,
                                     const std::string& name,
                                     std::vector<std::string> argv,
                                     const std::string& run_id) {
    domain::StepRecord step{run_id, name, domain::utc_now()};
    // Labels: inside the target (exec). Config projects: in the operator's container, /bin/sh -c.
    auto& runner = target.source == domain::Origin::config ? projects_.hooks : hooks_;
    auto outcome = co_await runner.run(target, std::move(argv));
    std::string why = outcome.error;
    if (why.empty() && outcome.exit_code != 0) {
        const std::string tail = domain::last_line(outcome.output_tail);
        why = name + " exited " + std::to_string(outcome.exit_code) +
              (tail.empty() ? "" : ": " + tail);
    }
    step.finished_at = domain::utc_now();
    step.outcome = why.empty() ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    step.detail = why;
    audit_.add_step(step);
    co_return why;
}

Task<void> BackupRunner::back_up_files(const domain::Target& target,
                                       domain::BackupRepository& repo,
                                       const std::string& run_id,
                                       std::vector<ItemReport>& items,
                                       bool pre_restore,
                                       domain::StreamLimits limits) {
    auto plan = co_await files_.plan_files(target);
    if (!plan) {
        items.push_back({"files", domain::StepOutcome::failed, "", 0, plan.error().message});
        co_return;
    }
    bool restart = false;
    domain::EffectRecord effect{
        run_id, instance_id_, "container_stopped", target.container_id, target.container_name, ""};
    if (target.stop_during_backup) {
        domain::StepRecord step{run_id, "stop target", domain::utc_now()};
        // Journalled first: if we die while it is stopped, recovery starts it again.
        effect.at = domain::utc_now();
        audit_.record_effect(effect);
        auto stopped = co_await files_.stop(target);
        step.finished_at = domain::utc_now();
        step.outcome = stopped ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        step.detail =
            stopped ? (*stopped ? "was running" : "was not running") : stopped.error().message;
        audit_.add_step(step);
        if (!stopped) {
            items.push_back({"files",
                             domain::StepOutcome::failed,
                             "",
                             0,
                             "cannot stop the target: " + stopped.error().message});
            co_return;
        }
        restart = *stopped;
        if (!restart) {
            effect.at = domain::utc_now();
            audit_.settle_effect(effect);  // it was not running: nothing to undo
        }
    }
    for (const auto& item : *plan) {
        ItemReport ir;
        ir.database = "files:" + item.path;
        domain::StepRecord step{run_id, "files " + item.path, domain::utc_now()};
        domain::WriterSpec spec;
        spec.file_name = item.file_name;
        spec.tags = {domain::snapshot_tag("target", target.name),
                     "kind:files",
                     domain::snapshot_tag("path", item.path)};
        if (pre_restore)
            spec.tags.push_back(domain::kSafetyTag);
        if (limits.expired()) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = "not started: the run's time was up";
            record_item(std::move(step), ir);
            items.push_back(std::move(ir));
            continue;
        }
        auto writer = co_await repo.open_writer(spec);
        if (!writer) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = writer.error().message;
        } else {
            CountingSink sink(**writer, *cut_, live_[run_id], ir.database);
            auto streamed = co_await files_.stream(target, item, sink, limits);
            ir.bytes = sink.bytes;
            const bool streamed_ok = streamed.has_value();
            std::string why = streamed_ok ? std::string{} : streamed.error().message;
            co_await settle(**writer, streamed_ok, std::move(why), ir);
        }
        record_item(std::move(step), ir);
        items.push_back(std::move(ir));
    }
    if (restart) {
        // Its previous state comes back whatever happened to the files part.
        domain::StepRecord step{run_id, "start target", domain::utc_now()};
        auto started = co_await files_.start(target);
        if (started) {
            effect.at = domain::utc_now();
            audit_.settle_effect(effect);
        }
        step.finished_at = domain::utc_now();
        step.outcome = started ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        step.detail = started ? "" : started.error().message;
        audit_.add_step(step);
        if (!started) {
            items.push_back({"restart",
                             domain::StepOutcome::failed,
                             "",
                             0,
                             "the target was not started again: " + started.error().message});
        }
    }
}

Task<void> BackupRunner::back_up_paths(const domain::Target& target,
                                       domain::BackupRepository& repo,
                                       const std::string& run_id,
                                       std::vector<ItemReport>& items,
                                       bool pre_restore,
                                       domain::StreamLimits limits) {
    for (const auto& path : target.paths) {
        ItemReport ir;
        ir.database = "files:" + path;
        domain::StepRecord step{run_id, "files " + path, domain::utc_now()};
        auto& live = live_[run_id];
        live.item = ir.database;
        live.bytes = 0;
        live.item_since = std::chrono::steady_clock::now();
        std::vector<std::string> tags{domain::snapshot_tag("target", target.name),
                                      "kind:files",
                                      domain::snapshot_tag("path", path)};
        if (pre_restore)
            tags.push_back(domain::kSafetyTag);
        if (cut_->requested()) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = "cut short: " + cut_->reason();
        } else if (limits.expired()) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = "not started: the run's time was up";
        } else {
            auto done = co_await repo.backup_path(path, tags);
            if (done) {
                ir.outcome = domain::StepOutcome::ok;
                ir.snapshot_id = done->snapshot_id;
                ir.bytes = done->bytes_processed;
                live.run_bytes += ir.bytes;
            } else {
                ir.outcome = domain::StepOutcome::failed;
                ir.error = done.error().message;
            }
        }
        live.item.clear();
        record_item(std::move(step), ir);
        items.push_back(std::move(ir));
    }
}

Task<Result<domain::EffectRecord>> BackupRunner::join_network(const domain::Target& target,
                                                              const std::string& run_id) {
    domain::EffectRecord effect{run_id, instance_id_, "network_joined", "", "", ""};
    const std::string& network = target.network;
    if (network.empty() || network == "bridge" || network == "host" || network == "none") {
        co_return effect;
    }
    const std::string self = co_await projects_.networks.self();
    if (self.empty()) {
        co_return effect;  // outside a container: the host reaches the app's ports itself
    }
    domain::StepRecord step{run_id, "join network " + network, domain::utc_now()};
    effect.ref = network;
    effect.detail = self;
    effect.at = domain::utc_now();
    audit_.record_effect(effect);  // journalled first: recovery leaves it after a crash
    auto joined = co_await projects_.networks.join(network, self);
    step.finished_at = domain::utc_now();
    step.outcome = joined ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    step.detail = joined ? (*joined ? "joined" : "already on it") : joined.error().message;
    audit_.add_step(step);
    if (!joined || !*joined) {
        // Not joined now: nothing of ours to leave later.
        effect.at = domain::utc_now();
        audit_.settle_effect(effect);
        effect.ref.clear();
    }
    if (!joined) {
        co_return joined.error();
    }
    co_return effect;
}

Task<void> BackupRunner::leave_network(domain::EffectRecord joined, const std::string& run_id) {
    if (joined.ref.empty())
        co_return;
    domain::StepRecord step{run_id, "leave network " + joined.ref, domain::utc_now()};
    auto left = co_await projects_.networks.leave(joined.ref, joined.detail);
    step.finished_at = domain::utc_now();
    step.outcome = left ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    step.detail = left ? "" : left.error().message;
    audit_.add_step(step);
    if (left) {
        joined.at = domain::utc_now();
        audit_.settle_effect(joined);
    }
}

bool BackupRunner::lockable(const std::string& target, std::string& holder) {
    auto probe = locks_.try_lock(target, "probe", holder);
    return probe && *probe;  // released again right here
}

Task<RunReport> BackupRunner::run(domain::Target target, std::string trigger, std::string run_id) {
    RunReport report;
    report.run_id = run_id.empty() ? new_run_id() : std::move(run_id);
    report.target = target.name;
    report.trigger = trigger;

    std::string holder;
    auto lock = locks_.try_lock(target.name, report.run_id, holder);
    if (!lock) {
        report.status = domain::RunStatus::failed;
        report.error = lock.error().message;
        co_return report;
    }
    if (!*lock) {
        report.status = domain::RunStatus::skipped;
        report.error = "target " + target.name + " is locked by " + holder;
        co_return report;
    }
    auto& live = live_[report.run_id];
    live.target = target.name;
    live.run_since = std::chrono::steady_clock::now();
    latest_ = report.run_id;
    if (observer_ != nullptr)
        co_await observer_->started(target, report.run_id);
    // No input may end the caller's worker: whatever escapes the run (a parser that throws on a
    // hostile dump, a bug) becomes a failed run with its reason, and the lock is released.
    std::string internal;
    try {
        co_await locked_run(target, trigger, report);
    } catch (const std::exception& e) {
        internal = e.what();
    } catch (...) {
        internal = "unknown exception";
    }
    if (!internal.empty())
        fail_internally(report, internal);
    live_.erase(report.run_id);
    if (observer_ != nullptr)
        co_await observer_->finished(target, report, trigger);
    co_return report;
}

Task<Result<std::int64_t>> forget_in(const RepositoryLookup& repositories,
                                     const domain::OperatorConfig& config,
                                     std::string repository,
                                     domain::BackupRepository& repo,
                                     std::vector<std::string> group,
                                     domain::Retention keep) {
    const auto rc = config.repositories.find(repository);
    domain::BackupRepository* deleting = &repo;
    if (rc != config.repositories.end() && rc->second.append_only && rc->second.has_maintenance) {
        std::string name = repository + "@maintenance";  // named: not a temporary in co_await
        auto m = co_await repositories(std::move(name));
        if (!m)
            co_return m.error();
        deleting = *m;
    }
    co_return co_await deleting->forget(std::move(group), keep);
}

void close_run_record(domain::AuditLog& audit, domain::RunRecord record) {
    auto existing = audit.run(record.id);
    if (existing && *existing) {
        if ((*existing)->status != domain::RunStatus::running)
            return;
        auto r = **existing;
        r.status = record.status;
        r.error = record.error;
        r.finished_at = record.finished_at;
        (void)audit.finish_run(r);
        return;
    }
    if (record.started_at.empty())
        record.started_at = record.finished_at;
    (void)audit.begin_run(record);
    (void)audit.finish_run(record);
}

void BackupRunner::fail_internally(RunReport& report, const std::string& what) {
    report.status = domain::RunStatus::failed;
    if (report.stage.empty())
        report.stage = "internal";
    report.error = "internal error: " + what;
    report.finished_at = domain::utc_now();
    domain::RunRecord record;
    record.id = report.run_id;
    record.target = report.target;
    record.trigger = report.trigger;
    record.status = report.status;
    record.error = report.error;
    record.finished_at = report.finished_at;
    record.instance = instance_id_;
    record.pid = ::getpid();
    close_run_record(audit_, std::move(record));
}

Task<void> BackupRunner::locked_run(const domain::Target& given,
                                    const std::string& trigger,
                                    RunReport& report) {
    domain::Target target = given;
    const auto started = std::chrono::steady_clock::now();
    // One deadline for the whole run: every stream is cut there, nothing after it commits.
    domain::StreamLimits limits;
    limits.deadline = started + given.timeout;
    limits.idle = given.idle_timeout;
    limits.cut = cut_;  // shutdown: the streams are cancelled through their slots
    const std::string timed_out = "timed out after " + domain::format_duration(given.timeout);
    domain::RunRecord record;
    record.id = report.run_id;
    record.target = target.name;
    record.trigger = trigger;
    record.status = domain::RunStatus::running;
    record.started_at = domain::utc_now();
    record.instance = instance_id_;
    record.pid = ::getpid();
    audit_.begin_run(record);  // bookkeeping failures never stop the backup

    auto finish = [&](domain::RunStatus status, std::string error, std::string stage) {
        report.status = status;
        report.error = std::move(error);
        report.stage = std::move(stage);
        if (cut_->requested() && report.status != domain::RunStatus::success &&
            report.error.find("cut short") == std::string::npos) {
            report.error = "cut short (" + cut_->reason() + "): " + report.error;
        }
        record.status = report.status;
        record.error = report.error;
        record.finished_at = domain::utc_now();
        for (const auto& i : report.items) {
            record.bytes += i.bytes;
            if (!i.snapshot_id.empty()) {
                record.snapshots += (record.snapshots.empty() ? "" : ",") + i.snapshot_id;
            }
        }
        audit_.finish_run(record);
        report.finished_at = record.finished_at;
        report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };

    // Labels are untrusted: a target that is not what it was when first seen (another app's
    // name taken over) neither writes beside that app's snapshots nor forgets them.
    const auto trust = check_provenance(audit_, target);
    {
        domain::StepRecord step{report.run_id, "provenance", domain::utc_now()};
        step.finished_at = step.started_at;
        step.outcome = trust.held() ? domain::StepOutcome::failed
                       : trust.kind == ProvenanceVerdict::Kind::unverified
                           ? domain::StepOutcome::skipped
                           : domain::StepOutcome::ok;
        step.detail = trust.summary();
        audit_.add_step(step);
    }
    if (trust.held()) {
        finish(domain::RunStatus::failed, trust.held_message(), "provenance");
        co_return;
    }
    if (!target.database && target.volumes.empty() && target.paths.empty()) {
        finish(
            domain::RunStatus::failed, "nothing to back up: no database, volumes or paths", "plan");
        co_return;
    }
    std::optional<ItemReport> resolve_failed;
    if (target.source == domain::Origin::config && target.database) {
        // Where the project's database runs now: looked up at every run, so a recreated
        // container (new id, new address) is found again.
        domain::StepRecord step{
            report.run_id, "resolve " + target.database->host, domain::utc_now()};
        auto resolved = co_await projects_.resolver.resolve(target);
        step.finished_at = domain::utc_now();
        step.outcome = resolved ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        step.detail =
            resolved ? (resolved->container_name.empty()
                            ? "outside Docker, client " + resolved->image
                            : "container " + resolved->container_name + " on " + resolved->network)
                     : resolved.error().message;
        audit_.add_step(step);
        if (resolved) {
            target = std::move(*resolved);
        } else if (target.paths.empty()) {
            finish(domain::RunStatus::failed, resolved.error().message, "resolve");
            co_return;
        } else {
            // The database cannot be reached now; its asset paths are backed up all the same.
            resolve_failed = {target.database->host,
                              domain::StepOutcome::failed,
                              "",
                              0,
                              resolved.error().message};
            target.database.reset();
        }
    }
    auto repo = co_await repositories_(target.repository);
    if (!repo) {
        finish(domain::RunStatus::failed, repo.error().message, "repository");
        co_return;
    }
    std::string key_file;
    if (target.encrypt != "none" && !target.encrypt.empty()) {
        auto k = config_.keys.find(target.encrypt);
        if (k == config_.keys.end() || k->second.public_key_file.empty()) {
            finish(domain::RunStatus::failed,
                   "key " + target.encrypt + " has no public_key_file",
                   "encryption key");
            co_return;
        }
        key_file = k->second.public_key_file;
    }
    // A project's hooks run in the operator's container: it joins the project's network first.
    domain::EffectRecord joined;
    if (target.source == domain::Origin::config &&
        (!target.pre_hook.empty() || !target.post_hook.empty())) {
        auto j = co_await join_network(target, report.run_id);
        if (!j) {
            finish(domain::RunStatus::failed, j.error().message, "network");
            co_return;
        }
        joined = std::move(*j);
    }
    // The post-hook runs whatever happens from here on, also after a failure.
    std::string pre_failed;
    if (!target.pre_hook.empty()) {
        pre_failed = co_await hook(target, "pre-hook", target.pre_hook, report.run_id);
    }
    std::vector<domain::DumpItem> plan;
    std::string plan_failed;
    if (pre_failed.empty() && target.database) {
        auto planned = co_await dumper_.plan(target);
        if (planned) {
            plan = std::move(*planned);
        } else {
            plan_failed = planned.error().message;
        }
    }
    const bool go = pre_failed.empty() && plan_failed.empty();

    if (!go) {
        plan.clear();
    }
    // Each stored dump's figures, to compare with the target's history once all are stored.
    std::vector<std::pair<std::size_t, domain::DumpFigures>> figures;
    const auto run_began = domain::unix_now();
    for (const auto& item : plan) {
        ItemReport ir;
        ir.database = item.database;
        domain::StepRecord step{report.run_id, "dump " + item.database, domain::utc_now()};
        if (limits.expired()) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = "not started: the run's time was up";
            record_item(std::move(step), ir);
            report.items.push_back(std::move(ir));
            continue;
        }
        domain::WriterSpec spec;
        spec.file_name = item.file_name;
        // Encoded: a database name (the server's own listing) can never add a tag.
        spec.tags = {domain::snapshot_tag("target", target.name),
                     "kind:db",
                     domain::snapshot_tag("db", item.database)};
        if (!key_file.empty())
            spec.tags.push_back(domain::snapshot_tag("gpg", target.encrypt));  // restore decrypts
        // A restore's own safety backup is never what a later "latest" restores.
        if (trigger == domain::kSafetyTrigger)
            spec.tags.push_back(domain::kSafetyTag);
        spec.public_key_file = key_file;
        auto writer = co_await (*repo)->open_writer(spec);
        if (!writer) {
            ir.outcome = domain::StepOutcome::failed;
            ir.error = writer.error().message;
        } else {
            CountingSink sink(**writer, *cut_, live_[report.run_id], ir.database);
            auto outcome = co_await dumper_.dump(target, item, sink, report.run_id, limits);
            ir.bytes = outcome.bytes;
            // Past the deadline nothing commits, not even a dump that just ended well.
            const bool dump_ok = outcome.error.empty() && outcome.exit_code == 0 &&
                                 outcome.completion_marker && !limits.expired();
            std::string why = dump_ok                                 ? std::string{}
                              : outcome.timed_out || limits.expired() ? timed_out
                                                                      : dump_failure(outcome);
            co_await settle(**writer, dump_ok, std::move(why), ir);
            if (ir.outcome == domain::StepOutcome::ok) {
                // What the snapshot holds: a restore drill compares the restored database to it.
                audit_.record_contents({ir.snapshot_id,
                                        report.run_id,
                                        target.name,
                                        item.database,
                                        domain::encode_counts(outcome.rows, outcome.rows_partial),
                                        outcome.bytes});
                domain::DumpFigures f;
                f.run_id = report.run_id;
                f.at = run_began;
                f.bytes = outcome.bytes;
                f.has_rows = true;
                f.rows = outcome.rows;
                f.rows_partial = outcome.rows_partial;
                figures.emplace_back(report.items.size(), std::move(f));
            }
        }
        record_item(std::move(step), ir);
        report.items.push_back(std::move(ir));
    }
    if (go && !target.volumes.empty()) {
        co_await back_up_files(
            target, **repo, report.run_id, report.items, trigger == domain::kSafetyTrigger, limits);
    }
    if (resolve_failed)
        report.items.push_back(*resolve_failed);
    if (go && !target.paths.empty()) {
        co_await back_up_paths(
            target, **repo, report.run_id, report.items, trigger == domain::kSafetyTrigger, limits);
    }
    const int ok =
        static_cast<int>(std::count_if(report.items.begin(), report.items.end(), [](const auto& i) {
            return i.outcome == domain::StepOutcome::ok;
        }));
    const bool all_ok = go && ok > 0 && ok == static_cast<int>(report.items.size());
    // Trust across runs: a stored dump that differs sharply from its history makes the run
    // suspect; its snapshot is tagged into a retention group of its own.
    Judgement judged;
    // A restore's safety backup is not judged: it copies what is there, whatever that is.
    if (all_ok && !limits.expired() && trigger != domain::kSafetyTrigger) {
        std::vector<StoredDump> stored;
        stored.reserve(figures.size());
        for (auto& [index, f] : figures)
            stored.push_back({&report.items[index], std::move(f)});
        judged = co_await judge_dumps(audit_, **repo, target, report.run_id, std::move(stored));
    }
    // The time ran out before everything was stored: the run fails with it, whatever stage it
    // hit, and retention does not run.
    const bool out_of_time = go && !all_ok && limits.expired();
    std::string retention_failed;
    const auto repo_config = config_.repositories.find(target.repository);
    const bool append_only =
        repo_config != config_.repositories.end() && repo_config->second.append_only;
    // An append-only repository with maintenance credentials: retention runs here through them.
    const bool maintained = append_only && repo_config->second.has_maintenance;
    if (all_ok && append_only && !maintained) {
        // The server refuses deletes: its owner runs retention there. Not a failure of the run.
        domain::StepRecord step{report.run_id, "retention", domain::utc_now()};
        step.finished_at = step.started_at;
        step.outcome = domain::StepOutcome::skipped;
        step.detail = "delegated: repository " + target.repository +
                      " is append-only, retention (" + target.retention.to_string() +
                      ") is run by the server's owner";
        audit_.add_step(step);
        report.retention = domain::RetentionOutcome::delegated;
        report.retention_detail = step.detail;
    } else if (all_ok && !judged.untagged.empty()) {
        domain::StepRecord step{report.run_id, "retention", domain::utc_now()};
        step.finished_at = step.started_at;
        step.outcome = domain::StepOutcome::skipped;
        step.detail = "waits: " + judged.untagged +
                      "; untagged it would count toward keep and could push out the last normal "
                      "snapshot";
        audit_.add_step(step);
        report.retention = domain::RetentionOutcome::skipped;
        report.retention_detail = step.detail;
    } else if (auto refused =
                   all_ok ? maintenance_refused(audit_, target.repository) : std::nullopt) {
        // The repository's last check failed: no delete on it until a check passes.
        domain::StepRecord step{report.run_id, "retention", domain::utc_now()};
        step.finished_at = step.started_at;
        step.outcome = domain::StepOutcome::skipped;
        step.detail = "refused: " + *refused;
        audit_.add_step(step);
        report.retention = domain::RetentionOutcome::skipped;
        report.retention_detail = step.detail;
    } else if (all_ok && trust.kind == ProvenanceVerdict::Kind::unverified) {
        domain::StepRecord step{report.run_id, "retention", domain::utc_now()};
        step.finished_at = step.started_at;
        step.outcome = domain::StepOutcome::skipped;
        step.detail = "waits: the target's provenance could not be checked (" + trust.error +
                      "); retention comes again with the next verified run";
        audit_.add_step(step);
        report.retention = domain::RetentionOutcome::skipped;
        report.retention_detail = step.detail;
    } else if (all_ok) {
        // Retention only after a fully successful run: a failure never costs a good snapshot.
        domain::StepRecord step{report.run_id, "retention", domain::utc_now()};
        std::vector<std::string> group{domain::snapshot_tag("target", target.name)};
        auto forgot = co_await forget_in(
            repositories_, config_, target.repository, **repo, std::move(group), target.retention);
        step.finished_at = domain::utc_now();
        if (forgot)
            report.snapshots_kept = *forgot;
        const bool busy = !forgot && forgot.error().code == errc::repo_locked;
        step.outcome = forgot ? domain::StepOutcome::ok
                       : busy ? domain::StepOutcome::skipped
                              : domain::StepOutcome::failed;
        step.detail =
            forgot ? target.retention.to_string() +
                         (*forgot >= 0 ? ", " + std::to_string(*forgot) + " snapshot(s) kept"
                                       : std::string{})
            : busy ? forgot.error().message + "; retention comes again with the next successful run"
                   : forgot.error().message;
        audit_.add_step(step);
        report.retention = forgot ? domain::RetentionOutcome::ok
                           : busy ? domain::RetentionOutcome::skipped
                                  : domain::RetentionOutcome::failed;
        report.retention_detail = step.detail;
        if (!forgot && !busy) {
            retention_failed = forgot.error().message;
        }
    }
    std::string post_failed;
    if (!target.post_hook.empty()) {
        post_failed = co_await hook(target, "post-hook", target.post_hook, report.run_id);
    }
    co_await leave_network(joined, report.run_id);
    if (copier_ != nullptr && go && ok > 0) {
        // The second copy: a failure is the copy step's, never the run's (the snapshots stay
        // pending and the copy's lag says so).
        std::vector<std::string> stored;
        for (const auto& i : report.items) {
            if (i.outcome == domain::StepOutcome::ok && !i.snapshot_id.empty())
                stored.push_back(i.snapshot_id);
        }
        co_await copier_->after_run(target, report.run_id, std::move(stored));
    }

    if (!go) {
        finish(domain::RunStatus::failed,
               !pre_failed.empty() ? pre_failed : plan_failed,
               !pre_failed.empty() ? "pre-hook" : "plan");
    } else if (out_of_time) {
        finish(domain::RunStatus::failed, timed_out, item_stage(report.items));
    } else if (all_ok && !judged.anomalies.empty()) {
        // Stored and kept, but not trusted until a human accepts it (`backupctl accept`).
        std::string why = "suspect: ";
        for (std::size_t i = 0; i < judged.anomalies.size(); ++i)
            why += (i == 0 ? "" : "; ") + judged.anomalies[i];
        if (!retention_failed.empty())
            why += "; also retention failed: " + retention_failed;
        if (!post_failed.empty())
            why += "; also " + post_failed;
        finish(domain::RunStatus::suspect, why, "anomalies");
    } else if (all_ok && !retention_failed.empty()) {
        finish(domain::RunStatus::partial,
               "backup stored, retention failed: " + retention_failed,
               "retention");
    } else if (all_ok && !post_failed.empty()) {
        finish(domain::RunStatus::partial, "backup stored, " + post_failed, "post-hook");
    } else if (all_ok) {
        finish(domain::RunStatus::success, "", "");
    } else if (ok > 0) {
        std::string failed;
        for (const auto& i : report.items) {
            if (i.outcome != domain::StepOutcome::ok)
                failed += (failed.empty() ? "" : ", ") + i.database;
        }
        finish(domain::RunStatus::partial, "failed: " + failed, item_stage(report.items));
    } else {
        finish(domain::RunStatus::failed,
               report.items.empty() ? "nothing to dump" : report.items.front().error,
               item_stage(report.items));
    }
}

}  // namespace bk::app
