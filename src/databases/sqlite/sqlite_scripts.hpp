#pragma once
// The scripts the SQLite kind runs in its helper container (an image with sh, coreutils and the
// sqlite3 CLI, mounting the target's volume), each as `sh -c <script> sh <args>`: paths come as
// positional arguments and are never part of a script's text, nor of any SQL or dot-command (the
// scripts work in a directory of their own, under relative names). Every script stops at the
// first failed step (set -e) with a non-zero status and sqlite3's own message on stderr.
//
// The row counts are lines `backupctl-rows <HEX> <count>` then `backupctl-rows-end`, HEX being
// the table name's UTF-8 bytes as sqlite's hex() writes them (any name survives a line), the
// format SqliteCheck::feed_messages reads. A query over sqlite_schema writes one
// `SELECT count(*)` statement per table into count.sql with writefile(): the names never pass
// through the CLI's output formatting (newer CLIs escape control characters in query output, and
// a name may hold a newline); a second sqlite3 runs the file (no pipe: sh has no pipefail, and a
// failed generator must fail the script). Internal tables (sqlite_*) and virtual tables (their
// module may be missing from the CLI; their shadow tables are counted) are left out.

#include <string_view>

namespace bk::databases::sqlite {

/// Backup. Args: $1 the database file in the target's volume. Writes the consistent copy to
/// stdout, the row counts of that copy to stderr.
///
/// The copy is sqlite3's .backup (page by page: the file as the app has it, journal mode, page
/// size and all) inside one read transaction (BEGIN + a read of sqlite_schema). Without it the
/// CLI's .backup copies 100 pages per step, each step its own transaction, and starts again
/// whenever another connection commits in between: with a writer busy, a copy of 22 MB took
/// 3-12 s in WAL mode and failed ("database is locked") every time in rollback mode. In WAL mode
/// the read transaction does not stop the writer; in rollback mode the writer waits for the copy
/// (its busy timeout must cover it), and the copy waits up to 10 s for the writer's lock.
/// VACUUM INTO is as consistent but rebuilds the file, and its copy is no longer in WAL mode.
/// With the app stopped, sqlite3 replays (checkpoints) a WAL left behind into the database, as
/// any connection would: the backup is not read-only on the volume.
inline constexpr std::string_view kBackupScript = R"sh(set -eu
db=$1
# Absolute: the script works in its own directory. (A relative name could also start with
# "file:", which sqlite3 reads as a URI, or "-", an option.)
case $db in /*) ;; *) db=$PWD/$db ;; esac
# sqlite3 would create a missing database.
if [ ! -f "$db" ]; then
  echo "backupctl: no database file at $1" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! why=$(sqlite3 -bail "$db" ".timeout 10000" "BEGIN" "SELECT count(*) FROM sqlite_schema" \
  ".backup copy.db" "COMMIT" 2>&1 >/dev/null); then
  echo "backupctl: cannot copy the database $1: $why" >&2
  exit 1
fi
count() {
  sqlite3 -bail "$1" >/dev/null <<'SQL'
SELECT writefile('count.sql', coalesce(group_concat(statement, char(10)), ''))
  FROM (SELECT 'SELECT ''backupctl-rows ' || hex(name) || ' '' || count(*) FROM "' ||
               replace(name, '"', '""') || '";' AS statement
          FROM sqlite_schema
         WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'
           AND sql NOT LIKE 'CREATE VIRTUAL %'
         ORDER BY name);
SQL
  sqlite3 -bail "$1" <count.sql
  echo backupctl-rows-end
}
count copy.db >&2
cat copy.db
)sh";

/// Restore, the app stopped. Args: $1 the database file in the target's volume. Reads the
/// snapshot from stdin into a temporary file beside the database (same directory: the rename is
/// atomic), which must pass PRAGMA integrity_check; then takes the old file's owner and mode,
/// removes the old file's -wal, -shm and -journal (they belong to the old content and would be
/// replayed into the new one), and renames it over the database. On any failure before the
/// rename the temporary file goes and the database is untouched.
inline constexpr std::string_view kRestoreScript = R"sh(set -eu
db=$1
case $db in /*) ;; *) db=./$db ;; esac
dir=$(dirname "$db")
if [ ! -d "$dir" ]; then
  echo "backupctl: no directory $dir for the database" >&2
  exit 1
fi
tmp=$(mktemp "$dir/.backupctl-restore.XXXXXX")
trap 'rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"' EXIT
cat >"$tmp"
# sqlite3 takes an empty file for an empty database, and its integrity for ok.
if [ ! -s "$tmp" ]; then
  echo "backupctl: the snapshot is empty" >&2
  exit 1
fi
if ! check=$(sqlite3 -bail "$tmp" "PRAGMA integrity_check" 2>&1); then
  echo "backupctl: the snapshot is not a usable SQLite database: $check" >&2
  exit 1
fi
if [ "$check" != ok ]; then
  echo "backupctl: the snapshot fails its integrity check: $check" >&2
  exit 1
fi
# A helper runs as root; the app may not: the new file keeps the old one's owner and mode.
if [ -e "$db" ]; then ref=$db; else ref=$dir; fi
chown "$(stat -c %u:%g "$ref")" "$tmp"
if [ -e "$db" ]; then chmod "$(stat -c %a "$db")" "$tmp"; else chmod 644 "$tmp"; fi
rm -f "$db-wal" "$db-shm" "$db-journal"
mv -f "$tmp" "$db"
)sh";

/// Drill. Args: $1 a file to restore into (in a scratch volume or the helper's /tmp; the caller
/// removes it and its -wal, -shm). Reads the snapshot from stdin, checks it with PRAGMA
/// integrity_check and writes the row counts of every table to stdout in the backup's format
/// (SqliteCheck::feed_messages reads them; the drill compares the tables recorded at backup
/// time).
inline constexpr std::string_view kDrillScript = R"sh(set -eu
db=$1
case $db in /*) ;; *) db=$PWD/$db ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat >"$db"
if [ ! -s "$db" ]; then
  echo "backupctl: the snapshot is empty" >&2
  exit 1
fi
if ! check=$(sqlite3 -bail "$db" "PRAGMA integrity_check" 2>&1); then
  echo "backupctl: the snapshot is not a usable SQLite database: $check" >&2
  exit 1
fi
if [ "$check" != ok ]; then
  echo "backupctl: the snapshot fails its integrity check: $check" >&2
  exit 1
fi
count() {
  sqlite3 -bail "$1" >/dev/null <<'SQL'
SELECT writefile('count.sql', coalesce(group_concat(statement, char(10)), ''))
  FROM (SELECT 'SELECT ''backupctl-rows ' || hex(name) || ' '' || count(*) FROM "' ||
               replace(name, '"', '""') || '";' AS statement
          FROM sqlite_schema
         WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'
           AND sql NOT LIKE 'CREATE VIRTUAL %'
         ORDER BY name);
SQL
  sqlite3 -bail "$1" <count.sql
  echo backupctl-rows-end
}
count "$db"
)sh";

}  // namespace bk::databases::sqlite
