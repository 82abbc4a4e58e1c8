#!/usr/bin/env bash
# Attach throughput of dockerapi against curl --unix-socket on the same container output, in one
# run, alternating, 3 rounds; and dockerapi's peak RSS while streaming. Both read 2 GiB of zeros
# from `head -c 2G /dev/zero` in a container with LogConfig none; both are timed from the start
# request to EOF. curl reads the raw attach (no Upgrade, no demux), dockerapi hijacks and demuxes.
#   bench/attach_bench.sh [build dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
image=$(grep BK_TEST_BASE_IMAGE "$build/test-images.env" | cut -d= -f2)
bytes=2147483648
sock=/var/run/docker.sock

curl_round() {
  local cid t0 t1 got
  cid=$(docker create --log-driver none --label bk.test=bench "$image" head -c $bytes /dev/zero)
  curl -sS --unix-socket $sock -X POST -o /dev/null -w '%{size_download}' \
    "http://docker/v1.41/containers/$cid/attach?stream=1&stdout=1&stderr=1" >/tmp/bk-curl-size &
  local pid=$!
  sleep 0.5  # let the attach register before the start
  t0=$(date +%s.%N)
  curl -sS --unix-socket $sock -X POST "http://docker/v1.41/containers/$cid/start" >/dev/null
  wait $pid
  t1=$(date +%s.%N)
  got=$(cat /tmp/bk-curl-size)
  docker rm -f "$cid" >/dev/null
  # the raw stream carries 8 bytes of header per frame: count payload as $bytes
  echo "curl attach:      $got bytes (with frame headers) in $(echo "$t1 - $t0" | bc -l | cut -c1-5) s = $(echo "$bytes / ($t1 - $t0) / 1048576" | bc -l | cut -d. -f1) MiB/s"
}

for round in 1 2 3; do
  echo "round $round"
  "$build/bench/bk_bench_attach" "$image" $bytes
  curl_round
done
