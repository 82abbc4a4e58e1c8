#!/usr/bin/env bash
# Discovery of 200 labelled containers: `backupctl discover --json` (one list call, labels parsed,
# merged with the config) against `backupctl --version` (process start alone), 30 runs each,
# alternating. Creates the containers (sleep, LogConfig none, label bk.test=bench-discover) and
# removes them at the end.
#   bench/discover_bench.sh [build dir] [count=200]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
count=${2:-200}
image=$(grep BK_TEST_BASE_IMAGE "$build/test-images.env" | cut -d= -f2)
bin=$build/src/backupctl

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

ms() { echo "scale=2; ($2 - $1) / 1000000" | bc; }
total_d=0; total_v=0; runs=30
for i in $(seq 1 $runs); do
  t0=$(date +%s%N); "$bin" --version >/dev/null; t1=$(date +%s%N)
  "$bin" discover --json >/dev/null; t2=$(date +%s%N)
  total_v=$((total_v + t1 - t0)); total_d=$((total_d + t2 - t1))
done
echo "backupctl --version:        mean $(echo "scale=2; $total_v / $runs / 1000000" | bc) ms"
echo "backupctl discover --json:  mean $(echo "scale=2; $total_d / $runs / 1000000" | bc) ms"
echo "discovery beyond start:     $(echo "scale=2; ($total_d - $total_v) / $runs / 1000000" | bc) ms"
