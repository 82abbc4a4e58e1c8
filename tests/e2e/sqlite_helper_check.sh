#!/usr/bin/env bash
# A check by hand of the SQLite helper scripts (src/databases/sqlite/sqlite_scripts.hpp) against
# real containers, until the SQLite kind's engine part runs them in e2e tests: an app
# (sqlite-writer) writes to a named volume, a helper container of the same image mounting that
# volume runs the scripts, exactly as `sh -c <script> sh /data/app.db`.
#   bash tests/e2e/sqlite_helper_check.sh [ENV_FILE] [BACKUPS]
# ENV_FILE: what scripts/build-test-images.sh wrote (BK_TEST_SQLITE_IMAGE); BACKUPS per journal
# mode (default 5). Every backup is taken while the app writes; each copy must pass
# integrity_check and hold items = 5 x log rows (the app's transactions), with the counts in its
# messages. Then the app stops, the last copy is restored and the app starts again on it; a text
# file and an empty stream must fail the restore and leave the database as it was.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
env_file=${1:-$root/build/test-images.env}
backups=${2:-5}
image=${BK_TEST_SQLITE_IMAGE:-$(sed -n 's/^BK_TEST_SQLITE_IMAGE=//p' "$env_file")}
[ -n "$image" ] || { echo "no BK_TEST_SQLITE_IMAGE" >&2; exit 2; }
header=$root/src/databases/sqlite/sqlite_scripts.hpp
script() { awk -v n="$1" '$0 ~ n" = R\"sh\\(" {on=1; sub(/.*R"sh\(/, "")} on && /^\)sh";/ {exit} on' "$header"; }
backup=$(script kBackupScript); restore=$(script kRestoreScript); drill=$(script kDrillScript)
suffix=$$; work=$(mktemp -d)
cleanup() {
  docker rm -f "bk-sqlite-app-$suffix" >/dev/null 2>&1 || true
  docker volume rm "bk-sqlite-$suffix" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
helper() { docker run --rm -i --label bk.test=sqlite -v "bk-sqlite-$suffix:/data" "$image" "$@"; }
q() { sqlite3 "$1" "$2"; }

for mode in wal delete; do
  docker rm -f "bk-sqlite-app-$suffix" >/dev/null 2>&1 || true
  docker volume rm "bk-sqlite-$suffix" >/dev/null 2>&1 || true
  docker volume create --label bk.test=sqlite "bk-sqlite-$suffix" >/dev/null
  docker run -d --name "bk-sqlite-app-$suffix" --label bk.test=sqlite -e JOURNAL_MODE=$mode \
    -v "bk-sqlite-$suffix:/data" "$image" >/dev/null
  # Wait for the app's first rows (no fixed sleep).
  for _ in $(seq 100); do
    n=$(helper sqlite3 /data/app.db ".timeout 2000" "SELECT count(*) FROM log" 2>/dev/null || true)
    [ "${n:-0}" -gt 0 ] && break
  done
  for i in $(seq "$backups"); do
    helper sh -c "$backup" sh /data/app.db >"$work/$i.db" 2>"$work/$i.err" ||
      fail "$mode backup $i: $(cat "$work/$i.err")"
    [ "$(q "$work/$i.db" 'PRAGMA integrity_check')" = ok ] || fail "$mode copy $i: integrity"
    items=$(q "$work/$i.db" 'SELECT count(*) FROM items'); log=$(q "$work/$i.db" 'SELECT count(*) FROM log')
    [ "$items" -eq $((5 * log)) ] || fail "$mode copy $i: $items items, $log log rows"
    grep -qx "backupctl-rows 6974656D73 $items" "$work/$i.err" || fail "$mode copy $i: items count"
    grep -qx "backupctl-rows 6C6F67 $log" "$work/$i.err" || fail "$mode copy $i: log count"
    [ "$(tail -1 "$work/$i.err")" = backupctl-rows-end ] || fail "$mode copy $i: no end line"
    echo "$mode backup $i: ok ($items items, $log transactions, $(stat -c %s "$work/$i.db") bytes)"
  done
  last=$work/$backups.db
  # The drill counts what the backup counted.
  helper sh -c "$drill" sh /tmp/drill.db <"$last" >"$work/drill.out" || fail "$mode drill"
  diff "$work/drill.out" "$work/$backups.err" >/dev/null || fail "$mode drill: other counts"
  docker stop "bk-sqlite-app-$suffix" >/dev/null
  before=$(helper md5sum /data/app.db)
  ! echo "not a database" | helper sh -c "$restore" sh /data/app.db 2>/dev/null ||
    fail "$mode: a text file restored"
  ! helper sh -c "$restore" sh /data/app.db </dev/null 2>/dev/null || fail "$mode: nothing restored"
  [ "$(helper md5sum /data/app.db)" = "$before" ] || fail "$mode: a failed restore changed the database"
  helper sh -c "$restore" sh /data/app.db <"$last" || fail "$mode restore"
  [ "$(helper sh -c 'ls -A /data')" = app.db ] || fail "$mode restore left $(helper ls -A /data)"
  docker start "bk-sqlite-app-$suffix" >/dev/null
  restored=$(q "$last" 'SELECT count(*) FROM log')
  for _ in $(seq 100); do
    n=$(helper sqlite3 /data/app.db ".timeout 2000" "SELECT count(*) FROM log" 2>/dev/null || true)
    [ "${n:-0}" -gt "$restored" ] && break
  done
  [ "${n:-0}" -gt "$restored" ] || fail "$mode: the app did not write after the restore"
  [ "$(helper sqlite3 /data/app.db ".timeout 2000" "PRAGMA journal_mode")" = $mode ] ||
    fail "$mode: journal mode after the restore"
  echo "$mode restore: ok (the app writes again from $restored transactions)"
done
echo "ok"
