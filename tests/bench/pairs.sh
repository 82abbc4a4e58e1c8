#!/usr/bin/env bash
# bench/lib.sh's bench_pairs, on fake commands: it alternates the order (A B, B A, ...) or keeps
# A first, reports the median of the per-round ratios t_B/t_A and their spread, times by the wall
# clock or takes a side's own figure (bench_t), runs the preparation outside the timing, refuses
# fewer than 3 rounds and fails when a side fails. No engine, no build: a unit test.
#   tests/bench/pairs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT

# Own figures: A always 2 s, B 4, 2, 6, 8 s by round -> ratios 2, 1, 3, 4: median 2.5, spread 1-4.
calls=()
fake() { calls+=("$1$2"); if [ "$1" = A ]; then bench_t=2; else bench_t=$(( $2 == 1 ? 4 : $2 == 2 ? 2 : $2 == 3 ? 6 : 8 )); fi; }
ROUNDS=4 bench_pairs one fake two fake >"$out"
[ "${calls[*]}" = "A1 B1 B2 A2 A3 B3 B4 A4" ] || fail "order not alternating: ${calls[*]}"
[ "$pairs_median" = 2.500 ] || fail "median $pairs_median, want 2.500"
[ "$pairs_min" = 1.000 ] && [ "$pairs_max" = 4.000 ] || fail "spread $pairs_min-$pairs_max, want 1.000-4.000"
[ "${pairs_r[*]}" = "2.000 1.000 3.000 4.000" ] || fail "ratios ${pairs_r[*]}"
grep -q 'two/one: median t_B/t_A 2.500, spread 1.000-4.000 (4 rounds)' "$out" || { cat "$out"; fail "summary line"; }
grep -q '^| 2 | BA | 2.0000 | 2.0000 | 1.000 |$' "$out" || { cat "$out"; fail "round table"; }

# A first every round; wall-clock timing of real sleeps (B twice as long as A); the preparation
# (a sleep of its own) is not counted; the summary goes to BENCH_SUMMARY.
calls=()
prep() { calls+=("p$1"); sleep 0.3; }
slow() { calls+=("$1"); if [ "$1" = A ]; then sleep 0.2; else sleep 0.4; fi; }
summary=$(mktemp)
ROUNDS=3 BENCH_FIRST=A BENCH_PREP=prep BENCH_SUMMARY=$summary bench_pairs a slow b slow >"$out"
[ "${calls[*]}" = "pA A pB B pA A pB B pA A pB B" ] || fail "order with BENCH_FIRST=A: ${calls[*]}"
awk -v m="$pairs_median" 'BEGIN {exit !(m > 1.5 && m < 2.5)}' || fail "wall-clock median $pairs_median, want about 2"
for t in "${pairs_a[@]}"; do awk -v t="$t" 'BEGIN {exit !(t >= 0.2 && t < 0.45)}' || fail "A took $t s (preparation counted?)"; done
grep -q '^b/a: median t_B/t_A ' "$summary" || fail "no summary in BENCH_SUMMARY"
rm -f "$summary"

# A side that, like a bench script's, assigns common names without `local` (for r in ...; t0=...)
# changes neither the rounds nor the order nor the figures (bash scopes dynamically).
calls=()
# shellcheck disable=SC2034  # the names are assigned on purpose, never read
clobber() {
  calls+=("$1$2")
  for r in x y; do :; done
  order=XX ta=9 tb=9 t0=1 t1=2 side=Q round=Q fn=Q rounds=1 first=B la=Q lb=Q line=Q
  if [ "$1" = A ]; then bench_t=1; else bench_t=3; fi
}
ROUNDS=3 bench_pairs a clobber b clobber >"$out"
[ "${calls[*]}" = "A1 B1 B2 A2 A3 B3" ] || fail "a side's globals changed the rounds: ${calls[*]}"
[ "$pairs_median" = 3.000 ] && [ "${#pairs_r[@]}" = 3 ] || fail "a side's globals changed the figures: ${pairs_r[*]}"

# The median of an odd and of an even count.
[ "$(bench_median 3 1 2)" = 2.000 ] || fail "median of 3 1 2"
[ "$(bench_median 1 10 2 3)" = 2.500 ] || fail "median of 1 10 2 3"

# Fewer than 3 rounds: refused. A failing side: the whole comparison fails.
if ROUNDS=2 bench_pairs a fake b fake >"$out" 2>&1; then fail "ROUNDS=2 accepted"; fi
broken() { [ "$1" = A ] || return 1; }
if ROUNDS=3 bench_pairs a broken b broken >"$out" 2>&1; then fail "a failing side passed"; fi
grep -q 'b failed in round 1' "$out" || fail "the failure is not reported"
echo "ok: bench_pairs alternates, reports median and spread, refuses < 3 rounds and failures"
