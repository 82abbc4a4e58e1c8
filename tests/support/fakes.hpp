#pragma once
// Every fake of a domain port (tests/support/fakes/: one header per port, named after it), for
// application tests without an engine, restic or a network. Each mirrors its interface, records
// what it was asked, and takes its behaviour from public members. The audit store (AuditLog) is
// the real SQLite adapter over a temporary directory (see run_rig.hpp): a second implementation
// of its queries would be a fake to keep honest, and the real one answers in microseconds.
//
//   port                        fake                   header
//   TargetSource                FakeTargetSource       fakes/fake_target_source.hpp
//   DatabaseDumper              FakeDumper             fakes/fake_database_dumper.hpp
//   FileArchiver                FakeFiles              fakes/fake_file_archiver.hpp
//   HookRunner                  FakeHooks              fakes/fake_hook_runner.hpp
//   TargetResolver              FakeResolver           fakes/fake_target_resolver.hpp
//   NetworkAttachment           FakeNetworks           fakes/fake_network_attachment.hpp
//   BackupRepository (+ writer, reader)  FakeRepository  fakes/fake_repository.hpp
//   DatabaseRestorer            FakeRestorer           fakes/fake_database_restorer.hpp
//   RestoredCopies              FakeRestoredCopies     fakes/fake_restored_copies.hpp
//   LocalFiles                  FakeLocalFiles         fakes/fake_local_files.hpp
//   TargetLocks                 FakeTargetLocks        fakes/fake_target_locks.hpp
//   InstanceRegistry            FakeInstances          fakes/fake_instance_registry.hpp
//   Janitor                     FakeJanitor            fakes/fake_janitor.hpp
//   ChangeFeed                  FakeChangeFeed         fakes/fake_change_feed.hpp
//   Notifier                    FakeNotifier           fakes/fake_notifier.hpp
//   Monitor                     FakeMonitor            fakes/fake_monitor.hpp
//   AlertStore                  FakeAlertStore         fakes/fake_alert_store.hpp
//   EngineProbe                 FakeEngineProbe        fakes/fake_engine_probe.hpp
//   HostProbe                   FakeHostProbe          fakes/fake_host_probe.hpp
//   KeyInspector                FakeKeyInspector       fakes/fake_key_inspector.hpp
//   Logger                      FakeLogger             fakes/fake_logger.hpp
//   the clock (Now functions)   FakeClock              fakes/fake_clock.hpp

#include "support/fakes/fake_alert_store.hpp"
#include "support/fakes/fake_change_feed.hpp"
#include "support/fakes/fake_clock.hpp"
#include "support/fakes/fake_database_dumper.hpp"
#include "support/fakes/fake_database_restorer.hpp"
#include "support/fakes/fake_engine_probe.hpp"
#include "support/fakes/fake_file_archiver.hpp"
#include "support/fakes/fake_hook_runner.hpp"
#include "support/fakes/fake_host_probe.hpp"
#include "support/fakes/fake_instance_registry.hpp"
#include "support/fakes/fake_janitor.hpp"
#include "support/fakes/fake_key_inspector.hpp"
#include "support/fakes/fake_local_files.hpp"
#include "support/fakes/fake_logger.hpp"
#include "support/fakes/fake_monitor.hpp"
#include "support/fakes/fake_network_attachment.hpp"
#include "support/fakes/fake_notifier.hpp"
#include "support/fakes/fake_repository.hpp"
#include "support/fakes/fake_restored_copies.hpp"
#include "support/fakes/fake_target_locks.hpp"
#include "support/fakes/fake_target_resolver.hpp"
#include "support/fakes/fake_target_source.hpp"
#include "support/fakes/targets.hpp"
