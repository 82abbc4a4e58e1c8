#!/usr/bin/env bash
# Fuzzes each target of tests/fuzz with libFuzzer for N minutes, one after the other, niced.
#   bench/fuzz.sh [minutes=5] [target...]     (targets: all of them when none is named)
# Builds them with clang -fsanitize=fuzzer,address,undefined into BK_FUZZ_BUILD (default
# build-fuzz/, apart from the g++ build). Each target's corpus grows in BUILD/corpus/<target>
# (seeded from tests/fuzz/corpus/<target>); crashes, leaks and timeouts are saved in
# BUILD/crashes/<target>/. A summary (runs, coverage, crashes per target) goes to
# BUILD/fuzz-summary.md. Exit status 1 when any target found something.
# A crash becomes a test: fix it, then copy the input into tests/fuzz/corpus/<target>/ (the
# ctest unit.fuzz.<target> replays it in CI) or write a unit test from it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=${1:-5}
shift || true
all=(labels config stream_demux tar mongo_archive dump_census schedule api json_models)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
build=${BK_FUZZ_BUILD:-$root/build-fuzz}
command -v clang++ >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang)" >&2; exit 2; }

# -fno-sanitize=function: clang 14 with fuzzer coverage and UBSan's function check fails on our
# coroutines ("Cannot represent a difference across sections").
san=-fsanitize=fuzzer-no-link,address,undefined
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$san -fno-sanitize=function -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DBK_SANITIZE= \
  -DBK_FUZZ=ON -DBK_BUILD_TESTS=OFF -DBK_BUILD_BENCH=OFF >/dev/null
nice -n 10 ninja -C "$build" "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=$build/fuzz-summary.md
{
  echo "| target | minutes | runs | exec/s | coverage (edges) | corpus | crashes |"
  echo "|---|---|---|---|---|---|---|"
} >"$summary"
found=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  crashes=$build/crashes/$t
  mkdir -p "$corpus" "$crashes"
  log=$build/fuzz-$t.log
  echo "== $t: $minutes min (log $log)"
  # -timeout: one input taking 10 s is a finding (a hang); -rss_limit_mb: so is 2 GiB.
  nice -n 10 "$build/tests/fuzz/fuzz_$t" -max_total_time=$((minutes * 60)) -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
    "$corpus" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  n=$(find "$crashes" -type f | wc -l)
  [ "$n" = 0 ] || found=1
  echo "| $t | $minutes | ${runs:-?} | ${rate:-?} | ${cov:-?} | $(ls "$corpus" | wc -l) | $n |" >>"$summary"
  tail -3 "$log"
done
cat "$summary"
exit $found
