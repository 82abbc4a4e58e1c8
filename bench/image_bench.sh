#!/usr/bin/env bash
# The image (issue 7): its size, and the time from `docker run` until (a) `backupctl health`
# passes inside and (b) Docker reports the container healthy with a 1 s probe interval
# (--health-interval=1s; the image's own interval is 30 s, so Docker 20.10 says "healthy" 30 s
# after start at the earliest). Each start uses a fresh state volume.
#   bench/image_bench.sh [RUNS]      (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
runs=${1:-5}
ensure_docker
image=$(BK_IMAGE_TAG=backupctl:bench bash "$root/scripts/build-image.sh")
size=$(docker image inspect -f '{{.Size}}' "$image")
printf 'image %s: %s bytes (%s MB)\n' "$image" "$size" "$(awk -v s="$size" 'BEGIN{printf "%.1f", s/1e6}')"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ready=() healthy=()
for i in $(seq 1 "$runs"); do
  name=bk-image-bench-$$-$i
  t0=$(now_ms)
  docker run -d --name "$name" --health-interval=1s -v /var/run/docker.sock:/var/run/docker.sock \
    --label bk.test=1 "$image" >/dev/null
  r="" h=""
  for _ in $(seq 1 400); do
    if [ -z "$r" ] && docker exec "$name" backupctl health >/dev/null 2>&1; then r=$(( $(now_ms) - t0 )); fi
    if [ -z "$h" ] && [ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ]; then h=$(( $(now_ms) - t0 )); fi
    [ -n "$r" ] && [ -n "$h" ] && break
    sleep 0.05
  done
  docker rm -f -v "$name" >/dev/null
  [ -n "$r" ] && [ -n "$h" ] || die "run $i: not healthy within 20 s"
  printf 'run %d: health passes after %d ms, Docker says healthy after %d ms\n' "$i" "$r" "$h"
  ready+=("$r") healthy+=("$h")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf 'median of %d: health passes %s ms, healthy %s ms\n' "$runs" "$(median "${ready[@]}")" "$(median "${healthy[@]}")"

# What a 1 s probe costs: busy CPU of the whole machine (/proc/stat) over 30 s with the container
# idle, once with --health-interval=1s and once with --no-healthcheck.
busy() { awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat; }
cost() {  # $@: extra docker run flags; prints busy CPU seconds per 30 s
  local name=bk-image-bench-$$-cost b0 b1
  docker run -d --name "$name" "$@" -v /var/run/docker.sock:/var/run/docker.sock --label bk.test=1 "$image" >/dev/null
  sleep 5
  b0=$(busy); sleep 30; b1=$(busy)
  docker rm -f -v "$name" >/dev/null
  awk -v d=$((b1 - b0)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", d/hz}'
}
with=$(cost --health-interval=1s)
without=$(cost --no-healthcheck)
printf 'busy CPU over 30 s, daemon idle: %s s with a 1 s probe, %s s without a health check\n' "$with" "$without"
