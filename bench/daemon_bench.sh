#!/usr/bin/env bash
# The daemon idle with N labelled targets: RSS and CPU over a minute, then how long a newly
# started labelled container takes to become a registered target (from `docker run` starting to
# the daemon's "appeared" log line), 5 times. Reuses bench/discover_bench.sh's containers
# (label bk.test=bench-discover; created here when missing, removed unless KEEP=1).
#   bench/daemon_bench.sh [build dir] [count=200] [idle seconds=60]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
count=${2:-200}
idle=${3:-60}
image=$(grep BK_TEST_BASE_IMAGE "$build/test-images.env" | cut -d= -f2)
bin=$build/src/backupctl
work=$(mktemp -d /tmp/bk-daemon-bench.XXXXXX)

cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  docker ps -aq --filter label=bk.test=bench-daemon-late | xargs -r docker rm -f >/dev/null
  [ "${KEEP:-0}" = 1 ] || docker ps -aq --filter label=bk.test=bench-discover | xargs -r docker rm -f >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
have=$(docker ps -q --filter label=bk.test=bench-discover | wc -l)
if [ "$have" -ne "$count" ]; then
  docker ps -aq --filter label=bk.test=bench-discover | xargs -r docker rm -f >/dev/null
  echo "creating $count labelled containers..."
  seq -f '%03g' 1 "$count" | xargs -P 4 -I{} docker run -d --log-driver none \
    --label bk.test=bench-discover --label backupctl.enable=true --label backupctl.db.type=postgres \
    --label com.docker.compose.project=bench --label com.docker.compose.service=svc{} \
    --name bk-bench-{} "$image" sleep infinity >/dev/null
fi
cat > "$work/config.yml" <<YML
state_dir: $work/state
repositories:
  default:
    url: $work/repo
    init: true
defaults:
  cron: "0 3 * * *"
  catch_up: skip
YML
"$bin" --config "$work/config.yml" daemon > "$work/daemon.log" 2>&1 &
pid=$!
until grep -q "watching" "$work/daemon.log"; do sleep 0.1; done
grep "watching" "$work/daemon.log"
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ticks); t0=$(date +%s%N)
sleep "$idle"
c1=$(ticks); t1=$(date +%s%N)
echo "idle ${idle} s with $count targets: CPU $(echo "scale=3; ($c1 - $c0) * 1000 / $hz" | bc) ms" \
     "($(echo "scale=4; ($c1 - $c0) / $hz * 100 / (($t1 - $t0) / 1000000000)" | bc) % of one core)"
grep -E 'VmRSS|VmHWM' "/proc/$pid/status"

for i in 1 2 3 4 5; do
  name=bk-bench-late-$i
  s0=$(date +%s%N)
  docker run -d --log-driver none --label bk.test=bench-daemon-late --label backupctl.enable=true \
    --label backupctl.db.type=postgres --label com.docker.compose.project=benchlate \
    --label com.docker.compose.service=late$i --name "$name" "$image" sleep infinity >/dev/null
  s1=$(date +%s%N)
  until grep -q "target benchlate-late$i appeared" "$work/daemon.log"; do sleep 0.01; done
  s2=$(date +%s%N)
  echo "start -> registered #$i: $(( (s2 - s0) / 1000000 )) ms from docker run starting" \
       "($(( (s2 - s1) / 1000000 )) ms after it returned)"
done
grep -E 'VmRSS|VmHWM' "/proc/$pid/status"
