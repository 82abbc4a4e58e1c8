#pragma once
// Fakes of the domain ports, for application tests without an engine, restic or a network. Each
// mirrors its interface and records what it was asked; behaviour is set through public members.
// The audit store and the locks are the real adapters over a temporary directory.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"
#include "domain/ports/recovery.hpp"
#include "domain/ports/restore_ports.hpp"
#include "domain/ports/target_source.hpp"

namespace bk::testing {

/// A repository in memory: a writer commits what it was given as one snapshot.
class FakeRepository final : public domain::BackupRepository {
public:
    struct Snapshot {
        std::string id;  ///< "snap0001", ...: 8 characters, as restic's short ids
        std::vector<std::string> tags;
        std::string data;
        std::string time;  ///< one second after the previous snapshot's
        std::string path;  ///< "/" + the writer's file name, as restic's --stdin-filename
    };
    std::vector<Snapshot> snapshots_stored;
    std::vector<std::vector<std::string>> forgets;  ///< the tag groups retention ran on
    int aborted{0};

    Task<Result<void>> prepare() override { co_return Result<void>{}; }
    Task<Result<std::unique_ptr<domain::SnapshotWriter>>> open_writer(
        domain::WriterSpec spec) override {
        co_return std::unique_ptr<domain::SnapshotWriter>(new Writer(*this, std::move(spec)));
    }
    Task<Result<std::vector<domain::SnapshotInfo>>> snapshots(
        std::vector<std::string> tags) override {
        std::vector<domain::SnapshotInfo> out;
        for (const auto& s : snapshots_stored) {
            bool all = true;
            for (const auto& t : tags) {
                all = all && std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end();
            }
            if (all)
                out.push_back({s.id, s.id, s.time, s.tags, {s.path}});
        }
        co_return out;
    }
    /// Reads back what a writer stored (never encrypted).
    Task<Result<std::unique_ptr<domain::SnapshotReader>>> open_reader(
        domain::ReadSpec spec) override {
        for (const auto& s : snapshots_stored) {
            if (s.id == spec.snapshot_id)
                co_return std::unique_ptr<domain::SnapshotReader>(new Reader(s.data));
        }
        co_return Failure{errc::not_found, "no snapshot " + spec.snapshot_id};
    }
    Task<Result<std::int64_t>> forget(std::vector<std::string> tags, domain::Retention) override {
        forgets.push_back(tags);
        co_return static_cast<std::int64_t>(snapshots_stored.size());
    }
    Task<Result<domain::PruneSummary>> prune() override { co_return domain::PruneSummary{}; }
    Task<Result<void>> unlock_stale() override { co_return Result<void>{}; }
    Task<Result<domain::SnapshotSummary>> backup_path(std::string,
                                                      std::vector<std::string>) override {
        co_return Failure{errc::internal, "the fake repository backs up no paths"};
    }
    Task<Result<std::uint64_t>> restore_path(std::string, std::string, std::string) override {
        co_return Failure{errc::internal, "the fake repository restores no paths"};
    }

private:
    class Writer final : public domain::SnapshotWriter {
    public:
        Writer(FakeRepository& repo, domain::WriterSpec spec)
            : repo_(repo), spec_(std::move(spec)) {}
        Task<Result<void>> write(std::span<const char> data) override {
            data_.append(data.data(), data.size());
            co_return Result<void>{};
        }
        Task<Result<domain::SnapshotSummary>> commit() override {
            const auto n = repo_.snapshots_stored.size() + 1;
            char id[32];
            char time[40];
            std::snprintf(id, sizeof id, "snap%04zu", n);
            std::snprintf(time, sizeof time, "2026-12-01T%02zu:%02zu:%02zu+01:00", 1 + n / 3600,
                          n / 60 % 60, n % 60);
            repo_.snapshots_stored.push_back({id, spec_.tags, data_, time, "/" + spec_.file_name});
            co_return domain::SnapshotSummary{id, data_.size(), data_.size()};
        }
        Task<void> abort() override {
            ++repo_.aborted;
            co_return;
        }

    private:
        FakeRepository& repo_;
        domain::WriterSpec spec_;
        std::string data_;
    };
    class Reader final : public domain::SnapshotReader {
    public:
        explicit Reader(std::string data) : data_(std::move(data)) {}
        Task<Result<std::size_t>> read(std::span<char> buffer) override {
            const auto n = std::min(buffer.size(), data_.size() - at_);
            std::copy_n(data_.data() + at_, n, buffer.data());
            at_ += n;
            co_return n;
        }
        Task<Result<void>> finish() override { co_return Result<void>{}; }

    private:
        std::string data_;
        std::size_t at_{0};
    };
};

/// Dumps `payload` followed by a complete census, or does what `on_dump` says first (throw,
/// leave a container behind in a FakeJanitor, ...).
class FakeDumper final : public domain::DatabaseDumper {
public:
    std::string payload{"-- dump\n"};
    std::vector<std::string> databases{"app"};  ///< what plan() lists, as a server would
    std::map<std::string, std::uint64_t> rows;   ///< the census of every dump: rows per table
    std::function<void(const domain::Target&, const std::string& run_id)> on_dump;
    int dumps{0};

    Task<Result<std::vector<domain::DumpItem>>> plan(const domain::Target& target) override {
        std::vector<domain::DumpItem> items;
        for (const auto& d : databases)
            items.push_back({d, target.name + "/" + d + ".sql"});
        co_return items;
    }
    Task<domain::DumpOutcome> dump(const domain::Target& target,
                                   const domain::DumpItem&,
                                   domain::ByteSink& sink,
                                   std::string run_id, domain::StreamLimits) override {
        ++dumps;
        if (on_dump)
            on_dump(target, run_id);
        domain::DumpOutcome out;
        auto w = co_await sink.write(std::span<const char>(payload.data(), payload.size()));
        if (!w) {
            out.error = w.error().message;
            co_return out;
        }
        out.exit_code = 0;
        out.completion_marker = true;
        out.bytes = payload.size();
        out.rows = rows;
        co_return out;
    }
    std::string probe_error;  ///< non-empty: probe() fails with it
    int probes{0};
    Task<Result<void>> probe(const domain::Target&, std::string) override {
        ++probes;
        if (!probe_error.empty())
            co_return Failure{errc::dump_failed, probe_error};
        co_return Result<void>{};
    }
};

class FakeFiles final : public domain::FileArchiver {
public:
    Task<Result<std::vector<domain::FileItem>>> plan_files(const domain::Target&) override {
        co_return std::vector<domain::FileItem>{};
    }
    Task<Result<std::uint64_t>> stream(const domain::Target&,
                                       const domain::FileItem&,
                                       domain::ByteSink&, domain::StreamLimits) override {
        co_return std::uint64_t{0};
    }
    Task<Result<bool>> stop(const domain::Target&) override { co_return false; }
    Task<Result<void>> start(const domain::Target&) override { co_return Result<void>{}; }
};

class FakeHooks final : public domain::HookRunner {
public:
    Task<domain::HookOutcome> run(const domain::Target&, std::vector<std::string>) override {
        co_return domain::HookOutcome{0, "", ""};
    }
};

class FakeResolver final : public domain::TargetResolver {
public:
    Task<Result<domain::Target>> resolve(const domain::Target& t) override { co_return t; }
};

class FakeNetworks final : public domain::NetworkAttachment {
public:
    Task<std::string> self() override { co_return std::string{}; }
    Task<Result<bool>> join(std::string, std::string) override { co_return false; }
    Task<Result<void>> leave(std::string, std::string) override { co_return Result<void>{}; }
};

/// A restorer that records what it was asked and fails every load (tests of what happens
/// before any data moves), or with `load_ok` takes every load whole and counts `rows`.
class FakeRestorer final : public domain::DatabaseRestorer {
public:
    int clones{0};
    int loads{0};
    bool load_ok{false};
    std::map<std::string, std::uint64_t> rows;  ///< what count_rows finds
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_load(const domain::Target&,
                                                                 std::string,
                                                                 std::string) override {
        ++loads;
        if (load_ok)
            co_return std::unique_ptr<domain::RestoreLoad>(new Load);
        co_return Failure{errc::internal, "the fake restorer loads nothing"};
    }
    Task<Result<std::map<std::string, std::uint64_t>>> count_rows(const domain::Target&,
                                                                  std::string,
                                                                  std::vector<std::string>,
                                                                  std::string) override {
        co_return rows;
    }
    Task<Result<domain::Target>> clone(const domain::Target& t,
                                       bool scratch,
                                       std::string run_id) override {
        ++clones;
        domain::Target copy = t;
        if (!scratch) {
            // As the real one names and places a --new-container copy.
            copy.container_name = t.container_name + "-restored-" + run_id.substr(0, 16);
            copy.container_id = "copy-" + run_id;
        }
        co_return copy;
    }
    Task<Result<domain::Target>> server_in(const domain::Target& t, std::string) override {
        co_return t;
    }
    Task<Result<void>> wait_ready(const domain::Target&,
                                  std::chrono::seconds,
                                  std::string) override {
        co_return Result<void>{};
    }
    Task<void> discard(const domain::Target&) override { co_return; }
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_files_load(const domain::Target&,
                                                                       std::string,
                                                                       std::string) override {
        ++loads;
        co_return Failure{errc::internal, "the fake restorer loads nothing"};
    }

private:
    class Load final : public domain::RestoreLoad {
    public:
        Task<Result<void>> write(std::span<const char>) override { co_return Result<void>{}; }
        Task<Result<void>> finish() override { co_return Result<void>{}; }
        Task<void> abort() override { co_return; }
    };
};

class FakeLocalFiles final : public domain::LocalFiles {
public:
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_extract(std::string) override {
        co_return Failure{errc::internal, "the fake extracts nothing"};
    }
};

/// The copies earlier restores left, as the engine would list them by their label.
class FakeRestoredCopies final : public domain::RestoredCopies {
public:
    std::vector<domain::RestoredCopy> copies;
    std::vector<std::string> removed;  ///< container ids, in order
    Task<Result<std::vector<domain::RestoredCopy>>> list(std::string target) override {
        std::vector<domain::RestoredCopy> out;
        for (const auto& c : copies) {
            if (c.target == target)
                out.push_back(c);
        }
        co_return out;
    }
    Task<Result<void>> remove(domain::RestoredCopy copy) override {
        removed.push_back(copy.container_id);
        std::erase_if(copies,
                      [&copy](const auto& c) { return c.container_id == copy.container_id; });
        co_return Result<void>{};
    }
};

/// Our containers and networks as the engine would list them.
class FakeJanitor final : public domain::Janitor {
public:
    std::vector<domain::Leftover> containers;
    std::set<std::string> removed;
    Task<Result<std::vector<domain::Leftover>>> leftovers() override { co_return containers; }
    Task<Result<void>> remove(domain::Leftover l) override {
        const std::string id = l.container_id;
        removed.insert(id);
        std::erase_if(containers, [&id](const auto& c) { return c.container_id == id; });
        co_return Result<void>{};
    }
    Task<Result<bool>> start_if_stopped(std::string) override { co_return false; }
    Task<Result<void>> leave_network(std::string, std::string) override {
        co_return Result<void>{};
    }
};

/// A feed that reports nothing by itself and waits until stop(); resync() asks the follower to
/// list the containers again (as an event would).
class FakeChangeFeed final : public domain::ChangeFeed {
public:
    explicit FakeChangeFeed(boost::asio::any_io_executor ex) : timer_(ex) {}
    void resync() {
        if (on_resync_)
            on_resync_();
    }
    Task<void> follow(std::function<void(const domain::ContainerChange&)>,
                      std::function<void()> on_resync) override {
        on_resync_ = on_resync;
        on_resync();
        timer_.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    void stop() override { timer_.cancel(); }
    [[nodiscard]] bool connected() const override { return true; }

private:
    boost::asio::steady_timer timer_;
    std::function<void()> on_resync_;
};

/// The containers discovery finds: set `found`. With `hold` set, a discovery answers only once
/// the timer is cancelled (a slow first listing).
class FakeTargetSource final : public domain::TargetSource {
public:
    std::vector<domain::DiscoveredContainer> found;
    std::shared_ptr<boost::asio::steady_timer> hold;
    int asked{0};        ///< discoveries begun
    int discoveries{0};  ///< answered so far
    /// Lets the held discovery answer; later ones answer at once.
    void release() {
        auto h = std::move(hold);
        if (h)
            h->cancel();
    }
    Task<Result<std::vector<domain::DiscoveredContainer>>> discover(
        const domain::OperatorConfig&) override {
        ++asked;
        if (hold) {
            auto held = hold;  // the timer lives until this discovery is released
            held->expires_at(boost::asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await held->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        ++discoveries;
        co_return found;
    }
};

/// `c` as discovery lists a container that exited at `since` (docker stop, compose stop).
inline domain::DiscoveredContainer stopped(domain::DiscoveredContainer c,
                                           const std::string& since = "2026-11-20T10:00:00Z") {
    c.state = "exited";
    c.stopped_since = since;
    return c;
}

/// A labelled container that is a valid target of `name` with a database.
inline domain::DiscoveredContainer labelled_target(const std::string& name,
                                                   const std::string& repository = "main") {
    domain::DiscoveredContainer c;
    c.container_id = "id-" + name;
    c.container_name = name;
    c.state = "running";
    c.disposition = domain::Disposition::target;
    domain::Target t;
    t.name = name;
    t.container_id = c.container_id;
    t.container_name = name;
    t.compose_project = name;
    t.compose_service = "db";
    t.image = "postgres:15";
    t.database = domain::DatabaseSpec{};
    t.repository = repository;
    t.encrypt = "none";
    c.target = t;
    return c;
}

}  // namespace bk::testing
