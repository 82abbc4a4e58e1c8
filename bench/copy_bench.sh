#!/usr/bin/env bash
# The cost of a second copy (copy_to): a local repository of SIZE_MIB (default 1024) MiB of
# incompressible data (one file of /dev/urandom backed up with restic) copied to a REST
# repository served by `rclone serve restic` on loopback, with the command line backupctl runs
# for copy_to (docs/backends.md): restic -r <destination> copy --from-repo <source> with both
# passwords through descriptors 3 and 4 (here: files), --host backupctl --tag target:bench.
# Figures: wall time, restic's own "copy started" count, bytes the destination grew by (du of
# rclone's directory), for
#   full         the first copy: every snapshot of the source (one, SIZE_MIB of data)
#   incremental  after one more small snapshot (SMALL_MIB, default 8, of new random data)
#   nothing      once more with nothing new (restic lists both repositories and skips)
# Single runs (not a comparison): the copy is restic's; backupctl adds one process start.
# Usage: bench/copy_bench.sh [SIZE_MIB] [SMALL_MIB]
set -euo pipefail
size=${1:-1024}
small=${2:-8}
work=$(mktemp -d /var/tmp/bk-copy-bench.XXXXXX)
trap 'kill $rclone_pid 2>/dev/null || true; rm -rf "$work"' EXIT
src=$work/src
dst_dir=$work/rest
mkdir -p "$dst_dir" "$work/data"
printf 'bench-src-pass\n' > "$work/src.pass"
printf 'bench-dst-pass\n' > "$work/dst.pass"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rclone serve restic --addr 127.0.0.1:$port "$dst_dir" > "$work/rclone.log" 2>&1 &
rclone_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
dst=rest:http://127.0.0.1:$port/repo
export RESTIC_CACHE_DIR=$work/cache
restic -r "$src" --password-file "$work/src.pass" init -q
restic -r "$dst" --password-file "$work/dst.pass" init -q
head -c $((size * 1024 * 1024)) /dev/urandom > "$work/data/big.bin"
restic -r "$src" --password-file "$work/src.pass" backup -q --host backupctl --tag target:bench \
    "$work/data"
echo "source repository: $(du -sm "$src" | cut -f1) MiB ($size MiB of random data)"
copy() {
    local before after t0 t1 out
    before=$(du -sb "$dst_dir" | cut -f1)
    t0=$(date +%s.%N)
    out=$(RESTIC_FROM_PASSWORD_FILE=/dev/fd/4 RESTIC_PASSWORD_FILE=/dev/fd/3 \
        restic -r "$dst" copy --from-repo "$src" --host backupctl --tag target:bench \
        3<"$work/dst.pass" 4<"$work/src.pass")
    t1=$(date +%s.%N)
    after=$(du -sb "$dst_dir" | cut -f1)
    printf '| %s | %.1f s | %d | %.1f MiB | %.1f MiB/s |\n' "$1" "$(echo "$t1 - $t0" | bc)" \
        "$(grep -c 'copy started' <<<"$out" || true)" "$(echo "($after - $before) / 1048576" | bc -l)" \
        "$(echo "($after - $before) / 1048576 / ($t1 - $t0)" | bc -l)"
}
echo "| copy | time | snapshots copied | destination grew | rate |"
echo "|---|---|---|---|---|"
copy full
head -c $((small * 1024 * 1024)) /dev/urandom > "$work/data/small-$RANDOM.bin"
restic -r "$src" --password-file "$work/src.pass" backup -q --host backupctl --tag target:bench \
    "$work/data"
copy incremental
copy nothing
