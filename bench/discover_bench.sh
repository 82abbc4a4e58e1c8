#!/usr/bin/env bash
# Discovery of 200 labelled containers: `backupctl discover --json` (one list call, labels parsed,
# merged with the config) against `backupctl --version` (process start alone), in pairs
# (bench/lib.sh: ROUNDS=30 rounds, alternating who goes first); the figure is the median of the
# per-round differences (discovery beyond process start), with their spread. Creates the
# containers (sleep, LogConfig none, label bk.test=bench-discover) and removes them at the end.
#   bench/discover_bench.sh [build dir] [count=200]     environment: ROUNDS=30 KEEP=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
count=${2:-200}
image=$(grep BK_TEST_BASE_IMAGE "$build/test-images.env" | cut -d= -f2)
bin=$build/src/backupctl
source "$root/bench/lib.sh"

cleanup() { docker ps -aq --filter label=bk.test=bench-discover | xargs -r docker rm -f >/dev/null; }
[ "${KEEP:-0}" = 1 ] || trap cleanup EXIT   # KEEP=1: leave the containers for another run
have=$(docker ps -q --filter label=bk.test=bench-discover | wc -l)
if [ "$have" -ne "$count" ]; then
cleanup
echo "creating $count labelled containers..."
seq -f '%03g' 1 "$count" | xargs -P 4 -I{} docker run -d --log-driver none \
  --label bk.test=bench-discover --label backupctl.enable=true --label backupctl.db.type=postgres \
  --label com.docker.compose.project=bench --label com.docker.compose.service=svc{} \
  --name bk-bench-{} "$image" sleep infinity >/dev/null
fi

found=$("$bin" discover --json | grep -c '"name": "bench-svc' || true)
echo "targets found: $found"

side_version() { "$bin" --version >/dev/null; }
side_discover() { "$bin" discover --json >/dev/null; }
ROUNDS=${ROUNDS:-30} bench_pairs "backupctl --version" side_version "backupctl discover --json" side_discover
diffs=()
for i in "${!pairs_a[@]}"; do diffs+=("$(awk -v a="${pairs_a[$i]}" -v b="${pairs_b[$i]}" 'BEGIN {printf "%.1f", (b - a) * 1000}')"); done
echo "discovery beyond start (t_B - t_A per round): median $(bench_median_fmt %.1f "${diffs[@]}") ms," \
  "spread $(printf '%s\n' "${diffs[@]}" | sort -g | head -1)-$(printf '%s\n' "${diffs[@]}" | sort -g | tail -1) ms" \
  "(${#diffs[@]} rounds)"
bench_machine
