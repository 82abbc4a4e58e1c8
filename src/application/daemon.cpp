#include "application/daemon.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "application/recovery.hpp"
#include "application/target_health.hpp"
#include "domain/run_status.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

namespace asio = boost::asio;

double drill_restore_seconds(domain::AuditLog& audit, const std::string& run_id) {
    double total = 0;
    if (auto steps = audit.steps(run_id)) {
        for (const auto& s : *steps) {
            if (s.name.rfind("restore ", 0) == 0)
                total += domain::seconds_between(s.started_at, s.finished_at);
        }
    }
    return total;
}

std::vector<std::uint64_t> backup_sizes(domain::AuditLog& audit, const std::string& target, int n) {
    domain::RunQuery q;
    q.target = target;
    q.kind = "backup";
    q.status = domain::RunStatus::success;
    q.no_safety = true;
    q.limit = n;
    std::vector<std::uint64_t> sizes;
    if (auto rs = audit.runs(q)) {
        for (auto it = rs->rbegin(); it != rs->rend(); ++it)
            sizes.push_back(it->bytes);
    }
    return sizes;
}

namespace {
bool has(const std::vector<std::string>& v, const char* x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}
std::string hms(std::int64_t seconds) {
    return hours_minutes(seconds);
}
// " since 2026-11-27T03:00:00Z" when known.
std::string since_text(const domain::Target& t) {
    return t.stopped_since.empty() ? std::string{} : " since " + t.stopped_since;
}
}  // namespace

Daemon::Daemon(asio::any_io_executor ex,
               const domain::OperatorConfig& config,
               Registry& registry,
               BackupRunner& runner,
               domain::AuditLog& audit,
               domain::ChangeFeed& feed,
               domain::Janitor& janitor,
               std::string instance,
               domain::UtcOffset zone,
               domain::Logger& log,
               Now now)
    : ex_(ex),
      config_(config),
      registry_(registry),
      runner_(runner),
      audit_(audit),
      feed_(feed),
      janitor_(janitor),
      instance_(std::move(instance)),
      zone_(std::move(zone)),
      log_(log),
      now_(std::move(now)),
      schedule_wake_(ex),
      refresh_wake_(ex),
      heartbeat_wake_(ex),
      progress_wake_(ex),
      check_tasks_(
          ex,
          [&log](const std::string& what) { log.error("repository check task failed: " + what); }),
      tasks_(ex, [&log](const std::string& what) { log.error("internal task failed: " + what); }) {
    if (!now_)
        now_ = domain::unix_now;
}

Task<void> Daemon::sleep(asio::steady_timer& t, std::chrono::steady_clock::duration d) {
    t.expires_after(d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void Daemon::spawn(Task<void> task, std::function<void()> then) {
    tasks_.spawn(std::move(task), std::move(then));
}

void Daemon::spawn_worker() {
    ++workers_alive_;
    spawn(worker(), [this] {
        --workers_alive_;
        // A worker ends only when the daemon stops; one that ended otherwise is replaced.
        if (!stopping_) {
            log_.error("a run worker ended unexpectedly; starting another");
            spawn_worker();
        }
    });
}

std::chrono::steady_clock::duration Daemon::stuck_after(const domain::Target& t) const {
    // A run still going well past its own deadline (which cuts it) holds its worker for good.
    const auto limit = std::max(t.timeout, t.drill_timeout);
    return limit + std::min<std::chrono::seconds>(limit, std::chrono::minutes(5));
}

std::vector<std::string> Daemon::liveness_problems() const {
    std::vector<std::string> out;
    if (stopping_)
        return out;
    if (have_inventory_ && workers_alive_ < config_.daemon.concurrency) {
        out.push_back(std::to_string(config_.daemon.concurrency - workers_alive_) + " of " +
                      std::to_string(config_.daemon.concurrency) + " run workers are gone");
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [key, deadline] : running_since_) {
        if (now > deadline) {
            auto id = running_ids_.find(key);
            out.push_back("run of " + key +
                          (id == running_ids_.end() ? "" : " (" + id->second + ")") +
                          " is stuck: still running past its deadline");
        }
    }
    return out;
}

Task<void> Daemon::run() {
    log_.info("daemon started: instance " + instance_ + ", " +
              std::to_string(config_.daemon.concurrency) + " run(s) at once, time zone " +
              config_.timezone);
    spawn(follow());
    spawn(refresher());
    // The feed subscribes, then asks for the first listing; while the engine is away the
    // refresher keeps polling.
    while (!have_inventory_ && !stopping_) {
        co_await changed_.wait();
    }
    if (!stopping_) {
        const auto stopped = std::count_if(inventory_.targets.begin(),
                                           inventory_.targets.end(),
                                           [](const auto& t) { return t.stopped(); });
        log_.info("watching " + std::to_string(inventory_.targets.size()) + " target(s)" +
                  (stopped > 0 ? ", " + std::to_string(stopped) + " of them stopped" : ""));
        catch_up();
    }
    if (!stopping_) {
        for (int i = 0; i < config_.daemon.concurrency; ++i) {
            spawn_worker();
        }
        spawn(scheduler());
        if (alerts_ != nullptr && !config_.daemon.heartbeat.empty())
            spawn(heartbeat());
        spawn(progress_ticker());
    }
    while (!stopping_) {
        co_await changed_.wait();
    }
    // Every task it started ends before it returns: they use this object.
    co_await check_tasks_.wait();
    co_await tasks_.wait();
    log_.info("daemon stopped");
}

Task<void> Daemon::follow() {
    co_await feed_.follow([this](const domain::ContainerChange& c) { on_change(c); },
                          [this] { request_refresh(); });
}

void Daemon::stop(std::string reason) {
    if (stopping_)
        return;
    stopping_ = true;
    log_.info("stopping (" + reason + "): no new runs; " + std::to_string(running_.size()) +
              " in flight get " + std::to_string(config_.daemon.grace_period.count()) + " s");
    feed_.stop();
    queue_.clear();
    wake(schedule_wake_);
    wake_workers();
    wake(refresh_wake_);
    changed_.notify_all();
    wake(heartbeat_wake_);
    wake(progress_wake_);
    for (auto* t : pending_delays_)
        t->cancel();
    // A check reads for hours; cut, it is not recorded and its subset is read again next time.
    check_tasks_.cancel_all();
    if (!running_.empty()) {
        spawn(grace_then_cut(std::move(reason)));
    }
}

Task<void> Daemon::grace_then_cut(std::string reason) {
    const auto deadline = std::chrono::steady_clock::now() + config_.daemon.grace_period;
    // Woken by each run's end, not by a poll period.
    while (!running_.empty()) {
        // (g++ 12: no co_await inside a condition's expression)
        const bool woken = co_await run_ended_.wait_until(deadline);
        if (!woken)
            break;
    }
    if (running_.empty())
        co_return;
    log_.warn("grace period over: cutting " + std::to_string(running_.size()) + " run(s) short");
    // The runs' streams are cancelled through their slots (a silent dump too): their containers
    // are killed and removed by the runs themselves. The janitor stays the recovery after a
    // crash (the next start cleans what a killed daemon left).
    runner_.interrupt(reason);
}

void Daemon::request_refresh() {
    refresh_requested_ = true;
    wake(refresh_wake_);
}

Task<void> Daemon::refresher() {
    asio::steady_timer debounce(ex_);
    while (!stopping_) {
        if (!refresh_requested_) {
            co_await sleep(refresh_wake_, config_.daemon.resync);
            if (!refresh_requested_ && !stopping_) {
                refresh_requested_ = true;  // periodic resync, events or not
            }
            continue;
        }
        // A burst (compose up) becomes one listing.
        co_await sleep(debounce, std::chrono::milliseconds(300));
        refresh_requested_ = false;
        auto inv = co_await registry_.refresh();
        if (inv) {
            apply_inventory(std::move(*inv));
        } else {
            log_.warn("listing containers failed: " + inv.error().message);
            co_await sleep(debounce, std::chrono::seconds(2));
            refresh_requested_ = true;  // poll while the engine is away
        }
    }
}

void Daemon::apply_inventory(Inventory next) {
    if (have_inventory_) {
        for (const auto& t : next.targets) {
            if (!t.enabled || t.container_id.empty())
                continue;
            const auto* prev = inventory_.find(t.name);
            if (prev == nullptr) {
                log_.info("target " + t.name + " appeared (" + t.container_name +
                          (t.stopped() ? ", " + t.container_state : std::string{}) + ")");
                if (has(t.triggers, "start") && !t.stopped())
                    event_job(t, "event:start");
            } else if (prev->container_id != t.container_id) {
                log_.info("target " + t.name + " has a new container (" + t.container_name +
                          (t.stopped() ? ", " + t.container_state : std::string{}) + ")");
                if (t.stopped()) {
                    // created, not started (compose create): its start makes it run
                } else if (prev->image != t.image && has(t.triggers, "image-change")) {
                    event_job(t, "event:image-change");
                } else if (has(t.triggers, "start")) {
                    event_job(t, "event:start");
                }
            } else if (prev->stopped() && !t.stopped()) {
                // Back from a stop: the backup it missed meanwhile runs now.
                log_.info("target " + t.name + " is running again (" + t.container_name + ")");
                if (prev->container_state == "created" && has(t.triggers, "start")) {
                    event_job(t, "event:start");  // created earlier, started only now: new
                } else if (config_.defaults.catch_up != "skip") {
                    if (auto why = missed(t, now_())) {
                        log_.info("catch-up run of " + t.name + ": " + *why);
                        enqueue({t, "catch-up"});
                    }
                }
            } else if (!prev->stopped() && t.stopped()) {
                log_.info("target " + t.name + " is stopped (container " + t.container_name + " " +
                          t.container_state + since_text(t) +
                          "): no scheduled backup until it runs again");
            }
        }
        for (const auto& t : inventory_.targets) {
            if (next.find(t.name) == nullptr)
                log_.info("target " + t.name + " is gone");
        }
    }
    std::erase_if(next_due_, [&next](const auto& kv) { return next.find(kv.first) == nullptr; });
    inventory_ = std::move(next);
    have_inventory_ = true;
    wake(schedule_wake_);
    changed_.notify_all();
}

void Daemon::on_change(const domain::ContainerChange& c) {
    if (c.action == "die" && c.exit_code == 0) {
        for (const auto& t : inventory_.targets) {
            if (t.container_id == c.container_id && t.enabled && has(t.triggers, "stop") &&
                !t.volumes.empty()) {
                // A clean stop: its files are consistent now; the database cannot be dumped.
                domain::Target files_only = t;
                files_only.database.reset();
                files_only.stop_during_backup = false;
                event_job(files_only, "event:stop");
            }
        }
    }
    request_refresh();
}

void Daemon::event_job(const domain::Target& t, const std::string& trigger) {
    const auto now = now_();
    const std::string key = t.name + "|" + trigger;
    if (auto it = last_event_.find(key);
        it != last_event_.end() && now - it->second < t.min_interval.count()) {
        log_.info("not running " + t.name + " for " + trigger + ": last one " +
                  std::to_string(now - it->second) + " s ago, min-interval " +
                  std::to_string(t.min_interval.count()) + " s");
        return;
    }
    last_event_[key] = now;
    const auto delay =
        trigger == "event:stop" ? std::chrono::seconds(0) : config_.daemon.event_delay;
    spawn(delayed(Job{t, trigger}, delay));
}

Task<void> Daemon::delayed(Job job, std::chrono::seconds delay) {
    asio::steady_timer t(ex_);
    if (delay.count() > 0) {
        pending_delays_.insert(&t);
        co_await sleep(t, delay);
        pending_delays_.erase(&t);
    }
    if (stopping_)
        co_return;
    // The container may have changed again meanwhile: run the target as it is now.
    if (job.trigger != "event:stop") {
        if (const auto* now = inventory_.find(job.target.name))
            job.target = *now;
    }
    enqueue(std::move(job));
}

void Daemon::enqueue(Job job) {
    if (stopping_)
        return;
    const auto name = job.key();
    if (queue_.contains(name) || running_.contains(name)) {
        log_.info("not queueing " + name + " for " + job.trigger + ": already queued or running");
        return;
    }
    log_.debug("queued " + name + " (" + job.trigger + ")", {job.target.name, job.run_id});
    auto target = job.target.name;
    queue_.push(std::move(target), name, std::move(job));
    wake_workers();
}

std::optional<std::string> Daemon::missed(const domain::Target& t, std::int64_t now) {
    if (!t.enabled || t.cron.empty())
        return std::nullopt;
    auto cron = domain::parse_cron(t.cron);
    if (!cron)
        return std::nullopt;
    auto last = audit_.last_success(t.name);
    if (!last)
        return std::nullopt;  // no bookkeeping: the schedule still runs
    const auto since = last->empty() ? -1 : domain::parse_utc(*last);
    if (since < 0)
        return std::string("never backed up");
    const auto due = domain::next_due(*cron, since, zone_);
    if (due >= 0 && due <= now)
        return "last success " + *last + ", a due time passed since";
    return std::nullopt;
}

void Daemon::catch_up() {
    if (config_.defaults.catch_up == "skip")
        return;
    const auto now = now_();
    for (const auto& t : inventory_.targets) {
        auto why = missed(t, now);
        if (!why)
            continue;
        if (t.stopped()) {
            // It would fail "is not running" at every start and stay red for nothing: it runs
            // when its container runs again (apply_inventory).
            log_.info("no catch-up run of " + t.name + " (" + *why + "): its container " +
                      t.container_name + " is stopped (" + t.container_state + since_text(t) + ")");
            continue;
        }
        log_.info("catch-up run of " + t.name + ": " + *why);
        enqueue({t, "catch-up"});
    }
}

Task<void> Daemon::scheduler() {
    std::map<std::string, std::string> cron_of;
    while (!stopping_) {
        const auto now = now_();
        std::int64_t wake_at = now + 30;
        for (const auto& t : inventory_.targets) {
            if (!t.enabled || t.cron.empty())
                continue;
            auto cron = domain::parse_cron(t.cron);
            if (!cron)
                continue;
            auto it = next_due_.find(t.name);
            if (it == next_due_.end() || cron_of[t.name] != t.cron) {
                cron_of[t.name] = t.cron;
                it = next_due_.insert_or_assign(t.name, domain::next_due(*cron, now, zone_)).first;
                if (log_.enabled(domain::LogLevel::debug) && it->second >= 0) {
                    log_.debug("next scheduled run of " + t.name + " (" + t.cron + ", " +
                                   config_.timezone + "): " + domain::format_utc(it->second),
                               {t.name, ""});
                }
            } else if (it->second >= 0 && it->second <= now) {
                if (t.stopped()) {
                    // Not attempted, not recorded: see docs/daemon.md (stopped targets).
                    log_.info("not running " + t.name + " on schedule: its container is stopped (" +
                              t.container_state + since_text(t) + ")");
                } else {
                    enqueue({t, "schedule"});
                }
                it->second = domain::next_due(*cron, now, zone_);
            }
            if (it->second >= 0)
                wake_at = std::min(wake_at, it->second);
        }
        if (drills_ != nullptr) {
            for (const auto& t : inventory_.targets) {
                if (!t.enabled || !t.database || t.verify_cron.empty())
                    continue;
                auto cron = domain::parse_cron(t.verify_cron);
                if (!cron)
                    continue;
                auto it = next_drill_.find(t.name);
                if (it == next_drill_.end() || cron_of[t.name + " (drill)"] != t.verify_cron) {
                    cron_of[t.name + " (drill)"] = t.verify_cron;
                    it = next_drill_.insert_or_assign(t.name, domain::next_due(*cron, now, zone_))
                             .first;
                } else if (it->second >= 0 && it->second <= now) {
                    enqueue({t, "schedule", true});
                    it->second = domain::next_due(*cron, now, zone_);
                }
                if (it->second >= 0)
                    wake_at = std::min(wake_at, it->second);
            }
        }
        if (checks_ != nullptr) {
            for (const auto& [name, repo] : config_.repositories) {
                if (repo.check_cron == "off")
                    continue;
                auto cron = domain::parse_cron(repo.check_cron);
                if (!cron)
                    continue;
                auto it = next_check_.find(name);
                if (it == next_check_.end()) {
                    it = next_check_.insert_or_assign(name, domain::next_due(*cron, now, zone_))
                             .first;
                } else if (it->second >= 0 && it->second <= now) {
                    // One check per repository at a time; prune and writers are ordered by the
                    // repository's own gate (restic check locks it exclusively).
                    if (!checks_->running(name))
                        check_tasks_.spawn(run_check(name));
                    it->second = domain::next_due(*cron, now, zone_);
                }
                if (it->second >= 0)
                    wake_at = std::min(wake_at, it->second);
            }
        }
        check_copies(now);
        check_overdue(now);
        if (alerts_ != nullptr) {
            maybe_summary(now);
            if (!retrying_ && now - last_retry_ >= 15) {
                last_retry_ = now;
                retrying_ = true;
                spawn(retry_alerts());
            }
        }
        if (every_minute_ && now - last_minute_ >= 60) {
            last_minute_ = now;
            every_minute_();
        }
        co_await sleep(schedule_wake_,
                       std::chrono::seconds(std::max<std::int64_t>(1, wake_at - now)));
    }
}

Task<void> Daemon::run_check(std::string repository) {
    auto done = co_await checks_->run(repository);
    if (done.kind == CheckOutcome::Kind::busy || done.kind == CheckOutcome::Kind::error) {
        log_.warn("scheduled check of repository " + repository + " did not run: " + done.message +
                  "; it comes again at its next due time");
    }
}

void Daemon::check_copies(std::int64_t now) {
    if (copier_ == nullptr || copying_ || now - last_overdue_check_ < 60)
        return;
    copying_ = true;
    if (now - last_copy_retry_ >= 600) {
        last_copy_retry_ = now;
        spawn(retry_copies(), [this] { copying_ = false; });
    } else {
        spawn(copier_->check_lags(), [this] { copying_ = false; });
    }
}

Task<void> Daemon::retry_copies() {
    auto lags = copier_->lags();
    bool any = false;
    if (lags) {
        for (const auto& l : *lags)
            any = any || l.pending > 0;
    }
    if (!any) {
        co_await copier_->check_lags();
        co_return;
    }
    // Each target's own retention, for the copy's; a target not seen now waits for its run.
    std::map<std::string, domain::Retention> keep;
    for (const auto& t : inventory_.targets)
        keep[t.name] = t.retention;
    SnapshotCopier::RetentionLookup lookup =
        [keep](const std::string& name) -> std::optional<domain::Retention> {
        auto it = keep.find(name);
        if (it == keep.end())
            return std::nullopt;
        return it->second;
    };
    co_await copier_->catch_up(std::string{}, std::move(lookup));
}

void Daemon::check_overdue(std::int64_t now) {
    if (now - last_overdue_check_ < 60)
        return;
    last_overdue_check_ = now;
    for (const auto& t : inventory_.targets) {
        if (!t.enabled || t.cron.empty())
            continue;
        if (t.stopped()) {
            overdue_.erase(t.name);  // stopped, not overdue: nothing changes while it is down
            continue;
        }
        auto last = audit_.last_success(t.name);
        if (!last || last->empty())
            continue;
        if (auto interval = overdue_interval(t, *last, now, zone_)) {
            if (overdue_.insert(t.name).second) {
                log_.warn("target " + t.name + " is overdue: last success " + *last + " (" +
                          hms(now - domain::parse_utc(*last)) + " ago), due every " +
                          hms(*interval));
                // Told once (the alert memory survives restarts); `recovered` ends it.
                if (alerts_ != nullptr)
                    spawn(alerts_->overdue(t, *last, *interval));
            }
        } else {
            overdue_.erase(t.name);
        }
    }
}

std::vector<std::string> Daemon::target_names() const {
    std::vector<std::string> out;
    for (const auto& t : inventory_.targets)
        out.push_back(t.name);
    return out;
}

Task<void> Daemon::heartbeat() {
    // A dead operator turns the monitor red: it hears "alive" only while this loop runs.
    while (!stopping_) {
        // A daemon whose workers are gone or stuck is not alive for its monitor.
        const auto problems = liveness_problems();
        std::string msg =
            problems.empty() ? "backupctl daemon alive: " : "backupctl daemon unwell: ";
        for (const auto& p : problems)
            msg += p + "; ";
        msg += std::to_string(inventory_.targets.size()) + " target(s), " +
               std::to_string(running_.size()) + " running, " + std::to_string(overdue_.size()) +
               " overdue";
        const bool healthy = problems.empty();
        auto r = co_await alerts_->heartbeat(config_.daemon.heartbeat, msg, healthy);
        if (!r)
            log_.warn("heartbeat monitor " + config_.daemon.heartbeat + ": " + r.error().message);
        if (stopping_)
            break;
        co_await sleep(heartbeat_wake_, config_.daemon.heartbeat_interval);
    }
}

std::vector<RunEvent> Daemon::live() const {
    std::vector<RunEvent> out;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [id, p] : runner_.live()) {
        RunEvent e;
        e.type = "progress";
        e.run_id = id;
        e.target = p.target;
        e.kind = "backup";
        e.item = p.item;
        e.bytes = p.run_bytes;
        const double item_secs = std::chrono::duration<double>(now - p.item_since).count();
        e.rate = !p.item.empty() && item_secs > 0.2 ? static_cast<double>(p.bytes) / item_secs : 0;
        e.seconds = std::chrono::duration<double>(now - p.run_since).count();
        out.push_back(std::move(e));
    }
    return out;
}

Task<void> Daemon::progress_ticker() {
    while (!stopping_) {
        co_await sleep(progress_wake_, std::chrono::seconds(1));
        if (!on_event_)
            continue;
        for (const auto& e : live())
            emit(e);
    }
}

Result<std::string> Daemon::request(const std::string& name, bool drill) {
    const auto* t = inventory_.find(name);
    if (t == nullptr)
        return Failure{errc::not_found, "no target named " + name};
    if (!t->enabled)
        return Failure{errc::invalid_config, "target " + name + " is disabled"};
    if (drill && (!t->database || drills_ == nullptr)) {
        return Failure{errc::invalid_config, "target " + name + " has no database to drill"};
    }
    if (stopping_)
        return Failure{errc::conflict, "the daemon is stopping"};
    Job job{*t, "manual", drill, {}};
    const auto key = job.key();
    if (queue_.contains(key) || running_.contains(key)) {
        return Failure{errc::conflict,
                       key + " is already " + (running_.contains(key) ? "running" : "queued")};
    }
    std::string holder;
    if (!runner_.lockable(name, holder)) {
        return Failure{errc::conflict, "target " + name + " is locked by " + holder};
    }
    job.run_id = new_run_id();
    auto id = job.run_id;
    enqueue(std::move(job));
    return id;
}

std::vector<TargetView> Daemon::views() const {
    std::vector<TargetView> out;
    for (const auto& t : inventory_.targets) {
        TargetView v;
        v.target = t;
        if (auto it = next_due_.find(t.name); it != next_due_.end())
            v.next_run = it->second;
        if (auto it = next_drill_.find(t.name); it != next_drill_.end())
            v.next_drill = it->second;
        v.running = running_.contains(t.name) || running_.contains(t.name + " (drill)");
        v.queued = queue_.contains(t.name) || queue_.contains(t.name + " (drill)");
        v.overdue = overdue_.contains(t.name);
        out.push_back(std::move(v));
    }
    return out;
}

Task<void> Daemon::retry_alerts() {
    co_await alerts_->retry_due();
    retrying_ = false;
}

void Daemon::maybe_summary(std::int64_t now) {
    bool wanted = false;
    for (const auto& [name, n] : config_.notifiers)
        wanted = wanted || domain::wants(n.events, "summary");
    if (!wanted)
        return;
    auto cron = domain::parse_cron(config_.daemon.summary_cron);
    if (!cron)
        return;
    if (next_summary_ < 0) {
        next_summary_ = domain::next_due(*cron, now, zone_);
        return;
    }
    if (now < next_summary_)
        return;
    next_summary_ = domain::next_due(*cron, now, zone_);
    // The date in the config's zone: one summary per day, also across restarts.
    const auto local = now + zone_(now);
    std::tm tm{};
    const auto t = static_cast<std::time_t>(local);
    gmtime_r(&t, &tm);
    char date[16];
    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
    spawn(alerts_->summary(inventory_.targets, date));
}

void Daemon::wake_workers() {
    for (auto* t : idle_workers_)
        t->cancel();
}

Task<void> Daemon::worker() {
    // Its own timer: a timer shared by several waiters cancels the others' waits when re-armed.
    asio::steady_timer idle(ex_);
    while (true) {
        // The fairest job whose target is not running now (a run ending wakes the workers).
        std::optional<Job> next;
        while (!stopping_ && !(next = queue_.pop(running_targets_))) {
            idle_workers_.insert(&idle);
            co_await sleep(idle, std::chrono::hours(1));
            idle_workers_.erase(&idle);
        }
        if (stopping_)
            break;
        Job job = std::move(*next);
        const auto name = job.target.name;
        const auto key = job.key();
        running_.insert(key);
        running_since_[key] = std::chrono::steady_clock::now() + stuck_after(job.target);
        running_targets_.insert(name);
        queue_.started(name);
        if (job.run_id.empty())
            job.run_id = new_run_id();
        running_ids_[key] = job.run_id;
        {
            RunEvent e;
            e.type = "started";
            e.run_id = job.run_id;
            e.target = name;
            e.kind = job.drill ? "verify" : "backup";
            e.trigger = job.trigger;
            emit(e);
        }
        const auto started_at = std::chrono::steady_clock::now();
        auto finished = [&](const std::string& status, const std::string& error) {
            RunEvent e;
            e.type = "finished";
            e.run_id = job.run_id;
            e.target = name;
            e.kind = job.drill ? "verify" : "backup";
            e.trigger = job.trigger;
            e.status = status;
            e.error = error;
            e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at)
                            .count();
            running_ids_.erase(key);
            emit(e);
        };
        // Nothing a job does may end this worker: an exception becomes the run's failure, and
        // what the run left in the engine (containers, networks, a stopped target) is cleaned.
        std::string status;    // the event's word: a run's status, or a drill's result
        bool clean_up = true;  // a run that did not end well may have left things in the engine
        std::string error;
        std::string internal;
        const domain::LogContext context{name, job.run_id};
        try {
            if (job.drill) {
                log_.info("restore drill of " + name + " (" + job.trigger + ") starts", context);
                // (g++ 12: no braced temporaries in a co_await's arguments)
                const domain::SnapshotChoice newest;
                auto drill = co_await drills_->verify(job.target, newest, job.trigger, job.run_id);
                status = domain::to_string(drill.status);
                clean_up = drill.status == domain::DrillResult::failed;
                error = drill.error;
                if (alerts_ != nullptr)
                    co_await alerts_->drill_finished(job.target, drill);
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.1f s", drill.rto_seconds);
                log_.write(drill.status == domain::DrillResult::passed ? domain::LogLevel::info
                                                                       : domain::LogLevel::warn,
                           "restore drill of " + name + ": " + domain::to_string(drill.status) +
                               ", restore took " + secs + ", run " + drill.run_id +
                               (drill.error.empty() ? "" : " (" + drill.error + ")"),
                           context);
            } else {
                log_.info("run of " + name + " (" + job.trigger + ") starts", context);
                auto report = co_await runner_.run(job.target, job.trigger, job.run_id);
                status = domain::to_string(report.status);
                clean_up = report.status != domain::RunStatus::success &&
                           report.status != domain::RunStatus::skipped;
                error = report.error;
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.1f s", report.seconds);
                log_.write(report.status == domain::RunStatus::success ? domain::LogLevel::info
                                                                       : domain::LogLevel::warn,
                           "run of " + name + ": " + domain::to_string(report.status) + " in " +
                               secs + ", run " + report.run_id +
                               (report.error.empty() ? "" : " (" + report.error + ")"),
                           context);
            }
        } catch (const std::exception& e) {
            internal = e.what();
        } catch (...) {
            internal = "unknown exception";
        }
        if (!internal.empty()) {
            status = domain::to_string(domain::RunStatus::failed);
            clean_up = true;
            error = "internal error: " + internal;
            log_.error(std::string(job.drill ? "restore drill" : "run") + " of " + name +
                           " ended by an internal error: " + internal,
                       context);
            domain::RunRecord record;
            record.id = job.run_id;
            record.kind = job.drill ? "verify" : "backup";
            record.target = name;
            record.trigger = job.trigger;
            record.status = domain::RunStatus::failed;
            record.error = error;
            record.finished_at = domain::utc_now();
            record.instance = instance_;
            close_run_record(audit_, std::move(record));
        }
        if (clean_up) {
            auto cleaned = co_await clean_up_run(audit_, janitor_, job.run_id);
            for (const auto& line : cleaned)
                log_.warn("run " + job.run_id + ": " + line, context);
        }
        finished(status, error);
        running_.erase(key);
        running_since_.erase(key);  // its "stuck" deadline
        running_targets_.erase(name);
        run_ended_.notify_all();
        wake_workers();  // a job of this target may wait in the queue
    }
}

}  // namespace bk::app
