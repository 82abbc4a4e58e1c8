// The application with fakes: a BackupRunner (and a RestoreService) over the fakes of
// tests/support/fakes.hpp, a real audit store and real lock files in a temporary directory.
// Unit tests derive their own rig from it and add what they need.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/lock/file_locks.hpp"
#include "application/backup_runner.hpp"
#include "application/restore.hpp"
#include "support/fakes.hpp"
#include "support/test_env.hpp"

namespace bk::testing {

struct RunRig {
    TempDir dir;
    std::unique_ptr<domain::AuditLog> audit;
    std::unique_ptr<adapters::lock::FileLocks> locks;
    domain::OperatorConfig config;
    FakeDumper dumper;
    FakeFiles files;
    FakeHooks hooks;
    FakeResolver resolver;
    FakeNetworks networks;
    FakeRepository repo;
    FakeRestorer restorer;
    FakeLocalFiles local;
    /// The runs' locks: the real lock files, unless a test sets another (a FakeTargetLocks).
    domain::TargetLocks* target_locks{nullptr};

    /// An audit store in `dir/audit.db`, lock files in `dir/locks`, instance "self".
    RunRig() {
        auto opened = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
        REQUIRE(opened.has_value());
        audit = std::move(*opened);
        std::filesystem::create_directories(dir.path() / "locks");
        locks =
            std::make_unique<adapters::lock::FileLocks>((dir.path() / "locks").string(), "self");
    }
    domain::TargetLocks& lock_port() { return target_locks != nullptr ? *target_locks : *locks; }
    app::RepositoryLookup lookup() {
        return [this](std::string) -> Task<Result<domain::BackupRepository*>> {
            co_return static_cast<domain::BackupRepository*>(&repo);
        };
    }
    app::BackupRunner runner() {
        return app::BackupRunner(config,
                                 dumper,
                                 files,
                                 hooks,
                                 {resolver, networks, hooks},
                                 lookup(),
                                 *audit,
                                 lock_port(),
                                 "self");
    }
    /// A restore service whose safety backups go through `runner`.
    app::RestoreService restore_service(app::BackupRunner& runner) {
        return app::RestoreService(
            config, lookup(), restorer, resolver, local, *audit, lock_port(), runner, "self");
    }
};

}  // namespace bk::testing
