#!/usr/bin/env bash
# A large PostgreSQL dump backed up to an SFTP server (the test image tests/images/sftp: Debian's
# sshd, key-only, a chrooted sftp-only user `bk`, on a loopback port), in one run, in pairs
# (bench/lib.sh: alternating who goes first, median of t_B/t_A and its spread):
#   A  backupctl run (pg_dump container -> attach -> restic --stdin -> ssh -> sftp), repo-a
#   B  the shell pipeline with the same tools:
#      docker run --log-driver none ... pg_dump | restic -r sftp:... backup --stdin, repo-b
# Phases, all on the same data (loaded once, never reloaded):
#   vacuum    VACUUM FREEZE after the bulk load (sets hint bits and freezes the tuples, so no
#             measured dump rewrites the table), then one timed pg_dump to /dev/null: the dump
#             alone, for reference
#   cold      COLD pairs (at least 3) into fresh repositories (the first upload of the whole
#             dump), pair 1 in the order A B, pair 2 B A, ...; pair 1's repositories are
#             repo-a/repo-b of the rounds
#   rounds    ROUNDS pairs (at least 3), alternating who goes first, each a new snapshot of the
#             same data into repo-a / repo-b (restic deduplicates: after the first upload each
#             flow adds almost nothing)
#   profile   PROFILE=1 (and pidstat installed): one more cold pair into fresh repositories under
#             `pidstat -u 1`, CPU seconds per command; not part of the figures
# Ratio of a pair = t_B / t_A = backupctl's throughput relative to the pipeline's (goal >= 0.95).
# Both repositories are created with `restic init` before their first measured run, outside the
# timing. The pipeline's ssh command is the one backupctl builds (docs/backends.md), spelled out.
# Usage: bench/sftp_bench.sh [build dir] [rows=20000000 (about 1.9 GiB of SQL)]
#        environment: ROUNDS=5 COLD=3 PROFILE=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-20000000}
rounds=${ROUNDS:-5}
cold=${COLD:-3}
profile=${PROFILE:-1}
. "$build/test-images.env"
source "$root/bench/lib.sh"
work=$(mktemp -d /var/tmp/bk-sftp-bench.XXXXXX)
tag=bench-sftp
net=bksftp_default
db=bksftp-db-1
sftp=bksftp-sftp-1
cleanup() {
  docker ps -aq --filter label=bk.test=$tag | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network rm $net >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup; mkdir -p "$work"
# A copy of the binary: the same one for every run, whatever happens to the build dir meanwhile.
bin=$work/backupctl
cp "$build/src/backupctl" "$bin"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), other running containers:" \
  "$(docker ps -q | wc -l)"
echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
  "restic: $(restic version | cut -d' ' -f2), ssh: $(ssh -V 2>&1 | cut -d, -f1)"
echo "binary: $build/src/backupctl of $(date -u -r "$build/src/backupctl" '+%F %T') UTC," \
  "sha256 $(sha256sum "$bin" | cut -c1-12)"

# The SFTP server: a fresh host key per container, pinned with ssh-keyscan; a free port by Docker.
ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/id"
docker run -d --name $sftp --label bk.test=$tag -p 127.0.0.1::22 \
  -e SFTP_AUTHORIZED_KEY="$(cat "$work/id.pub")" "$BK_TEST_SFTP_IMAGE" >/dev/null
port=$(docker port $sftp 22/tcp | head -1 | sed 's/.*://')
for _ in $(seq 60); do
  ssh-keyscan -T 2 -t ed25519 -p "$port" 127.0.0.1 2>/dev/null > "$work/known_hosts" || true
  grep -q ssh-ed25519 "$work/known_hosts" && break
  sleep 0.5
done
grep -q ssh-ed25519 "$work/known_hosts" || { echo "sftp server did not answer"; docker logs $sftp; exit 1; }
echo "sftp server on 127.0.0.1:$port"
sshcmd="ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$work/known_hosts"
sshcmd+=" -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=15 -o ServerAliveInterval=5"
sshcmd+=" -o ServerAliveCountMax=3 -i $work/id -o IdentitiesOnly=yes -p $port -l bk -s 127.0.0.1 sftp"

# The database: compose labels make the target `bksftp-db`; its backups go to repository `box`.
docker network create --label bk.test=$tag $net >/dev/null
docker run -d --name $db --network $net --network-alias db --label bk.test=$tag \
  --label com.docker.compose.project=bksftp --label com.docker.compose.service=db \
  --label backupctl.enable=true --label backupctl.db.name=shop --label backupctl.repository=box \
  -e POSTGRES_PASSWORD=bench -e POSTGRES_DB=shop "$BK_TEST_POSTGRES_IMAGE" >/dev/null
until docker exec $db pg_isready -q -h 127.0.0.1 -U postgres -d shop 2>/dev/null; do sleep 0.5; done
echo "loading $rows rows..."
t0=$(date +%s)
docker exec $db psql -q -U postgres -d shop -c \
  "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 60) AS payload FROM generate_series(1, $rows) g"
echo "loaded in $(( $(date +%s) - t0 )) s"
docker exec $db psql -q -U postgres -d shop -c 'VACUUM (FREEZE, ANALYZE)'

export RESTIC_PASSWORD=bench-password
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | awk '{printf "%.2f", $1}'; }
dump() {
  docker run --rm --log-driver none --network $net -e PGPASSWORD=bench --label bk.test=$tag \
    "$BK_TEST_POSTGRES_IMAGE" pg_dump -h db -U postgres -d shop
}

echo "reference: pg_dump | wc -c (the dump alone, no upload)"
t0=$(now); dump_bytes=$(dump | wc -c); t1=$(now)
echo "   $(secs $t0 $t1) s, dump $dump_bytes bytes ($(echo "$dump_bytes / 1073741824" | bc -l | cut -c1-5) GiB)"
[ "$dump_bytes" -ge 1073741824 ] || echo "   WARNING: the dump is smaller than 1 GiB"

rrestic() { restic -r "sftp:bk@127.0.0.1:/data/$1" -o sftp.command="$sshcmd" --cache-dir "$work/cache-restic" "${@:2}"; }
repo_bytes() { docker exec $sftp du -sb "/srv/chroot/data/$1" | cut -f1; }
snap_bytes() { rrestic "$1" stats latest --json | sed 's/.*"total_size":\([0-9]*\).*/\1/'; }

# A: backupctl into /data/<repo>. Prints "seconds peak_rss_kib"; the operator's own VmHWM (restic
# and ssh are its children, not counted), sampled every 200 ms.
run_a() {
  local repo=$1 log=$work/a-$1-$(date +%s%N).log
  cat > "$work/config.yml" <<YAML
state_dir: $work/state
repositories:
  box:
    url: sftp:bk@127.0.0.1:/data/$repo
    password: bench-password
    init: true
    ssh: {key_file: $work/id, port: $port, known_hosts_file: $work/known_hosts}
YAML
  local t0 t1 pid peak=0 rss
  t0=$(now)
  "$bin" --config "$work/config.yml" run bksftp-db >"$log" 2>&1 &
  pid=$!
  while kill -0 $pid 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait $pid || { sed 's/^/     /' "$log" >&2; return 1; }
  t1=$(now)
  grep -q 'shop: ok, snapshot' "$log" || { sed 's/^/     /' "$log" >&2; return 1; }
  echo "$(secs $t0 $t1) $peak"
}
# B: the shell pipeline into /data/<repo>. Prints "seconds".
run_b() {
  local repo=$1 t0 t1
  t0=$(now)
  dump | restic -r "sftp:bk@127.0.0.1:/data/$repo" -o sftp.command="$sshcmd" \
    --cache-dir "$work/cache-b" backup --stdin --stdin-filename shop.sql --host bench >/dev/null ||
    return 1
  t1=$(now)
  echo "$(secs $t0 $t1)"
}
# One measured run: flow (A|B), repository; prints a line and sets last_t; fails if the run did.
measure() {
  local flow=$1 repo=$2 before after out t rss="" bytes
  before=$(repo_bytes "$repo")
  if [ "$flow" = A ]; then
    out=$(run_a "$repo") || { echo "   $flow $repo FAILED (above); the run is discarded"; return 1; }
    t=${out% *}; rss=${out#* }
  else
    t=$(run_b "$repo") || { echo "   $flow $repo FAILED; the run is discarded"; return 1; }
  fi
  after=$(repo_bytes "$repo")
  bytes=$(snap_bytes "$repo")
  printf '   %s %-7s %7s s  %5.1f MiB/s  snapshot %s bytes  repository +%s bytes%s\n' "$flow" "$repo" \
    "$t" "$(echo "$bytes / 1048576 / $t" | bc -l)" "$bytes" "$(( after - before ))" \
    "${rss:+  operator peak RSS $rss KiB}"
  last_t=$t
}
fresh() {
  for r in "$@"; do docker exec $sftp rm -rf "/srv/chroot/data/$r"; rrestic "$r" init >/dev/null 2>&1; done
}
# Every `backupctl run` first removes the backupctl.ephemeral containers of instances it does not
# find alive in its own state_dir, i.e. also those of other operators (tests) on the same engine,
# and theirs remove ours: before each run, wait (at most 10 min) until no such container exists.
# A run that failed (e.g. a dump container removed by someone else) is discarded and tried again
# (into a fresh repository again when the phase is cold), at most 5 times.
discarded=0
quiet_engine() {
  local i
  for i in $(seq 600); do
    [ -z "$(docker ps -aq --filter label=backupctl.ephemeral)" ] && return 0
    [ "$i" = 1 ] && echo "   (waiting for other operators' backupctl.ephemeral containers to go)"
    sleep 1
  done
}
# The repository of a side (A|B) in a round of the current phase.
repo_for() {
  if [ "$phase" = rounds ] || [ "$2" = 1 ]; then echo "repo-${1,,}"; else echo "cold-${1,,}$2"; fi
}
side() {  # A|B round: one measured run, retried; sets bench_t to the run's own time
  local repo
  repo=$(repo_for "$1" "$2")
  for _ in 1 2 3 4 5; do
    quiet_engine
    [ "$phase" = cold ] && fresh "$repo"
    measure "$1" "$repo" && { bench_t=$last_t; return 0; }
    discarded=$((discarded + 1))
  done
  echo "five tries failed"; return 1
}

export BENCH_SUMMARY=$work/summary
: > "$BENCH_SUMMARY"
ratios() { echo "ratio = t_pipeline / t_backupctl = backupctl's throughput relative to the pipeline's; goal >= 0.95"; }
phase=cold
echo "cold: fresh repositories ($(ratios))"
ROUNDS=$cold bench_pairs "backupctl run, cold" side "pg_dump | restic, cold" side
for p in $(seq 2 "$cold"); do docker exec $sftp rm -rf "/srv/chroot/data/cold-a$p" "/srv/chroot/data/cold-b$p"; done
phase=rounds
echo "rounds: repo-a / repo-b hold the same data already ($(ratios))"
ROUNDS=$rounds bench_pairs "backupctl run, unchanged" side "pg_dump | restic, unchanged" side
echo "summary:"
cat "$BENCH_SUMMARY"
echo "runs discarded because they failed: $discarded"

if [ "$profile" = 1 ] && command -v pidstat >/dev/null; then
  echo
  echo "profile: one more cold pair into fresh repositories under pidstat -u 1 (not in the figures)"
  fresh prof-a prof-b
  for flow in A B; do
    quiet_engine
    pidstat -u -h 1 > "$work/pidstat-$flow.txt" 2>/dev/null &
    ppid=$!
    if [ $flow = A ]; then measure A prof-a || true; else measure B prof-b || true; fi
    kill $ppid; wait $ppid 2>/dev/null || true
    echo "   $flow: CPU seconds by command (sum of 1 s samples), top 8:"
    awk '!/^#/ && NF >= 10 {cpu[$NF] += $8 / 100} END {for (c in cpu) printf "%8.1f %s\n", cpu[c], c}' \
      "$work/pidstat-$flow.txt" | sort -rn | head -8 | sed 's/^/     /'
  done
fi
