#!/usr/bin/env bash
# Restore throughput on a PostgreSQL database, every comparison in pairs (bench/lib.sh: ROUNDS
# rounds, alternating who goes first, median of t_B/t_A and its spread). Every load goes into a
# fresh server of the same image, the server's start not counted:
#   R1 backupctl restore --new-container: the load step as the command reports it (`restore db`
#      in --json: its client container's start, the drop/create, restic dump -> operator ->
#      attach stdin of psql, the census check, the commit)
#   R2 the hand-written pipeline: restic dump | docker exec -i psql --single-transaction, into a
#      server started before the timing
#   R3 R1 through gpg (restic dump | gpg -d -> operator -> psql)
#   R4 the hand-written pipeline through gpg: restic dump | gpg -d | docker exec -i psql
# Comparisons: restore-plain (R1 vs R2), restore-gpg (R3 vs R4). The source tables are vacuumed
# (VACUUM FREEZE) after the load, before the one backup of each that all rounds restore.
# Single figures, not pairs: the operator's peak RSS in every backupctl restore, the whole
# command's wall time of R1/R3 (with the new server's start), and R5: one restore into the live
# target (--yes --no-safety-backup: check pass + drop/create + load), whole command.
# Usage: bench/restore_bench.sh [build dir] [rows=3000000 (about 290 MiB of SQL)]
#        environment: ROUNDS=3 BENCH_FIRST=alternate|A COMPARE="restore-plain restore-gpg" LIVE=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-3000000}
compare=${COMPARE:-restore-plain restore-gpg}
source "$root/bench/lib.sh"
. "$build/test-images.env"
work=$(mktemp -d /var/tmp/bk-rbench.XXXXXX)
tag=bench-restore
net=bkrbench_default
# The copies backupctl restore --new-container made of our two targets (no one else's).
rm_restored() {
  local t
  for t in bkrbench-db bkrbench-enc; do
    docker ps -aq --filter label=backupctl.restored-from=$t | xargs -r docker rm -f -v >/dev/null
  done
}
cleanup() {
  docker ps -aq --filter label=bk.test=$tag | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  rm_restored 2>/dev/null || true
  docker network rm $net >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup; mkdir -p "$work"
bin=$work/backupctl
cp "$build/src/backupctl" "$bin"
export BENCH_SUMMARY=$work/summary
: > "$BENCH_SUMMARY"
bench_machine
docker network create --label bk.test=$tag $net >/dev/null
start_db() {  # name [labels...]
  local name=$1; shift
  docker run -d --name "$name" --network $net --label bk.test=$tag "$@" \
    -e POSTGRES_PASSWORD=bench -e POSTGRES_DB=shop "$BK_TEST_POSTGRES_IMAGE" >/dev/null
  until docker exec "$name" pg_isready -q -h 127.0.0.1 -U postgres -d shop 2>/dev/null; do sleep 0.5; done
}
start_db bkrbench-db-1 --label com.docker.compose.project=bkrbench --label com.docker.compose.service=db \
  --label backupctl.enable=true --label backupctl.db.name=shop
start_db bkrbench-enc-1 --label com.docker.compose.project=bkrbench --label com.docker.compose.service=enc \
  --label backupctl.enable=true --label backupctl.db.name=shop --label backupctl.encrypt=bench
echo "loading $rows rows into both, then VACUUM FREEZE..."
for c in bkrbench-db-1 bkrbench-enc-1; do
  docker exec $c psql -q -U postgres -d shop -c \
    "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 60) AS payload FROM generate_series(1, $rows) g"
  docker exec $c psql -q -U postgres -d shop -c 'VACUUM (FREEZE, ANALYZE)'
done
export RESTIC_PASSWORD=bench-password RESTIC_REPOSITORY=$work/repo
gpghome=$work/gnupg; mkdir -m 700 "$gpghome"
gpg --homedir "$gpghome" --batch --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'bench <bench@example.test>' future-default default never >/dev/null 2>&1
gpg --homedir "$gpghome" --armor --export > "$work/pub.asc"
gpg --homedir "$gpghome" --armor --export-secret-keys > "$work/sec.asc"
cat > "$work/config.yml" <<YAML
state_dir: $work/state
repositories:
  default: {url: $work/repo, password: bench-password, init: true}
keys:
  bench: {public_key_file: $work/pub.asc, private_key_file: $work/sec.asc}
YAML
bk() { "$bin" --config "$work/config.yml" "$@"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }
bk run bkrbench-db >/dev/null
bk run bkrbench-enc >/dev/null
size=$(restic stats --json --mode restore-size --tag target:bkrbench-db latest | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_size"])')
echo "dump: $size bytes"
path_db=$(restic snapshots --json --tag target:bkrbench-db latest | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paths"][0])')
path_enc=$(restic snapshots --json --tag target:bkrbench-enc latest | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paths"][0])')

# The operator's peak RSS (VmHWM, sampled every 200 ms; restic, gpg are its children, apart).
sample_rss() {
  local pid=$1 peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  echo "$peak" > "$work/peak"
}
rss_all=() wall_all=()
# backupctl restore TARGET --new-container; bench_t = the load step's seconds from --json.
restore_bk() {
  local target=$1 out pid spid t0 t1
  out=$work/r-$(bench_now)
  t0=$(bench_now)
  "$bin" --config "$work/config.yml" restore "$target" --new-container --no-safety-backup --json \
    >"$out.json" 2>"$out.err" &
  pid=$!
  sample_rss $pid &
  spid=$!
  wait $pid || { sed 's/^/     /' "$out.err" >&2; wait $spid; return 1; }
  t1=$(bench_now)
  wait $spid
  rss_all+=("$(cat "$work/peak")") wall_all+=("$(secs "$t0" "$t1")")
  bench_t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["seconds"])' "$out.json") ||
    return 1
  rm_restored
}
# restic dump [| gpg -d] | docker exec -i psql into a server started by prep_fresh.
restore_pipe() {
  local enc=$1 t0 t1
  t0=$(bench_now)
  if [ "$enc" = 1 ]; then
    restic dump latest --tag target:bkrbench-enc "$path_enc" |
      gpg --homedir "$gpghome" --batch --quiet -d |
      docker exec -i bkrbench-fresh-1 psql -q -U postgres -d shop -v ON_ERROR_STOP=1 --single-transaction \
        >/dev/null || return 1
  else
    restic dump latest --tag target:bkrbench-db "$path_db" |
      docker exec -i bkrbench-fresh-1 psql -q -U postgres -d shop -v ON_ERROR_STOP=1 --single-transaction \
        >/dev/null || return 1
  fi
  t1=$(bench_now)
  bench_t=$(secs "$t0" "$t1")
  docker rm -f -v bkrbench-fresh-1 >/dev/null
}
prep_fresh() { [ "$1" = A ] || start_db bkrbench-fresh-1; }
export BENCH_PREP=prep_fresh
side_plain_bk() { restore_bk bkrbench-db; }
side_plain_pipe() { restore_pipe 0; }
side_gpg_bk() { restore_bk bkrbench-enc; }
side_gpg_pipe() { restore_pipe 1; }
for c in $compare; do
  echo "== $c =="
  case $c in
    restore-plain) bench_pairs "backupctl restore (load step)" side_plain_bk "restic dump | psql" side_plain_pipe ;;
    restore-gpg) bench_pairs "backupctl restore, gpg (load step)" side_gpg_bk "restic dump | gpg -d | psql" side_gpg_pipe ;;
    *) echo "unknown comparison $c" >&2; exit 2 ;;
  esac
done
unset BENCH_PREP

if [ "${LIVE:-1}" = 1 ]; then
  echo "== R5: restore into the live target (--yes --no-safety-backup), whole command, one run =="
  t0=$(bench_now)
  bk restore bkrbench-db --yes --no-safety-backup >"$work/r5.log" 2>&1
  echo "R5: $(secs "$t0" "$(bench_now)") s" | tee -a "$BENCH_SUMMARY"
fi

echo
echo "== summary (rows=$rows, dump $size bytes) =="
cat "$BENCH_SUMMARY"
[ ${#rss_all[@]} -eq 0 ] || {
  echo "operator peak RSS over ${#rss_all[@]} backupctl restores: $(printf '%s\n' "${rss_all[@]}" | sort -n | head -1)-$(printf '%s\n' "${rss_all[@]}" | sort -n | tail -1) KiB"
  echo "whole restore --new-container commands (with the new server's start): ${wall_all[*]} s"
}
bench_machine
