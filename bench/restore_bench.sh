#!/usr/bin/env bash
# Restore throughput on a large PostgreSQL database, in one run, each load into a fresh server of
# the same image (server start not counted):
#   R1 backupctl restore --new-container: the load step (restic dump -> operator -> attach stdin
#      of a psql client container, census check, commit), operator peak RSS
#   R2 the hand-written pipeline: restic dump | docker exec -i psql --single-transaction
#   R3 backupctl through gpg (restic dump | gpg -d -> operator -> psql)
#   R4 the hand-written pipeline through gpg: restic dump | gpg -d | docker exec -i psql
#   R5 backupctl restore into the live target (--yes --no-safety-backup): check pass + load
# Usage: bench/restore_bench.sh [build dir] [rows=5000000 (about 530 MiB of SQL)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-5000000}
. "$build/test-images.env"
bin=$build/src/backupctl
work=$(mktemp -d /var/tmp/bk-rbench.XXXXXX)
tag=bench-restore
net=bkrbench_default
cleanup() {
  docker ps -aq --filter label=bk.test=$tag | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker ps -aq --filter label=backupctl.restored-from | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network rm $net >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup; mkdir -p "$work"
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
echo "loading $rows rows into both..."
for c in bkrbench-db-1 bkrbench-enc-1; do
  docker exec $c psql -q -U postgres -d shop -c \
    "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 60) AS payload FROM generate_series(1, $rows) g"
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
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | cut -c1-6; }
bk run bkrbench-db >/dev/null
bk run bkrbench-enc >/dev/null
size=$(restic stats --json --mode restore-size --tag target:bkrbench-db latest | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_size"])')
echo "dump: $size bytes"

# The operator's peak RSS while it runs (children measured apart).
peak_of() {
  local pid=$1 peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  echo "$peak"
}
load_seconds() { python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["items"][0]["seconds"],2))' "$1"; }

"$bin" --config "$work/config.yml" restore bkrbench-db --new-container --no-safety-backup --json >"$work/r1.json" 2>"$work/r1.err" &
r1_rss=$(peak_of $!)
r1=$(load_seconds "$work/r1.json")
docker ps -aq --filter label=backupctl.restored-from | xargs -r docker rm -f -v >/dev/null

start_db bkrbench-fresh-1
path=$(restic snapshots --json --tag target:bkrbench-db latest | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paths"][0])')
t0=$(now)
restic dump latest --tag target:bkrbench-db "$path" |
  docker exec -i bkrbench-fresh-1 psql -q -U postgres -d shop -v ON_ERROR_STOP=1 --single-transaction >/dev/null
r2=$(secs "$t0" "$(now)")
docker rm -f -v bkrbench-fresh-1 >/dev/null

"$bin" --config "$work/config.yml" restore bkrbench-enc --new-container --no-safety-backup --json >"$work/r3.json" 2>"$work/r3.err" &
r3_rss=$(peak_of $!)
r3=$(load_seconds "$work/r3.json")
docker ps -aq --filter label=backupctl.restored-from | xargs -r docker rm -f -v >/dev/null

start_db bkrbench-fresh-1
epath=$(restic snapshots --json --tag target:bkrbench-enc latest | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["paths"][0])')
t0=$(now)
restic dump latest --tag target:bkrbench-enc "$epath" |
  gpg --homedir "$gpghome" --batch --quiet -d |
  docker exec -i bkrbench-fresh-1 psql -q -U postgres -d shop -v ON_ERROR_STOP=1 --single-transaction >/dev/null
r4=$(secs "$t0" "$(now)")
docker rm -f -v bkrbench-fresh-1 >/dev/null

t0=$(now)
bk restore bkrbench-db --yes --no-safety-backup >"$work/r5.log" 2>&1
r5=$(secs "$t0" "$(now)")

ratio() { echo "$1 / $2" | bc -l | cut -c1-4; }
cat <<OUT
rows=$rows dump=$size bytes
R1 backupctl restore (load step)        ${r1} s   operator peak RSS ${r1_rss} KiB
R2 restic dump | psql                   ${r2} s   backupctl/shell speed: $(ratio "$r2" "$r1")x
R3 backupctl restore through gpg        ${r3} s   operator peak RSS ${r3_rss} KiB
R4 restic dump | gpg -d | psql          ${r4} s   backupctl/shell speed: $(ratio "$r4" "$r3")x
R5 backupctl restore into the live target (check pass + drop/create + load): ${r5} s
OUT
