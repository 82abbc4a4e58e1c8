#include "application/checks.hpp"

#include "application/target_health.hpp"
#include "domain/human.hpp"
#include "domain/repository_check.hpp"
#include "domain/repository_location.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

namespace {

constexpr std::int64_t kKeyExpiryWarning = std::int64_t{30} * 86400;

Check unavailable(std::string name, const char* port) {
    return {std::move(name), std::string("cannot check it: no ") + port, "", false};
}

// One gpg key of the config: readable, able to encrypt, not revoked or expired; a key that
// expires within 30 days is said in the detail.
Task<Check> key_check(domain::KeyInspector* keys,
                      std::string name,
                      std::string file,
                      std::int64_t now) {
    Check c{"gpg key " + name, "", "", false};
    if (keys == nullptr)
        co_return unavailable(c.name, "key inspector");
    auto k = co_await keys->inspect(file);
    if (!k) {
        c.problem = k.error().message;
        co_return c;
    }
    c.detail = k->fingerprint;
    if (k->revoked) {
        c.problem = "revoked";
    } else if (k->expired) {
        c.problem = "expired " + domain::format_utc(k->expires);
    } else if (!k->can_encrypt) {
        c.problem = "has no usable encryption subkey";
    } else if (k->expires > 0 && k->expires - now < kKeyExpiryWarning) {
        c.detail += ", expires " + domain::format_utc(k->expires) + " (in less than 30 days)";
    }
    co_return c;
}

}  // namespace

Checks::Checks(const domain::OperatorConfig& config, CheckPorts ports)
    : config_(config), ports_(std::move(ports)) {}

Check Checks::disk_space() {
    Check c{"disk space " + config_.state_dir, "", "", false};
    if (ports_.host == nullptr)
        return unavailable(c.name, "host probe");
    auto free_bytes = ports_.host->free_bytes(config_.state_dir);
    if (!free_bytes) {
        c.problem = "cannot stat it";
        return c;
    }
    c.detail = domain::human_bytes(*free_bytes) + " free";
    if (*free_bytes < kMinFreeBytes) {
        c.problem = "only " + domain::human_bytes(*free_bytes) +
                    " free (restic's cache needs at least " + domain::human_bytes(kMinFreeBytes) +
                    ")";
    }
    return c;
}

Check repository_check_state(domain::AuditLog& audit,
                             const std::string& name,
                             const domain::RepositoryConfig& repo,
                             std::int64_t now,
                             const std::optional<domain::UtcOffset>& zone) {
    Check c{"check of repository " + name, "", "", false};
    auto last = audit.checks(name, 1);
    if (!last) {
        c.problem = "the audit store cannot be read: " + last.error().message;
        c.warning = true;
        return c;
    }
    if (last->empty()) {
        if (repo.check_cron != "off") {
            c.problem = "never checked (check_cron " + repo.check_cron +
                        "): run `backupctl check --now " + name + "`";
            c.warning = true;
        } else {
            c.detail = "never checked (check_cron: off)";
        }
        return c;
    }
    const auto& l = last->front();
    if (auto refused = domain::maintenance_refusal(name, l)) {
        c.problem = *refused;
        return c;
    }
    c.detail = "last check " + l.finished_at + " passed (subset " + std::to_string(l.subset) + "/" +
               std::to_string(l.subsets) + ")";
    if (repo.check_cron == "off")
        return c;
    if (auto cron = domain::parse_cron(repo.check_cron)) {
        const auto z = zone.value_or([](std::int64_t) { return std::int64_t{0}; });
        const auto finished = domain::parse_utc(l.finished_at);
        if (domain::check_overdue(finished, domain::interval_after(*cron, finished, z), now)) {
            c.problem = "overdue: the last check was " + l.finished_at + " (check_cron " +
                        repo.check_cron + ")";
            c.warning = true;
        }
    }
    return c;
}

Task<Check> Checks::repository(std::string name) {
    Check c{"repository " + name, "", "", false};
    if (auto it = config_.repositories.find(name); it != config_.repositories.end())
        c.detail = domain::mask_url(it->second.url);
    if (!ports_.repository)
        co_return unavailable(c.name, "repositories");
    auto r = co_await ports_.repository(name);
    if (!r)
        c.problem = r.error().message;
    co_return c;
}

Task<std::vector<Check>> Checks::health(bool quick) {
    std::vector<Check> checks;
    for (const auto& p : config_.problems) {
        if (p.project.empty())
            checks.push_back({"config", p.describe(), "", false});
    }
    if (checks.empty())
        checks.push_back({"config", "", config_.file, false});
    if (ports_.engine == nullptr) {
        checks.push_back({"engine", ports_.engine_problem, "", false});
    } else {
        auto ping = co_await ports_.engine->ping();
        checks.push_back(
            {"engine " + ports_.engine->address(), ping ? "" : ping.error().message, "", false});
    }
    std::string writable = ports_.audit_state.store_error;
    if (writable.empty() && ports_.host != nullptr && !ports_.host->writable(config_.state_dir))
        writable = config_.state_dir + " is not writable";
    checks.push_back({"audit store", writable, config_.state_dir + "/audit.db", false});
    const int pending = ports_.audit_state.pending;
    checks.push_back(
        {"audit fallback",
         pending == 0 ? ""
                      : std::to_string(pending) + " record(s) not replayed into the audit store",
         ports_.audit_state.fallback_path,
         false});
    if (ports_.outbox == nullptr) {
        checks.push_back(unavailable("notification outbox", "outbox"));
    } else if (auto q = ports_.outbox->queued(); !q) {
        checks.push_back({"notification outbox", q.error().message, ports_.outbox_path, false});
    } else {
        std::string problem;
        if (!q->empty()) {
            const auto& first = q->front();
            problem = std::to_string(q->size()) + " alert(s) not delivered yet; oldest for " +
                      first.notifier + " since " + domain::format_utc(first.queued_at) + " (" +
                      first.last_error + ")";
        }
        checks.push_back({"notification outbox", problem, ports_.outbox_path, false});
    }
    for (const auto& p : ports_.alerting_problems)
        checks.push_back({"alerting", p, "", false});
    if (ports_.copy_lags) {
        // A second copy that lags: a warning while within copy_overdue, a problem past it.
        if (auto lags = ports_.copy_lags(); !lags) {
            checks.push_back({"copies", lags.error().message, "", false});
        } else {
            for (const auto& l : *lags) {
                std::string problem;
                if (l.pending > 0) {
                    problem = std::to_string(l.pending) +
                              " snapshot(s) not copied, the oldest for " +
                              std::to_string(l.lag_seconds) + " s" +
                              (l.last_error.empty() ? std::string{} : " (" + l.last_error + ")");
                }
                checks.push_back({"copy " + l.source + " -> " + l.destination,
                                  problem,
                                  "copy_overdue " + std::to_string(l.overdue_after.count()) + " s",
                                  !problem.empty() && !l.overdue()});
            }
        }
    }
    checks.push_back(disk_space());
    // Clock: not before this build, not behind the newest audit record.
    const std::int64_t now = ports_.host != nullptr ? ports_.host->now() : 0;
    std::string clock_problem;
    if (now < ports_.built_at) {
        clock_problem =
            "the clock says " + domain::format_utc(now) + ", before this program was built";
    } else if (ports_.audit != nullptr) {
        if (auto recent = ports_.audit->history("", false, 1); recent && !recent->empty()) {
            const auto last = domain::parse_utc(recent->front().started_at);
            if (last > now + 300) {
                clock_problem = "the clock says " + domain::format_utc(now) +
                                " but a run started at " + recent->front().started_at +
                                " (the clock went back)";
            }
        }
    }
    checks.push_back({"clock", clock_problem, domain::format_utc(now), false});
    if (quick)
        co_return checks;
    if (ports_.audit != nullptr) {
        for (const auto& [name, repo] : config_.repositories)
            checks.push_back(repository_check_state(*ports_.audit, name, repo, now, ports_.zone));
    }
    for (const auto& [name, key] : config_.keys) {
        auto c = co_await key_check(ports_.keys, name, key.public_key_file, now);
        checks.push_back(std::move(c));
    }
    // The targets: failing, stopped, overdue (reads the containers).
    if (ports_.registry != nullptr && ports_.audit != nullptr && !config_.has_fatal_problems()) {
        auto inventory = co_await ports_.registry->refresh();
        if (!inventory) {
            checks.push_back({"targets", inventory.error().message, "", false});
        } else if (ports_.zone) {
            const auto findings =
                target_findings(inventory->targets, *ports_.audit, now, *ports_.zone);
            for (const auto& f : findings) {
                checks.push_back({f.check, f.message, "", f.level == HealthFinding::Level::warn});
            }
            checks.push_back({"targets",
                              "",
                              std::to_string(inventory->targets.size()) + " watched, " +
                                  std::to_string(findings.size()) + " with something to report",
                              false});
        }
    }
    if (auto f = notifier_finding(config_))
        checks.push_back({f->check, f->message, "", true});
    if (ports_.engine != nullptr) {
        for (const auto& [name, repo] : config_.repositories) {
            auto c = co_await repository(name);
            checks.push_back(std::move(c));
        }
    }
    co_return checks;
}

Task<std::vector<Check>> Checks::dry_run(domain::Target t) {
    std::vector<Check> checks;
    auto repo = co_await repository(t.repository);
    checks.push_back(std::move(repo));
    const std::int64_t now = ports_.host != nullptr ? ports_.host->now() : 0;
    if (t.encrypt != "none" && !t.encrypt.empty()) {
        if (auto k = config_.keys.find(t.encrypt); k == config_.keys.end()) {
            checks.push_back({"gpg key " + t.encrypt, "no such key in the config", "", false});
        } else {
            auto c = co_await key_check(ports_.keys, t.encrypt, k->second.public_key_file, now);
            checks.push_back(std::move(c));
        }
    }
    if (t.database && t.source == domain::Origin::config) {
        // Where the project's database runs now, then a query as the dump would make it.
        if (ports_.resolver == nullptr || ports_.dumper == nullptr) {
            checks.push_back(unavailable("database.host " + t.database->host, "resolver"));
        } else {
            auto resolved = co_await ports_.resolver->resolve(t);
            checks.push_back({"database.host " + t.database->host,
                              resolved ? "" : resolved.error().message,
                              "",
                              false});
            if (resolved) {
                auto probe = co_await ports_.dumper->probe(*resolved, "dry-run-" + new_run_id());
                const std::string where =
                    resolved->container_name.empty()
                        ? "client " + resolved->image
                        : "container " + resolved->container_name + " on " + resolved->network;
                checks.push_back({"database reachable from a dump container (" + where + ")",
                                  probe ? "" : probe.error().message,
                                  "",
                                  false});
            }
        }
    }
    for (const auto& path : t.paths) {
        const bool there = ports_.host != nullptr && ports_.host->exists(path);
        checks.push_back(
            {"path " + path, there ? "" : "does not exist on the operator (mount it)", "", false});
    }
    if (t.database && t.source == domain::Origin::labels) {
        if (ports_.engine == nullptr) {
            checks.push_back({"engine", ports_.engine_problem, "", false});
        } else {
            auto running = co_await ports_.engine->container_running(t.container_id);
            checks.push_back({"container " + t.container_name,
                              !running   ? running.error().message
                              : *running ? ""
                                         : "not running",
                              "",
                              false});
            const std::string image =
                t.database->dump_image.empty() ? t.image : t.database->dump_image;
            auto img = co_await ports_.engine->image_present(image);
            checks.push_back({"dump image " + image, img ? "" : img.error().message, "", false});
            if (running && *running && img && ports_.dumper != nullptr) {
                // The database as a dump would see it: same image, network and credentials.
                auto probe = co_await ports_.dumper->probe(t, "dry-run-" + new_run_id());
                checks.push_back({"database reachable from a dump container",
                                  probe ? "" : probe.error().message,
                                  "",
                                  false});
            }
        }
    }
    checks.push_back(disk_space());
    co_return checks;
}

}  // namespace bk::app
