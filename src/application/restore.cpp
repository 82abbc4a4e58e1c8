#include "application/restore.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "application/provenance_guard.hpp"
#include "domain/dump_census.hpp"
#include "domain/duration.hpp"
#include "domain/snapshot_tags.hpp"
#include "domain/utc_time.hpp"
#include <unistd.h>

namespace bk::app {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

}  // namespace

std::string new_container_detail(const std::string& name, const std::string& container_id) {
    return name + " (" + container_id.substr(0, 12) + ")";
}

std::string empty_drill_message(const std::vector<std::string>& databases) {
    std::string list;
    for (const auto& d : databases)
        list += (list.empty() ? "" : ", ") + d;
    return "the database had no tables or rows: the drill proves nothing (" + list + ")";
}

bool restores_into_live(const RestoreRequest& request,
                        const std::vector<domain::RestorePoint>& points) {
    for (const auto& p : points) {
        if (p.kind == "db" && !request.new_container)
            return true;
        if (p.kind == "files" && request.files_to.empty())
            return true;
    }
    return false;
}

std::string RestoreService::close_failed(const std::string& run_id,
                                         const std::string& kind,
                                         const std::string& target,
                                         const std::string& trigger,
                                         const std::string& internal) {
    auto record = new_record(run_id, kind, target, trigger);
    record.status = domain::RunStatus::failed;
    record.error = "internal error: " + internal;
    record.finished_at = domain::utc_now();
    auto error = record.error;
    close_run_record(audit_, std::move(record));
    return error;
}

domain::RunRecord RestoreService::new_record(const std::string& id,
                                             const std::string& kind,
                                             const std::string& target,
                                             const std::string& trigger) const {
    domain::RunRecord record;
    record.id = id;
    record.kind = kind;
    record.target = target;
    record.trigger = trigger;
    record.status = domain::RunStatus::running;
    record.started_at = domain::utc_now();
    record.instance = instance_id_;
    record.pid = ::getpid();
    return record;
}

Result<domain::ReadSpec> RestoreService::read_spec(const domain::RestorePoint& p) const {
    domain::ReadSpec spec;
    spec.snapshot_id = p.snapshot.full_id.empty() ? p.snapshot.id : p.snapshot.full_id;
    if (p.snapshot.paths.empty()) {
        return Failure{errc::restore_failed, "snapshot " + p.snapshot.id + " has no path"};
    }
    spec.path = p.snapshot.paths.front();
    if (!p.key.empty()) {
        auto k = config_.keys.find(p.key);
        if (k == config_.keys.end() || k->second.private_key_file.empty()) {
            return Failure{errc::invalid_config,
                           "snapshot " + p.snapshot.id + " is encrypted to key " + p.key +
                               "; set keys." + p.key +
                               ".private_key_file (and passphrase_file "
                               "if the key has one) to restore it"};
        }
        spec.private_key_file = k->second.private_key_file;
        spec.passphrase_file = k->second.passphrase_file;
    }
    return spec;
}

Task<Result<std::vector<domain::RestorePoint>>> RestoreService::plan(
    const domain::Target& target, domain::SnapshotChoice choice) {
    auto repo = co_await repositories_(target.repository);
    if (!repo) {
        co_return repo.error();
    }
    std::vector<std::string> tags{domain::snapshot_tag("target", target.name)};
    auto list = co_await (*repo)->snapshots(tags);
    if (!list) {
        co_return list.error();
    }
    auto chosen = domain::choose_points(*list, target.name, choice);
    if (!chosen.error.empty()) {
        co_return Failure{errc::not_found, chosen.error};
    }
    co_return chosen.points;
}

namespace {
bool is_path_snapshot(const domain::RestorePoint& p) {
    // restic's own file backup of a project's asset path holds the path itself; a files backup
    // of a container's volume holds one tar (/<target>/files/<slug>.tar).
    return p.kind == "files" && !p.snapshot.paths.empty() && p.snapshot.paths.front() == p.name;
}

bool path_within(const std::string& path, const std::string& root) {
    return path == root || root == "/" ||
           (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}
}  // namespace

namespace {
// The check pass of a live restore: the stream goes nowhere.
class Discard final : public domain::RestoreLoad {
public:
    Task<Result<void>> write(std::span<const char>) override { co_return Result<void>{}; }
    Task<Result<void>> finish() override { co_return Result<void>{}; }
    Task<void> abort() override { co_return; }
};
}  // namespace

Task<Result<void>> RestoreService::check(domain::BackupRepository& repo,
                                         const domain::RestorePoint& p,
                                         const domain::Target& target,
                                         std::uint64_t& bytes) {
    Discard nowhere;
    co_return co_await stream(repo, p, target, nowhere, bytes);
}

Task<Result<void>> RestoreService::stream(domain::BackupRepository& repo,
                                          const domain::RestorePoint& p,
                                          const domain::Target& target,
                                          domain::RestoreLoad& load,
                                          std::uint64_t& bytes,
                                          std::chrono::steady_clock::time_point deadline,
                                          std::string timed_out) {
    auto spec = read_spec(p);
    if (!spec) {
        co_await load.abort();
        co_return spec.error();
    }
    auto reader = co_await repo.open_reader(*spec);
    if (!reader) {
        co_await load.abort();
        co_return reader.error();
    }
    std::unique_ptr<domain::DumpCheck> census;
    if (p.kind == "db" && target.database && target.database->kind)
        census = target.database->kind->check(p.name == "*");
    std::vector<char> buf(std::size_t{256} * 1024);
    bytes = 0;
    std::string failed;
    for (;;) {
        auto n = co_await (*reader)->read(buf);
        if (!n) {
            failed = n.error().message;
            break;
        }
        if (*n == 0)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            failed = timed_out;
            break;
        }
        bytes += *n;
        const std::span<const char> piece(buf.data(), *n);
        if (census)
            census->feed(piece);
        auto w = co_await load.write(piece);
        if (!w) {
            failed = w.error().message;
            break;
        }
    }
    if (!failed.empty()) {
        reader->reset();  // kills restic (and gpg): nobody reads them any more
        co_await load.abort();
        co_return Failure{errc::restore_failed, failed};
    }
    auto done = co_await (*reader)->finish();
    if (!done) {
        // Checked before the load sees the end of its input: it is killed, never completed.
        co_await load.abort();
        co_return done.error();
    }
    if (census && !census->complete()) {
        co_await load.abort();
        co_return Failure{errc::restore_failed,
                          "snapshot " + p.snapshot.id + ": " + census->problem()};
    }
    co_return co_await load.finish();
}

Task<RestoreReport> RestoreService::restore(domain::Target target,
                                            RestoreRequest request,
                                            std::string trigger) {
    // Whatever escapes (a parser that throws on a hostile snapshot, a bug) ends this restore
    // failed with its reason; it never ends the caller.
    const auto run_id = new_run_id();
    const auto name = target.name;
    std::string internal;
    try {
        co_return co_await restore_unguarded(
            std::move(target), std::move(request), trigger, run_id);
    } catch (const std::exception& e) {
        internal = e.what();
    } catch (...) {
        internal = "unknown exception";
    }
    RestoreReport report;
    report.run_id = run_id;
    report.target = name;
    report.status = domain::RunStatus::failed;
    report.error = close_failed(run_id, "restore", name, trigger, internal);
    co_return report;
}

Task<RestoreReport> RestoreService::restore_unguarded(domain::Target target,
                                                      RestoreRequest request,
                                                      std::string trigger,
                                                      std::string run_id) {
    RestoreReport report;
    report.run_id = std::move(run_id);
    report.target = target.name;
    const auto started = std::chrono::steady_clock::now();
    auto fail = [&](std::string why) {
        report.status = domain::RunStatus::failed;
        report.error = std::move(why);
        report.seconds = since(started);
        return report;
    };
    // A target that is not what it was (another app's name taken over) gets none of its data.
    if (auto trust = check_provenance(audit_, target); trust.held()) {
        co_return fail(trust.held_message());
    }
    auto repo = co_await repositories_(target.repository);
    if (!repo) {
        co_return fail(repo.error().message);
    }
    auto points = co_await plan(target, request.choice);
    if (!points) {
        co_return fail(points.error().message);
    }
    if (!request.path.empty()) {
        // One file or directory of a project's asset paths.
        std::erase_if(*points, [&request](const domain::RestorePoint& p) {
            return !is_path_snapshot(p) || !path_within(request.path, p.name);
        });
        if (points->empty()) {
            co_return fail(request.path + " is under none of " + target.name +
                           "'s backed-up paths (restore --path takes a path of assets.paths)");
        }
    }
    bool has_db = false;
    for (const auto& p : *points)
        has_db = has_db || p.kind == "db";
    if (has_db && !target.database) {
        co_return fail(target.name +
                       " has no database label any more: restore its database with "
                       "--new-container or --into-container");
    }
    if (has_db && target.source == domain::Origin::config && request.into_container.empty()) {
        // A project's database is wherever its host is now.
        auto resolved = co_await resolver_.resolve(target);
        if (!resolved) {
            co_return fail(resolved.error().message);
        }
        target = std::move(*resolved);
    }
    const bool live = restores_into_live(request, *points);
    if (live && request.safety_backup && request.into_container.empty()) {
        // The state being replaced is kept first: a wrong restore can be undone.
        auto safety = co_await runner_.run(target, domain::kSafetyTrigger);
        if (safety.status != domain::RunStatus::success) {
            co_return fail("the safety backup before the restore ended " +
                           domain::to_string(safety.status) + " (" + safety.error +
                           "); nothing was restored (--no-safety-backup skips it)");
        }
        report.safety_snapshot_run = safety.run_id;
    }
    std::optional<domain::Target> other;
    if (has_db && !request.into_container.empty()) {
        // That container's own image, network and credentials: never the target's.
        auto found = co_await restorer_.server_in(target, request.into_container);
        if (!found) {
            co_return fail(found.error().message);
        }
        other = std::move(*found);
    }
    std::string holder;
    auto lock = locks_.try_lock(target.name, report.run_id, holder);
    if (!lock || !*lock) {
        co_return fail(lock ? "target " + target.name + " is locked by " + holder
                            : lock.error().message);
    }
    auto record = new_record(report.run_id, "restore", target.name, trigger);
    audit_.begin_run(record);

    domain::Target db_into = other ? *other : target;
    std::string setup_failed;
    if (has_db && request.new_container) {
        domain::StepRecord step{report.run_id, "new container", domain::utc_now()};
        auto made = co_await restorer_.clone(target, false, report.run_id);
        if (made) {
            db_into = *made;
            report.new_container = made->container_name;
            report.new_container_network = made->network;
            auto ready =
                co_await restorer_.wait_ready(db_into, std::chrono::seconds(300), report.run_id);
            if (!ready)
                setup_failed = ready.error().message;
        } else {
            setup_failed = made.error().message;
        }
        step.finished_at = domain::utc_now();
        step.outcome = setup_failed.empty() ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        // The copy's name and id, also when it failed to answer (it is left for inspection):
        // `restore --cleanup` removes only copies a restore recorded here.
        if (made)
            step.detail = new_container_detail(made->container_name, made->container_id);
        if (!setup_failed.empty())
            step.detail += (step.detail.empty() ? "" : ": ") + setup_failed;
        audit_.add_step(step);
    }
    for (const auto& p : *points) {
        if (!setup_failed.empty())
            break;
        RestoreItem item{p.kind, p.name, p.snapshot.id, domain::StepOutcome::failed, 0, 0, ""};
        domain::StepRecord step{
            report.run_id, "restore " + p.kind + " " + p.name, domain::utc_now()};
        const auto t0 = std::chrono::steady_clock::now();
        Result<void> outcome;
        if (p.kind == "db") {
            if (!request.new_container) {
                // Into a live server: the whole snapshot is checked before anything changes.
                std::uint64_t checked = 0;
                auto ok = co_await check(**repo, p, target, checked);
                if (!ok) {
                    outcome =
                        Failure{ok.error().code, ok.error().message + "; nothing was changed"};
                }
            }
            // A file kind's restore into the target stops it while the files are replaced
            // (the restorer starts it again): journalled first, so that if we die meanwhile,
            // recovery starts it again.
            std::optional<domain::EffectRecord> stop;
            if (outcome && !other && !request.new_container && target.database &&
                target.database->kind && target.database->kind->file_based() &&
                !target.container_id.empty()) {
                stop = domain::EffectRecord{report.run_id,
                                            instance_id_,
                                            "container_stopped",
                                            target.container_id,
                                            target.container_name,
                                            domain::utc_now()};
                audit_.record_effect(*stop);
            }
            if (outcome) {
                auto load = co_await restorer_.open_load(db_into, p.name, report.run_id);
                if (!load) {
                    outcome = load.error();
                } else {
                    outcome = co_await stream(**repo, p, target, **load, item.bytes);
                }
            }
            if (stop) {
                stop->at = domain::utc_now();
                audit_.settle_effect(*stop);
            }
        } else if (is_path_snapshot(p)) {
            // restic's own restore: back in place, or under --files-to (with the full path).
            // (g++ 12: no temporaries of ?: in a co_await's arguments; named values only)
            std::string include = p.name;
            if (!request.path.empty())
                include = request.path;
            std::string snapshot_id = p.snapshot.full_id;
            if (snapshot_id.empty())
                snapshot_id = p.snapshot.id;
            std::string into = "/";
            if (!request.files_to.empty())
                into = request.files_to;
            auto restored = co_await (*repo)->restore_path(
                std::move(snapshot_id), std::move(include), std::move(into));
            if (restored) {
                item.bytes = *restored;
            } else {
                outcome = restored.error();
            }
        } else {
            // (g++ 12: no co_await inside ?:)
            Result<std::unique_ptr<domain::RestoreLoad>> load =
                Failure{errc::internal, "no destination"};
            if (request.files_to.empty()) {
                load = co_await restorer_.open_files_load(target, p.name, report.run_id);
            } else {
                load = co_await local_.open_extract(request.files_to);
            }
            if (!load) {
                outcome = load.error();
            } else {
                outcome = co_await stream(**repo, p, target, **load, item.bytes);
            }
        }
        item.seconds = since(t0);
        item.outcome = outcome ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        if (!outcome)
            item.error = outcome.error().message;
        step.finished_at = domain::utc_now();
        step.bytes = item.bytes;
        step.outcome = item.outcome;
        step.detail = outcome ? "snapshot " + p.snapshot.id : item.error;
        audit_.add_step(step);
        report.items.push_back(std::move(item));
    }
    int ok = 0;
    for (const auto& i : report.items)
        ok += i.outcome == domain::StepOutcome::ok ? 1 : 0;
    if (!setup_failed.empty()) {
        report.status = domain::RunStatus::failed;
        report.error = setup_failed;
    } else if (ok == static_cast<int>(report.items.size())) {
        report.status = domain::RunStatus::success;
    } else {
        report.status = ok > 0 ? domain::RunStatus::partial : domain::RunStatus::failed;
        for (const auto& i : report.items) {
            if (i.outcome != domain::StepOutcome::ok) {
                report.error += (report.error.empty() ? "" : "; ") + i.name + ": " + i.error;
            }
        }
    }
    record.status = report.status;
    record.error = report.error;
    record.finished_at = domain::utc_now();
    for (const auto& i : report.items) {
        record.bytes += i.bytes;
        record.snapshots += (record.snapshots.empty() ? "" : ",") + i.snapshot;
    }
    audit_.finish_run(record);
    report.seconds = since(started);
    co_return report;
}

Task<VerifyReport> RestoreService::verify(domain::Target target,
                                          domain::SnapshotChoice choice,
                                          std::string trigger,
                                          std::string run_id) {
    if (run_id.empty())
        run_id = new_run_id();
    const auto name = target.name;
    std::string internal;
    try {
        co_return co_await verify_unguarded(std::move(target), std::move(choice), trigger, run_id);
    } catch (const std::exception& e) {
        internal = e.what();
    } catch (...) {
        internal = "unknown exception";
    }
    VerifyReport report;
    report.run_id = run_id;
    report.target = name;
    report.status = domain::DrillResult::failed;
    report.error = close_failed(run_id, "verify", name, trigger, internal);
    co_return report;
}

Task<VerifyReport> RestoreService::verify_unguarded(domain::Target target,
                                                    domain::SnapshotChoice choice,
                                                    std::string trigger,
                                                    std::string run_id) {
    VerifyReport report;
    report.run_id = std::move(run_id);
    report.target = target.name;
    const auto started = std::chrono::steady_clock::now();
    // The whole drill has a deadline: a snapshot whose load never ends, or a drill server that
    // stops taking input, fails it instead of holding a worker.
    const auto deadline = started + target.drill_timeout;
    const std::string timed_out =
        "timed out after " + domain::format_duration(target.drill_timeout);
    auto out_of_time = [&deadline] { return std::chrono::steady_clock::now() >= deadline; };
    auto record = new_record(report.run_id, "verify", target.name, trigger);
    // Databases restored whole that held no row (or no table): they prove nothing.
    std::vector<std::string> empty_databases;
    auto finish = [&](std::string error) {
        bool passed = error.empty() && !report.items.empty();
        for (const auto& i : report.items)
            passed = passed && i.outcome == domain::StepOutcome::ok;
        for (const auto& c : report.checks)
            passed = passed && c.outcome != domain::StepOutcome::failed;
        if (error.empty() && !passed) {
            for (const auto& c : report.checks) {
                if (c.outcome == domain::StepOutcome::failed)
                    error += (error.empty() ? "" : "; ") + c.name + ": " + c.detail;
            }
        }
        report.status = passed ? domain::DrillResult::passed : domain::DrillResult::failed;
        if (passed && !empty_databases.empty()) {
            error = empty_drill_message(empty_databases);
            const bool fail = config_.defaults.drill_empty == "fail";
            report.status = fail ? domain::DrillResult::failed : domain::DrillResult::passed_empty;
            passed = !fail;
        }
        report.error = error;
        report.seconds = since(started);
        record.status = domain::run_status_of(report.status);
        record.error = error;
        record.finished_at = domain::utc_now();
        for (const auto& i : report.items) {
            record.bytes += i.bytes;
            record.snapshots += (record.snapshots.empty() ? "" : ",") + i.snapshot;
        }
        audit_.finish_run(record);
    };
    if (!target.database) {
        finish(target.name + " has no database: a drill restores databases");
        co_return report;
    }
    audit_.begin_run(record);
    if (auto trust = check_provenance(audit_, target); trust.held()) {
        finish(trust.held_message());  // its data never goes into the impostor's image
        co_return report;
    }
    if (target.source == domain::Origin::config) {
        // The drill server runs the image of the project's database server as it is now.
        auto resolved = co_await resolver_.resolve(target);
        if (!resolved) {
            finish(resolved.error().message);
            co_return report;
        }
        target = std::move(*resolved);
    }
    choice.only = "db";
    auto repo = co_await repositories_(target.repository);
    if (!repo) {
        finish(repo.error().message);
        co_return report;
    }
    auto points = co_await plan(target, choice);
    if (!points) {
        finish(points.error().message);
        co_return report;
    }
    std::erase_if(*points, [](const domain::RestorePoint& p) { return p.kind != "db"; });
    if (points->empty()) {
        finish("snapshot " + choice.snapshot + " holds files: a drill restores databases");
        co_return report;
    }
    // A server of the target's image on a network of its own: the target is never touched.
    domain::StepRecord setup{report.run_id, "drill server", domain::utc_now()};
    auto scratch = co_await restorer_.clone(target, true, report.run_id);
    std::string setup_failed = scratch ? std::string{} : scratch.error().message;
    if (scratch) {
        auto ready =
            co_await restorer_.wait_ready(*scratch, std::chrono::seconds(300), report.run_id);
        if (!ready)
            setup_failed = ready.error().message;
    }
    setup.finished_at = domain::utc_now();
    setup.outcome = setup_failed.empty() ? domain::StepOutcome::ok : domain::StepOutcome::failed;
    setup.detail = setup_failed.empty() ? scratch->container_name : setup_failed;
    audit_.add_step(setup);
    for (const auto& p : *points) {
        if (!setup_failed.empty())
            break;
        if (out_of_time()) {
            setup_failed = timed_out;
            break;
        }
        RestoreItem item{p.kind, p.name, p.snapshot.id, domain::StepOutcome::failed, 0, 0, ""};
        domain::StepRecord step{report.run_id, "restore db " + p.name, domain::utc_now()};
        const auto t0 = std::chrono::steady_clock::now();
        // Its client gets what is left of the drill's time.
        scratch->timeout = std::chrono::duration_cast<std::chrono::seconds>(deadline - t0);
        auto load = co_await restorer_.open_load(*scratch, p.name, report.run_id);
        Result<void> outcome;
        if (load) {
            outcome = co_await stream(**repo, p, target, **load, item.bytes, deadline, timed_out);
        } else {
            outcome = load.error();
        }
        item.seconds = since(t0);
        report.rto_seconds += item.seconds;
        if (!outcome && out_of_time())
            setup_failed = timed_out;
        item.outcome = outcome ? domain::StepOutcome::ok : domain::StepOutcome::failed;
        if (!outcome)
            item.error = outcome.error().message;
        step.finished_at = domain::utc_now();
        step.bytes = item.bytes;
        step.outcome = item.outcome;
        step.detail = outcome ? "snapshot " + p.snapshot.id + " in " + seconds_text(item.seconds)
                              : item.error;
        audit_.add_step(step);
        report.checks.push_back(
            {"restore " + p.name, item.outcome, outcome ? "exit 0, dump complete" : item.error});
        if (outcome) {
            // The restored database against what the dump held when it was taken.
            DrillCheck counts{"row counts " + p.name, domain::StepOutcome::skipped, ""};
            auto recorded =
                audit_.contents(p.snapshot.full_id.empty() ? p.snapshot.id : p.snapshot.full_id);
            // A second copy's snapshot: what its original held.
            if (recorded && !*recorded && !p.snapshot.original.empty())
                recorded = audit_.contents(p.snapshot.original);
            if (!recorded) {
                counts.detail = "audit store unavailable: " + recorded.error().message;
            } else if (!*recorded) {
                counts.detail = "no counts were recorded with this snapshot";
            } else if (p.name == "*") {
                counts.detail = "not counted for a dump of all databases";
            } else {
                const auto recorded_counts = domain::decode_recorded_counts((*recorded)->rows);
                const auto& expected = recorded_counts.rows;
                std::vector<std::string> tables;
                tables.reserve(expected.size());
                for (const auto& [t, n] : expected)
                    tables.push_back(t);
                auto actual =
                    co_await restorer_.count_rows(*scratch, p.name, tables, report.run_id);
                if (!actual) {
                    // A kind whose drills count nothing says why; a count that failed fails.
                    counts.outcome =
                        target.database->kind == nullptr || target.database->kind->drill_counts()
                            ? domain::StepOutcome::failed
                            : domain::StepOutcome::skipped;
                    counts.detail = actual.error().message;
                } else {
                    // The first differences only: the step's detail stays small.
                    constexpr std::size_t kShown = 20;
                    std::string diff;
                    std::size_t differ = 0;
                    for (const auto& [t, n] : expected) {
                        const auto got = actual->count(t) ? actual->at(t) : 0;
                        if (got != n && ++differ <= kShown) {
                            diff += (diff.empty() ? "" : ", ") + t + " " + std::to_string(got) +
                                    " rows, " + std::to_string(n) + " at backup";
                        }
                    }
                    if (differ > kShown) {
                        diff += " and " + std::to_string(differ - kShown) + " more tables";
                    }
                    counts.outcome =
                        diff.empty() ? domain::StepOutcome::ok : domain::StepOutcome::failed;
                    counts.detail =
                        diff.empty() ? std::to_string(expected.size()) + " tables equal" : diff;
                    if (!recorded_counts.partial.empty()) {
                        counts.detail +=
                            " (the counts at backup are partial: " + recorded_counts.partial + ")";
                    }
                    // Complete counts of nothing: the restore worked, but it proved nothing.
                    const bool no_rows = recorded_counts.partial.empty() &&
                                         std::all_of(expected.begin(),
                                                     expected.end(),
                                                     [](const auto& e) { return e.second == 0; });
                    if (diff.empty() && no_rows) {
                        counts.detail =
                            expected.empty() ? "no tables" : counts.detail + ", all empty";
                        empty_databases.push_back(
                            p.name + (expected.empty() ? " (no tables)" : " (no rows)"));
                    }
                }
            }
            report.checks.push_back(counts);
        }
        report.items.push_back(std::move(item));
    }
    for (const auto& c : report.checks) {
        domain::StepRecord s{report.run_id,
                             "check " + c.name,
                             domain::utc_now(),
                             domain::utc_now(),
                             0,
                             c.outcome,
                             c.detail};
        audit_.add_step(s);
    }
    if (scratch)
        co_await restorer_.discard(*scratch);
    finish(setup_failed);
    co_return report;
}

}  // namespace bk::app
