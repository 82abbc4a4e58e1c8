#!/usr/bin/env bash
# The backup run end to end on a PostgreSQL database, every comparison in pairs (bench/lib.sh:
# ROUNDS rounds, alternating who goes first, median of t_B/t_A and its spread):
#   A  backupctl run (pg_dump container -> attach -> restic backup --stdin)
#   B  the shell pipeline with the same tools:
#      docker run --log-driver none ... pg_dump | restic backup --stdin
#   F  backupctl run through gpg (defaults: {encrypt: bench})
#   G  the shell pipeline through the same gpg:
#      pg_dump | gpg --encrypt --compress-algo none | restic backup --stdin
#   C  a temp-file flow: pg_dump > file; gzip -1; gpg --encrypt; restic backup file
# in two regimes:
#   first      each run into an empty repository of its own (created with `restic init` before
#              the run, outside the timing): the whole dump is uploaded
#   unchanged  each side into its own repository that already holds a snapshot of the same data
#              (made by that side before the rounds, not timed): restic deduplicates
# Comparisons (COMPARE, space separated; default all):
#   first-plain (A vs B)  first-gpg (F vs G)  first-tempfile (F vs C)
#   unchanged-plain (A vs B)  unchanged-gpg (F vs G; gpg's output differs on every run, so
#   restic deduplicates nothing of it: an upload of the whole dump into a repository that has one)
# After the load the table is vacuumed (VACUUM FREEZE: hint bits set and tuples frozen before the
# first measured dump, so no run pays for rewriting the table). Then, single figures, not pairs:
# the dump alone (pg_dump | wc -c), the operator's peak RSS in every backupctl run, the bytes an
# unchanged backup adds to the repository, and (STRACE=1, default) the files a run writes outside
# the repository (strace -f).
# Usage: bench/backup_bench.sh [build dir] [rows=3000000 (about 290 MiB of SQL)]
#        environment: ROUNDS=3 BENCH_FIRST=alternate|A COMPARE="..." STRACE=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
rows=${2:-3000000}
compare=${COMPARE:-first-plain first-gpg first-tempfile unchanged-plain unchanged-gpg}
source "$root/bench/lib.sh"
. "$build/test-images.env"
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
# A copy of the binary: the same one for every run, whatever happens to the build dir meanwhile.
bin=$work/backupctl
cp "$build/src/backupctl" "$bin"
export BENCH_SUMMARY=$work/summary
: > "$BENCH_SUMMARY"
bench_machine
echo "restic $(restic version | cut -d' ' -f2), $(gpg --version | head -1), binary sha256 $(sha256sum "$bin" | cut -c1-12)"

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
echo "loaded in $(( $(date +%s) - t0 )) s; VACUUM FREEZE..."
t0=$(date +%s)
docker exec bkbench-db-1 psql -q -U postgres -d shop -c 'VACUUM (FREEZE, ANALYZE)'
echo "vacuumed in $(( $(date +%s) - t0 )) s; table $(docker exec bkbench-db-1 psql -qtA -U postgres -d shop \
  -c "SELECT pg_size_pretty(pg_total_relation_size('big'))")"

export RESTIC_PASSWORD=bench-password
gpghome=$work/gnupg; mkdir -m 700 "$gpghome"
gpg --homedir "$gpghome" --batch --pinentry-mode loopback --passphrase '' \
  --quick-gen-key 'bench <bench@example.test>' future-default default never >/dev/null 2>&1
gpg --homedir "$gpghome" --armor --export > "$work/pub.asc"
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }
dump() {
  docker run --rm --log-driver none --network $net -e PGPASSWORD=bench --label bk.test=$tag \
    "$BK_TEST_POSTGRES_IMAGE" pg_dump -h db -U postgres -d shop
}
t0=$(bench_now); dump_bytes=$(dump | wc -c); t1=$(bench_now)
echo "the dump alone (pg_dump | wc -c, once): $dump_bytes bytes in $(secs "$t0" "$t1") s"

# The operator's peak RSS (VmHWM, sampled every 200 ms; restic and gpg are its children, apart).
sample_rss() {
  local pid=$1 peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  echo "$peak" > "$work/peak"
}
rss_all=()
# backupctl run into repository $1, through gpg when $2 = 1; sets bench_t (start to exit).
run_bk() {
  local repo=$1 enc=$2 log pid spid t0 t1
  log=$work/bk-$(bench_now).log
  { echo "state_dir: $work/state"
    echo "repositories:"
    echo "  default: {url: $repo, password: bench-password, init: true}"
    [ "$enc" = 1 ] && echo "defaults: {encrypt: bench}"
    echo "keys:"
    echo "  bench: {public_key_file: $work/pub.asc}"; } > "$work/config.yml"
  t0=$(bench_now)
  "$bin" --config "$work/config.yml" run bkbench-db >"$log" 2>&1 &
  pid=$!
  sample_rss $pid &
  spid=$!
  wait $pid || { sed 's/^/     /' "$log" >&2; wait $spid; return 1; }
  t1=$(bench_now)
  wait $spid
  grep -q 'shop: ok, snapshot' "$log" || { sed 's/^/     /' "$log" >&2; return 1; }
  rss_all+=("$(cat "$work/peak")")
  bench_t=$(secs "$t0" "$t1")
}
# The shell pipeline into repository $1, through gpg when $2 = 1; sets bench_t.
run_pipe() {
  local repo=$1 enc=$2 t0 t1
  t0=$(bench_now)
  if [ "$enc" = 1 ]; then
    dump | gpg --homedir "$gpghome" --batch --yes --trust-model always --recipient-file "$work/pub.asc" \
        --compress-algo none --encrypt |
      restic -r "$repo" --cache-dir "$work/cache-pipe" backup --stdin --stdin-filename shop.sql.gpg \
        --host bench >/dev/null || return 1
  else
    dump | restic -r "$repo" --cache-dir "$work/cache-pipe" backup --stdin --stdin-filename shop.sql \
        --host bench >/dev/null || return 1
  fi
  t1=$(bench_now)
  bench_t=$(secs "$t0" "$t1")
}
# The temp-file flow into repository $1; sets bench_t.
run_tempfile() {
  local repo=$1 t0 t1
  t0=$(bench_now)
  dump > "$work/shop.sql" &&
    gzip -1 -f "$work/shop.sql" &&
    gpg --homedir "$gpghome" --batch --yes --trust-model always --recipient-file "$work/pub.asc" \
      -o "$work/shop.sql.gz.gpg" --encrypt "$work/shop.sql.gz" &&
    restic -r "$repo" --cache-dir "$work/cache-pipe" backup "$work/shop.sql.gz.gpg" --host bench >/dev/null ||
    return 1
  t1=$(bench_now)
  rm -f "$work/shop.sql" "$work/shop.sql.gz" "$work/shop.sql.gz.gpg"
  bench_t=$(secs "$t0" "$t1")
}
repo_of() { echo "$work/repo-$regime-$1"; }
# first: a fresh repository for each run, outside the timing.
fresh_repo() {
  local repo; repo=$(repo_of "$1")
  rm -rf "$repo" && restic -r "$repo" init >/dev/null 2>&1
}
grew=()
side_bk()       { run_bk "$(repo_of "$1")" "$enc"; }
side_pipe()     { run_pipe "$(repo_of "$1")" "$enc"; }
side_tempfile() { run_tempfile "$(repo_of "$1")"; }
# unchanged: the repository's growth by each backupctl run, measured after the timing.
side_bk_grow() {
  local repo before
  repo=$(repo_of "$1")
  before=$(du -sb "$repo" | cut -f1)
  run_bk "$repo" "$enc" || return 1
  grew+=("$(( $(du -sb "$repo" | cut -f1) - before ))")
}

for c in $compare; do
  regime=${c%%-*} kind=${c#*-}
  enc=1; [ "$kind" = plain ] && enc=0
  echo "== $c =="
  case $regime in
    first) export BENCH_PREP=fresh_repo ;;
    unchanged)
      unset BENCH_PREP
      fresh_repo A; fresh_repo B
      run_bk "$(repo_of A)" "$enc"
      run_pipe "$(repo_of B)" "$enc"
      echo "   (each repository seeded with one snapshot of the same data, not timed)" ;;
    *) echo "unknown comparison $c" >&2; exit 2 ;;
  esac
  case $c in
    first-plain) bench_pairs "backupctl run" side_bk "pg_dump | restic" side_pipe ;;
    first-gpg) bench_pairs "backupctl run (gpg)" side_bk "pg_dump | gpg | restic" side_pipe ;;
    first-tempfile) bench_pairs "backupctl run (gpg)" side_bk "pg_dump > file; gzip; gpg; restic" side_tempfile ;;
    unchanged-plain)
      grew=()
      bench_pairs "backupctl run, unchanged" side_bk_grow "pg_dump | restic, unchanged" side_pipe
      echo "   repository growth per unchanged backupctl run: ${grew[*]} bytes" ;;
    unchanged-gpg) bench_pairs "backupctl run (gpg), unchanged" side_bk "pg_dump | gpg | restic, unchanged" side_pipe ;;
    *) echo "unknown comparison $c" >&2; exit 2 ;;
  esac
  unset BENCH_PREP
  rm -rf "$(repo_of A)" "$(repo_of B)"
done

if [ "${STRACE:-1}" = 1 ] && command -v strace >/dev/null; then
  echo "== files written outside the repository (strace -f of one backupctl run, unchanged database; single run) =="
  repo=$work/repo-strace
  restic -r "$repo" init >/dev/null 2>&1
  run_bk "$repo" 0 >/dev/null
  strace -f --seccomp-bpf -e trace=open,openat,creat,mkdir,mkdirat,rename,renameat2 \
    -o "$work/trace.txt" "$bin" --config "$work/config.yml" run bkbench-db >"$work/h.log" 2>&1
  # Paths opened with O_CREAT or O_WRONLY/O_RDWR, and directories made, outside the repository,
  # restic's cache and /dev, /proc.
  grep -E 'O_CREAT|O_WRONLY|O_RDWR|mkdir' "$work/trace.txt" | grep -v ' = -1 ' |
    grep -oE '"[^"]+"' | tr -d '"' | sort -u |
    grep -vE "^$repo|^$work/state/cache|^/dev/|^/proc/" > "$work/written.txt" || true
  echo "   $(wc -l < "$work/written.txt") path(s):"
  sed 's/^/     /' "$work/written.txt"
  echo "   files left in restic's TMPDIR ($work/state/tmp) afterwards: $(find "$work/state/tmp" -type f 2>/dev/null | wc -l)"
fi

echo
echo "== summary (rows=$rows, dump $dump_bytes bytes) =="
cat "$BENCH_SUMMARY"
[ ${#rss_all[@]} -eq 0 ] || echo "operator peak RSS over ${#rss_all[@]} backupctl runs:" \
  "$(printf '%s\n' "${rss_all[@]}" | sort -n | head -1)-$(printf '%s\n' "${rss_all[@]}" | sort -n | tail -1) KiB"
bench_machine
