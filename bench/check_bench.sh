#!/usr/bin/env bash
# Repository checks: the time of a full rotation of N subset checks (`backupctl check --now`,
# k = 1..N: restic check --read-data-subset=k/N each) against one `restic check --read-data`, on
# a local repository of at least 1 GiB of incompressible (random) data, in pairs (bench/lib.sh:
# ROUNDS rounds, alternating who goes first, median of t_B/t_A and its spread). A side is
# A = the rotation (N commands, the sum of their wall times), B = the full read. Also printed:
# the packs each subset read and their sum against restic's total (the rotation reads all).
# Usage: bench/check_bench.sh [build dir] [GiB=1] [N=8]      environment: ROUNDS=3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
gib=${2:-1}
n=${3:-8}
source "$root/bench/lib.sh"
bk=$build/src/backupctl
work=$(mktemp -d /tmp/bk-check-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export RESTIC_REPOSITORY=$work/repo RESTIC_PASSWORD=bench-password
restic init -q
# Incompressible: 64 MiB files of random bytes (restic 0.14 compresses, random data stays).
mkdir "$work/data"
for i in $(seq 1 $((gib * 16))); do
  head -c $((64 << 20)) /dev/urandom > "$work/data/f$i"
done
restic backup -q "$work/data"
rm -rf "$work/data"
echo "repository: $(du -sh "$RESTIC_REPOSITORY" | cut -f1), $(find "$RESTIC_REPOSITORY/data" -type f | wc -l) pack files, N=$n"
cat > "$work/config.yml" <<YAML
state_dir: $work/state
repositories:
  default:
    url: $RESTIC_REPOSITORY
    password: $RESTIC_PASSWORD
    check_subsets: $n
YAML

rotation() {
  local k sum=0 total=0 out
  for k in $(seq 1 "$n"); do
    out=$("$bk" --config "$work/config.yml" check --now --json default 2>/dev/null) || return 1
    sum=$((sum + $(jq '.[0].check.packs_read' <<<"$out")))
    total=$(jq '.[0].check.total_packs' <<<"$out")
  done
  echo "  rotation read $sum of $total packs"
  [ "$sum" = "$total" ]
}
full() { restic check --read-data >/dev/null 2>&1; }

bench_pairs "rotation-$n" rotation "full-read-data" full
