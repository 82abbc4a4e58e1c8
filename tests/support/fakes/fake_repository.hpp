#pragma once
// Fake of domain::BackupRepository (with its SnapshotWriter and SnapshotReader): a repository in
// memory. A writer commits what it was given as one snapshot; a reader gives it back.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

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
    int aborted{0};                                 ///< writers aborted (no snapshot)
    int writers{0};                                 ///< writers opened
    int readers{0};                                 ///< readers opened
    int unlocks{0};                                 ///< unlock_stale calls
    std::vector<std::string> public_keys;           ///< each writer's public_key_file, in order

    /// What goes wrong, when set: restic refuses the commit, retention fails (repo_locked: the
    /// repository is busy), a reader's finish() fails (gpg found the snapshot tampered).
    std::optional<Failure> commit_fails;
    std::optional<Failure> forget_fails;
    std::optional<Failure> reader_fails;
    std::optional<Failure> retag_fails;
    int retags{0};  ///< retag calls

    Task<Result<void>> prepare() override { co_return Result<void>{}; }
    Task<Result<std::unique_ptr<domain::SnapshotWriter>>> open_writer(
        domain::WriterSpec spec) override {
        ++writers;
        public_keys.push_back(spec.public_key_file);
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
        ++readers;
        for (const auto& s : snapshots_stored) {
            if (s.id == spec.snapshot_id)
                co_return std::unique_ptr<domain::SnapshotReader>(new Reader(s.data, reader_fails));
        }
        co_return Failure{errc::not_found, "no snapshot " + spec.snapshot_id};
    }
    Task<Result<std::int64_t>> forget(std::vector<std::string> tags, domain::Retention) override {
        forgets.push_back(tags);
        if (forget_fails)
            co_return *forget_fails;
        co_return static_cast<std::int64_t>(snapshots_stored.size());
    }
    /// As restic tag: the snapshot gets a new id ("snap0002" -> "snap0002r1"), tags changed.
    Task<Result<std::string>> retag(std::string id,
                                    std::vector<std::string> add,
                                    std::vector<std::string> remove) override {
        ++retags;
        if (retag_fails)
            co_return *retag_fails;
        for (auto& s : snapshots_stored) {
            if (!s.id.starts_with(id))
                continue;
            for (const auto& t : remove)
                std::erase(s.tags, t);
            for (const auto& t : add) {
                if (std::find(s.tags.begin(), s.tags.end(), t) == s.tags.end())
                    s.tags.push_back(t);
            }
            s.id = s.id.substr(0, 8) + "r" + std::to_string(retags);
            co_return s.id;
        }
        co_return Failure{errc::not_found, "no snapshot " + id};
    }
    Task<Result<domain::PruneSummary>> prune() override { co_return domain::PruneSummary{}; }
    Task<Result<void>> unlock_stale() override {
        ++unlocks;
        co_return Result<void>{};
    }
    Task<Result<domain::SnapshotSummary>> backup_path(std::string,
                                                      std::vector<std::string>) override {
        co_return Failure{errc::internal, "the fake repository backs up no paths"};
    }
    Task<Result<std::uint64_t>> restore_path(std::string, std::string, std::string) override {
        co_return Failure{errc::internal, "the fake repository restores no paths"};
    }
    /// Each check's k/n, in order; `check_result` is what each returns (default: passed, 10 of
    /// 80 packs).
    std::vector<std::pair<int, int>> checks_run;
    Result<domain::CheckSummary> check_result{domain::CheckSummary{true, 10, 80, "", 0.1}};
    Task<Result<domain::CheckSummary>> check(int k, int n) override {
        checks_run.emplace_back(k, n);
        co_return check_result;
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
            if (repo_.commit_fails)
                co_return *repo_.commit_fails;
            const auto n = repo_.snapshots_stored.size() + 1;
            char id[32];
            char time[40];
            std::snprintf(id, sizeof id, "snap%04zu", n);
            std::snprintf(time,
                          sizeof time,
                          "2026-12-01T%02zu:%02zu:%02zu+01:00",
                          1 + n / 3600,
                          n / 60 % 60,
                          n % 60);
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
        Reader(std::string data, std::optional<Failure> fails)
            : data_(std::move(data)), fails_(std::move(fails)) {}
        Task<Result<std::size_t>> read(std::span<char> buffer) override {
            const auto n = std::min(buffer.size(), data_.size() - at_);
            std::copy_n(data_.data() + at_, n, buffer.data());
            at_ += n;
            co_return n;
        }
        Task<Result<void>> finish() override {
            if (fails_)
                co_return *fails_;
            co_return Result<void>{};
        }

    private:
        std::string data_;
        std::optional<Failure> fails_;
        std::size_t at_{0};
    };
};

}  // namespace bk::testing
