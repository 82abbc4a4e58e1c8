#!/usr/bin/env bash
# Attach throughput of dockerapi against curl --unix-socket on the same container output, in
# pairs (bench/lib.sh: ROUNDS rounds, alternating who goes first, median of t_B/t_A and its
# spread), and dockerapi's peak RSS while streaming (a single figure per run, not a pair).
# Both read BYTES (default 2 GiB) of zeros from `head -c BYTES /dev/zero` in a container with
# LogConfig none; both are timed from the start request to EOF (the container's creation and the
# attach before it are not counted). curl reads the raw attach (no Upgrade, no demux; its byte
# count includes the 8-byte frame headers), dockerapi hijacks and demuxes.
#   A  build/bench/bk_bench_attach IMAGE BYTES (its own figure: start to EOF)
#   B  curl --unix-socket .../containers/ID/attach?stream=1&stdout=1&stderr=1, then .../start
# Ratio t_B/t_A = dockerapi's throughput relative to curl's.
#   bench/attach_bench.sh [build dir] [bytes=2147483648]      environment: ROUNDS=3 BENCH_FIRST
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
bytes=${2:-2147483648}
source "$root/bench/lib.sh"
image=$(grep BK_TEST_BASE_IMAGE "$build/test-images.env" | cut -d= -f2)
sock=/var/run/docker.sock
work=$(mktemp -d)
trap 'docker ps -aq --filter label=bk.test=bench-attach | xargs -r docker rm -f >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bench_machine

rss_all=()
side_dockerapi() {
  local line
  line=$("$build/bench/bk_bench_attach" "$image" "$bytes") || return 1
  echo "   $line"
  # "dockerapi attach: N bytes in S s = M MiB/s, peak RSS R MiB"
  bench_t=$(sed -n 's/.* bytes in \([0-9.]*\) s = .*/\1/p' <<<"$line")
  rss_all+=("$(sed -n 's/.*peak RSS \([0-9.]*\) MiB.*/\1/p' <<<"$line")")
  [ -n "$bench_t" ]
}
side_curl() {
  local cid pid t0 t1
  cid=$(docker create --log-driver none --label bk.test=bench-attach "$image" head -c "$bytes" /dev/zero) ||
    return 1
  curl -sS --unix-socket $sock -X POST -o /dev/null -w '%{size_download}' \
    "http://docker/v1.41/containers/$cid/attach?stream=1&stdout=1&stderr=1" >"$work/size" &
  pid=$!
  sleep 0.5  # let the attach register before the start
  t0=$(bench_now)
  curl -sS --unix-socket $sock -X POST "http://docker/v1.41/containers/$cid/start" >/dev/null || return 1
  wait $pid || return 1
  t1=$(bench_now)
  docker rm -f "$cid" >/dev/null
  # the raw stream carries 8 bytes of header per frame: count payload as $bytes
  echo "   curl: $(cat "$work/size") bytes with frame headers"
  [ "$(cat "$work/size")" -ge "$bytes" ] || return 1
  bench_t=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
}
bench_pairs "dockerapi attach" side_dockerapi "curl attach" side_curl
awk -v b="$bytes" -v a="$(bench_median "${pairs_a[@]}")" -v c="$(bench_median "${pairs_b[@]}")" \
  'BEGIN {printf "median rates: dockerapi %.0f MiB/s, curl %.0f MiB/s\n", b / a / 1048576, b / c / 1048576}'
echo "dockerapi peak RSS per run: ${rss_all[*]} MiB"
bench_machine
