#pragma once
// The shell scripts of the Redis kind's client containers, each run as
//   sh -c SCRIPT sh ARG...
// in a container of the target's own image (redis-cli, sh, head, stat, chown, mv: the official
// image, Debian or Alpine, has them), so nothing from labels or the config is ever interpolated
// into a script: host, port, user, paths and lengths are positional arguments.
// The password is never in argv or the environment: the engine writes it as a 0600 file,
// /tmp/backupctl.redis-pass, before the container starts; the script reads it into an unexported
// variable and hands it to each redis-cli on a pipe from printf (a builtin: no argv either) read
// by --askpass. No file or an empty line: no password.
// Measured with Debian's redis 7.0.15 (tests/images/redis) on 2026-12-07:
//  - redis-cli exits 1 when --rdb fails (wrong or missing password, unreachable server), but 0
//    after an error reply to an ordinary command (INFO, PING, CONFIG): those replies are checked.
//  - --rdb works against a server in AOF-only mode (--appendonly yes --save ''): the replication
//    sync makes the RDB.
//  - With the default repl-diskless-sync yes the stream ends with the 40-byte EOF mark after the
//    RDB (RdbCheck); redis-server loads such a dump.rdb.
//  - redis-cli does not buffer: 1 GB through --rdb - in a client container peaked at 4.3 MB of
//    cgroup memory.

#include <string_view>

namespace bk::databases::redis {

/// The dump. Args: HOST PORT [USER]; the password in /tmp/backupctl.redis-pass.
/// stdout: the RDB exactly as the server sent it (RdbCheck). stderr: backupctl-keyspace-before,
/// INFO keyspace, redis-cli's progress, backupctl-keyspace-after, INFO keyspace,
/// backupctl-keyspace-end (RdbCheck::feed_messages takes the counts from it), and a
/// backupctl-error: or backupctl-note: line. Exit 0 only when every step worked.
inline constexpr std::string_view kDumpScript = R"sh(
set -u
host=$1 port=$2 user=${3:-}
pass=
# The password: a 0600 file the engine writes before the start (absent: none).
if [ -f /tmp/backupctl.redis-pass ]; then IFS= read -r pass </tmp/backupctl.redis-pass || true; fi
cli() {
  set -- -h "$host" -p "$port" "$@"
  if [ -n "$user" ]; then set -- --user "$user" "$@"; fi
  if [ -z "$pass" ]; then redis-cli "$@" </dev/null; return; fi
  # --askpass reads the password from stdin: it is never in argv or the environment.
  printf '%s\n' "$pass" | redis-cli --askpass --no-auth-warning "$@"
}
# redis-cli exits 0 on an error reply (NOAUTH, WRONGPASS): the reply itself is checked.
keyspace() {
  out=$(cli INFO keyspace 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
  case $out in
    "# Keyspace"*) printf '%s\n' "$out" >&2 ;;
    *) printf 'backupctl-error: INFO keyspace: %s\n' "$out" >&2; exit 1 ;;
  esac
}
# A password sent to a server that has none makes --rdb fail ("AUTH failed: ERR AUTH <password>
# called without any password configured"); such a server is dumped without it.
if [ -n "$pass" ]; then
  case $(cli PING 2>&1) in
    *"without any password configured"*)
      echo "backupctl-note: the server has no password: the configured one is not sent" >&2
      pass= ;;
  esac
fi
echo backupctl-keyspace-before >&2
keyspace
cli --rdb - || { echo "backupctl-error: redis-cli --rdb failed" >&2; exit 1; }
echo backupctl-keyspace-after >&2
keyspace
echo backupctl-keyspace-end >&2
)sh";

// Not used yet: kConfigScript and kRestoreWriteScript are the restore into the server (measured
// by hand against real containers; the engine refuses that restore in this version, see
// docs/restore.md).

/// Where the target keeps its data, asked before it is stopped for a restore. Args: HOST PORT
/// [USER]; the password in /tmp/backupctl.redis-pass. stdout: CONFIG GET's reply for dir,
/// dbfilename, appendonly, appenddirname and appendfilename: names and values on alternate lines,
/// in the server's order. Exit 1 with a backupctl-error: line when CONFIG is unavailable, e.g.
/// renamed away
/// (`rename-command CONFIG ""`: "ERR unknown command 'CONFIG', with args beginning with: ..."),
/// or the password is wrong; the restore then needs the paths from elsewhere (db.path).
inline constexpr std::string_view kConfigScript = R"sh(
set -u
host=$1 port=$2 user=${3:-}
pass=
# The password: a 0600 file the engine writes before the start (absent: none).
if [ -f /tmp/backupctl.redis-pass ]; then IFS= read -r pass </tmp/backupctl.redis-pass || true; fi
cli() {
  set -- -h "$host" -p "$port" "$@"
  if [ -n "$user" ]; then set -- --user "$user" "$@"; fi
  if [ -z "$pass" ]; then redis-cli "$@" </dev/null; return; fi
  # --askpass reads the password from stdin: it is never in argv or the environment.
  printf '%s\n' "$pass" | redis-cli --askpass --no-auth-warning "$@"
}
if [ -n "$pass" ]; then
  case $(cli PING 2>&1) in
    *"without any password configured"*) pass= ;;
  esac
fi
out=$(cli CONFIG GET dir dbfilename appendonly appenddirname appendfilename 2>&1) || { printf '%s\n' "$out" >&2; exit 1; }
# An error reply (CONFIG renamed away, NOAUTH, NOPERM) exits 0 and echoes the arguments: only a
# reply that starts with a parameter's name is one.
case $out in
  dir*|dbfilename*|appendonly*|appenddirname*|appendfilename*) printf '%s\n' "$out" | tr -d '\r' ;;
  *) printf 'backupctl-error: CONFIG GET: %s\n' "$out" >&2; exit 1 ;;
esac
)sh";

/// Writes the snapshot into the stopped target's data directory, in a helper container of its
/// image run with --volumes-from the target, as root (the server's entrypoint, or this script's
/// chown, gives the files to the directory's owner). Args: DIR DBFILENAME APPENDONLY
/// APPENDDIRNAME APPENDFILENAME RDB_BYTES (kConfigScript's values and RdbCheck::rdb_bytes() of
/// the snapshot); stdin: the snapshot. appendonly no: DIR/DBFILENAME is replaced (tmp + rename).
/// appendonly yes: a new DIR/APPENDDIRNAME holds the RDB as its base and an empty incr file; the
/// old one is kept as APPENDDIRNAME.before-restore (one; the previous one goes). Exit 1 with a
/// backupctl-error: line when DIR is not there (the engine must also check that DIR is a mount
/// of the target: --volumes-from gives the helper an empty /data of its own image otherwise), a
/// name is not a plain file name, or stdin ended before RDB_BYTES.
inline constexpr std::string_view kRestoreWriteScript = R"sh(
set -eu
umask 077
dir=$1 dbfilename=$2 appendonly=$3 appenddirname=$4 appendfilename=$5 rdb_bytes=$6
fail() { printf 'backupctl-error: %s\n' "$*" >&2; exit 1; }
[ -d "$dir" ] || fail "no directory $dir in the target's volumes"
for name in "$dbfilename" "$appenddirname" "$appendfilename"; do
  case $name in ''|.|..|*[!A-Za-z0-9._-]*) fail "unexpected file name: $name" ;; esac
done
case $rdb_bytes in ''|*[!0-9]*) fail "not a length: $rdb_bytes" ;; esac
owner=$(stat -c %u:%g "$dir")
tmp=$dir/.backupctl-restore.rdb
# Only the RDB: an AOF base file followed by the diskless EOF mark stops the server from starting
# ("Bad file format reading the append only file"). The rest is read so the writer sees no EPIPE.
{ head -c "$rdb_bytes"; cat >/dev/null; } > "$tmp"
[ "$(stat -c %s "$tmp")" = "$rdb_bytes" ] || { rm -f "$tmp"; fail "the RDB was cut short"; }
chown "$owner" "$tmp"
# With appendonly yes, Redis 7 loads only the AOF directory and ignores dump.rdb; without that
# directory it starts empty and makes a new empty one. The RDB becomes the base of a new AOF.
if [ "$appendonly" = yes ]; then
  aof=$dir/$appenddirname
  new=$dir/.backupctl-restore.aof
  rm -rf "$new"
  mkdir "$new"
  mv "$tmp" "$new/$appendfilename.1.base.rdb"
  : > "$new/$appendfilename.1.incr.aof"
  printf 'file %s seq 1 type b\nfile %s seq 1 type i\n' \
    "$appendfilename.1.base.rdb" "$appendfilename.1.incr.aof" > "$new/$appendfilename.manifest"
  chown -R "$owner" "$new"
  chmod 700 "$new"
  if [ -e "$aof" ]; then
    rm -rf "$aof.before-restore"
    mv "$aof" "$aof.before-restore"
  fi
  mv "$new" "$aof"
else
  mv -f "$tmp" "$dir/$dbfilename"
fi
)sh";

/// The dry run's probe: the server answers PING with these credentials. Args: HOST PORT [USER].
inline constexpr std::string_view kProbeScript = R"sh(
set -u
host=$1 port=$2 user=${3:-}
pass=
if [ -f /tmp/backupctl.redis-pass ]; then IFS= read -r pass </tmp/backupctl.redis-pass || true; fi
set -- -h "$host" -p "$port"
if [ -n "$user" ]; then set -- --user "$user" "$@"; fi
if [ -z "$pass" ]; then out=$(redis-cli "$@" PING 2>&1 </dev/null)
else out=$(printf '%s\n' "$pass" | redis-cli --askpass --no-auth-warning "$@" PING 2>&1); fi
case $out in
  PONG*) ;;
  *"without any password configured"*) ;;
  *) printf 'backupctl-error: PING: %s\n' "$out" >&2; exit 1 ;;
esac
)sh";

/// The drill in one session, in a container of the target's own image with no network: the
/// snapshot on stdin becomes /tmp's dump.rdb, a redis-server of that image loads it on a unix
/// socket only (saving nothing), and once it has loaded, its INFO keyspace goes to stdout between
/// the markers the dump wrote (RdbCheck::feed_messages reads both). A server that rejects the
/// RDB exits: its log's last lines go to stderr.
inline constexpr std::string_view kDrillSessionScript = R"sh(
set -u
work=$(mktemp -d)
trap 'redis-cli -s "$work/s" SHUTDOWN NOSAVE >/dev/null 2>&1 </dev/null; rm -rf "$work"' EXIT
cat > "$work/dump.rdb"
if [ ! -s "$work/dump.rdb" ]; then echo "backupctl-error: the snapshot is empty" >&2; exit 1; fi
redis-server --port 0 --unixsocket "$work/s" --dir "$work" --dbfilename dump.rdb --save '' \
  --appendonly no --daemonize yes --logfile "$work/log" </dev/null >/dev/null 2>&1 || true
tries=3000
while :; do
  if info=$(redis-cli -s "$work/s" INFO persistence 2>&1 </dev/null); then
    case $info in *"loading:0"*) break ;; esac
  fi
  if grep -q -e 'Short read' -e 'Bad file format' -e 'aborting' -e 'Fatal' "$work/log" 2>/dev/null; then
    echo "backupctl-error: redis-server did not load the snapshot:" >&2; tail -5 "$work/log" >&2; exit 1
  fi
  tries=$((tries - 1))
  if [ "$tries" -le 0 ]; then
    echo "backupctl-error: redis-server did not finish loading" >&2; tail -5 "$work/log" >&2; exit 1
  fi
  sleep 0.2
done
out=$(redis-cli -s "$work/s" INFO keyspace 2>&1 </dev/null) || { printf '%s\n' "$out" >&2; exit 1; }
case $out in "# Keyspace"*) ;; *) printf 'backupctl-error: INFO keyspace: %s\n' "$out" >&2; exit 1 ;; esac
printf 'backupctl-keyspace-before\n%s\nbackupctl-keyspace-after\n%s\nbackupctl-keyspace-end\n' "$out" "$out"
)sh";

}  // namespace bk::databases::redis
