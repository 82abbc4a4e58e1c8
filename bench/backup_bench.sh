#!/usr/bin/env bash
# The backup run end to end on a large PostgreSQL database, in one run:
#   A  backupctl run (pg_dump container -> attach -> restic --stdin), operator peak RSS
#   B  the hand-written shell pipeline with the same tools:
#      docker run --log-driver none ... pg_dump | restic backup --stdin
#   C  a temp-file flow: pg_dump > file; gzip; gpg; restic backup file
#   E  the same database backed up again by backupctl without gpg: bytes added to the repository
#   F  backupctl run through gpg;  G  the shell pipeline through gpg (same key, --compress-algo none)
#   H  the unchanged database again under strace -f: every file the operator and its children
#      created or opened for writing outside the repository and restic's cache
# Usage: bench/backup_bench.sh [build dir] [rows=20000000 (about 2.1 GiB of SQL)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-20000000}
. "$build/test-images.env"
bin=$build/src/backupctl
work=$(mktemp -d /var/tmp/bk-bench.XXXXXX)
tag=bench-backup
net=bkbench_default
cleanup() {
  docker ps -aq --filter label=bk.test=$tag | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network rm $net >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup; mkdir -p "$work"
docker network create --label bk.test=$tag $net >/dev/null
docker run -d --name bkbench-db-1 --network $net --network-alias db --label bk.test=$tag \
  --label com.docker.compose.project=bkbench --label com.docker.compose.service=db \
  --label backupctl.enable=true --label backupctl.db.name=shop \
  -e POSTGRES_PASSWORD=bench -e POSTGRES_DB=shop "$BK_TEST_POSTGRES_IMAGE" >/dev/null
until docker exec bkbench-db-1 pg_isready -q -h 127.0.0.1 -U postgres -d shop 2>/dev/null; do sleep 0.5; done
echo "loading $rows rows..."
t0=$(date +%s)
docker exec bkbench-db-1 psql -q -U postgres -d shop -c \
  "CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 60) AS payload FROM generate_series(1, $rows) g"
echo "loaded in $(( $(date +%s) - t0 )) s"

export RESTIC_PASSWORD=bench-password
gpghome=$work/gnupg; mkdir -m 700 "$gpghome"
gpg --homedir "$gpghome" --batch --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'bench <bench@example.test>' future-default default never >/dev/null 2>&1
gpg --homedir "$gpghome" --armor --export > "$work/pub.asc"
cat > "$work/config.yml" <<YAML
state_dir: $work/state
repositories:
  default: {url: $work/repo-a, password: bench-password, init: true}
keys:
  bench: {public_key_file: $work/pub.asc}
YAML
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | cut -c1-6; }

# Peak RSS of the operator process alone (restic and gpg are its children, measured apart).
run_backupctl() {
  local log=$1; shift
  "$bin" --config "$work/config.yml" "$@" >"$log" 2>&1 &
  local pid=$! peak=0 rss
  while kill -0 $pid 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait $pid
  echo "$peak"
}

echo "A: backupctl run (no gpg)"
t0=$(now); peakA=$(run_backupctl "$work/a.log" run bkbench-db); t1=$(now)
bytes=$(grep -o 'shop: ok, snapshot [0-9a-f]*, [0-9.]* [KMG]iB' "$work/a.log" || true)
echo "   $(secs $t0 $t1) s, operator peak RSS ${peakA} KiB, $bytes"

echo "B: shell pipeline (docker run pg_dump | restic backup --stdin)"
restic -r "$work/repo-b" init >/dev/null 2>&1
t0=$(now)
docker run --rm --log-driver none --network $net -e PGPASSWORD=bench --label bk.test=$tag \
  "$BK_TEST_POSTGRES_IMAGE" pg_dump -h db -U postgres -d shop |
  restic -r "$work/repo-b" backup --stdin --stdin-filename shop.sql --host bench >/dev/null
t1=$(now); echo "   $(secs $t0 $t1) s"

echo "C: temp-file flow (pg_dump > file; gzip; gpg; restic backup file)"
restic -r "$work/repo-c" init >/dev/null 2>&1
t0=$(now)
docker run --rm --log-driver none --network $net -e PGPASSWORD=bench --label bk.test=$tag \
  "$BK_TEST_POSTGRES_IMAGE" pg_dump -h db -U postgres -d shop > "$work/shop.sql"
gzip -1 "$work/shop.sql"
gpg --homedir "$gpghome" --batch --yes --recipient-file "$work/pub.asc" -o "$work/shop.sql.gz.gpg" --encrypt "$work/shop.sql.gz"
restic -r "$work/repo-c" backup "$work/shop.sql.gz.gpg" --host bench >/dev/null
t1=$(now); echo "   $(secs $t0 $t1) s"
rm -f "$work/shop.sql.gz" "$work/shop.sql.gz.gpg"

echo "E: the unchanged database again, no gpg"
before=$(du -sb "$work/repo-a" | cut -f1)
t0=$(now); peakE=$(run_backupctl "$work/e.log" run bkbench-db); t1=$(now)
after=$(du -sb "$work/repo-a" | cut -f1)
echo "   $(secs $t0 $t1) s, repository grew by $(( after - before )) bytes"

echo "F: backupctl run through gpg"
sed "s|^keys:|defaults: {encrypt: bench}\nkeys:|; s|repo-a|repo-f|" "$work/config.yml" > "$work/config-f.yml"
cp "$work/config.yml" "$work/config-a.yml"; cp "$work/config-f.yml" "$work/config.yml"
t0=$(now); peakF=$(run_backupctl "$work/f.log" run bkbench-db); t1=$(now)
cp "$work/config-a.yml" "$work/config.yml"
echo "   $(secs $t0 $t1) s, operator peak RSS ${peakF} KiB ($(grep -o 'snapshot [0-9a-f]*' "$work/f.log" || echo FAILED))"

echo "G: shell pipeline through gpg (pg_dump | gpg --encrypt | restic backup --stdin)"
restic -r "$work/repo-g" init >/dev/null 2>&1
t0=$(now)
docker run --rm --log-driver none --network $net -e PGPASSWORD=bench --label bk.test=$tag \
  "$BK_TEST_POSTGRES_IMAGE" pg_dump -h db -U postgres -d shop |
  gpg --homedir "$gpghome" --batch --yes --trust-model always --recipient-file "$work/pub.asc" \
      --compress-algo none --encrypt |
  restic -r "$work/repo-g" backup --stdin --stdin-filename shop.sql.gpg --host bench >/dev/null
t1=$(now); echo "   $(secs $t0 $t1) s"

echo "H: files written outside the repository (strace -f of backupctl run, unchanged database)"
command -v strace >/dev/null || apt-get install -y -qq strace >/dev/null
strace -f --seccomp-bpf -e trace=open,openat,creat,mkdir,mkdirat,rename,renameat2 \
  -o "$work/trace.txt" "$bin" --config "$work/config.yml" run bkbench-db >"$work/h.log" 2>&1
# Paths opened with O_CREAT or O_WRONLY/O_RDWR, and directories made, outside the repository,
# restic's cache and /dev, /proc.
grep -E 'O_CREAT|O_WRONLY|O_RDWR|mkdir' "$work/trace.txt" | grep -v ' = -1 ' |
  grep -oE '"[^"]+"' | tr -d '"' | sort -u |
  grep -vE "^$work/repo-a|^$work/state/cache|^/dev/|^/proc/" > "$work/written.txt" || true
left=$(find "$work/state/tmp" -type f 2>/dev/null | wc -l)
echo "   $(wc -l < "$work/written.txt") path(s):"
sed 's/^/     /' "$work/written.txt"
echo "   files left in restic's TMPDIR ($work/state/tmp) afterwards: $left"
