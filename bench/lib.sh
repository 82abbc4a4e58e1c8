# Shared by the bench scripts (sourced, not run): every A-vs-B figure is measured in pairs.
#
#   bench_pairs LABEL_A FN_A LABEL_B FN_B
#
# runs FN_A and FN_B alternating for ROUNDS rounds (default 3; fewer than 3 is refused). With
# BENCH_FIRST=alternate (the default) round 1 runs A then B, round 2 B then A, and so on, so that
# neither side always profits from the other's warm caches; BENCH_FIRST=A always runs A first.
# Each FN is called in the current shell (inside `||`, so `set -e` does not act in it: a FN
# chains its steps with && or checks them) with the side (A|B) and the round number, and is timed
# by the wall clock from its call to its return; a FN that measures itself (e.g. one step of a
# longer command) sets `bench_t` (seconds) instead. A FN that fails fails bench_pairs (status 1).
# An optional function named by BENCH_PREP is called before each timed call with the same
# arguments, outside the timing (fresh repository, fresh server, ...).
#
# Prints one line per timed run, then a table of the rounds and a summary line:
#   LABEL_B/LABEL_A: median t_B/t_A R, spread MIN-MAX (N rounds)...
# The ratio of a round is t_B / t_A: with A = backupctl and B = the shell pipeline, it is
# backupctl's throughput relative to the pipeline's (> 1: backupctl faster).
# Sets pairs_a, pairs_b, pairs_r (arrays: seconds of A, of B, ratio per round), pairs_median,
# pairs_min, pairs_max; appends the summary line to $BENCH_SUMMARY when that is set.

bench_now() { date +%s%N; }

# median of the numbers given as arguments (mean of the middle two for an even count), %.3f;
# bench_median_fmt FORMAT NUMBERS... in another printf format
bench_median_fmt() {
  local fmt=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v f="$fmt" '{v[NR] = $1}
    END {if (NR == 0) exit 1; m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf f, m}'
}
bench_median() { bench_median_fmt %.3f "$@"; }

# bench_timed SIDE ROUND FN: runs FN, sets bench_last to its seconds (bench_t when FN set it)
bench_timed() {
  local side=$1 round=$2 fn=$3 t0 t1
  if [ -n "${BENCH_PREP:-}" ]; then "$BENCH_PREP" "$side" "$round" || return 1; fi
  bench_t=""
  t0=$EPOCHREALTIME  # no fork: $(date) would add a process start to every figure
  "$fn" "$side" "$round" || return 1
  t1=$EPOCHREALTIME
  if [ -n "$bench_t" ]; then
    bench_last=$(awk -v t="$bench_t" 'BEGIN {printf "%.4f", t}')
  else
    bench_last=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
  fi
}

bench_pairs() {
  local la=$1 fa=$2 lb=$3 fb=$4 rounds=${ROUNDS:-3} first=${BENCH_FIRST:-alternate} r order ta tb
  if ! [ "$rounds" -ge 3 ] 2>/dev/null; then
    echo "bench_pairs: ROUNDS=$rounds: at least 3 rounds" >&2
    return 2
  fi
  pairs_a=() pairs_b=() pairs_r=()
  local orders=()
  echo "pairs: A = $la, B = $lb; $rounds rounds; first: $first; $(nproc) cores"
  for r in $(seq 1 "$rounds"); do
    if [ "$first" = alternate ] && (( r % 2 == 0 )); then order=BA; else order=AB; fi
    orders+=("$order")
    echo "round $r ($order; load $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ $order = AB ]; then
      bench_timed A "$r" "$fa" || { echo "bench_pairs: $la failed in round $r" >&2; return 1; }
      ta=$bench_last; echo "   A $la: $ta s"
      bench_timed B "$r" "$fb" || { echo "bench_pairs: $lb failed in round $r" >&2; return 1; }
      tb=$bench_last; echo "   B $lb: $tb s"
    else
      bench_timed B "$r" "$fb" || { echo "bench_pairs: $lb failed in round $r" >&2; return 1; }
      tb=$bench_last; echo "   B $lb: $tb s"
      bench_timed A "$r" "$fa" || { echo "bench_pairs: $la failed in round $r" >&2; return 1; }
      ta=$bench_last; echo "   A $la: $ta s"
    fi
    pairs_a+=("$ta") pairs_b+=("$tb")
    pairs_r+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN {printf "%.3f", b / a}')")
    echo "   t_B/t_A = ${pairs_r[-1]}"
  done
  pairs_median=$(bench_median "${pairs_r[@]}")
  pairs_min=$(printf '%s\n' "${pairs_r[@]}" | sort -g | head -1)
  pairs_max=$(printf '%s\n' "${pairs_r[@]}" | sort -g | tail -1)
  echo
  echo "| round | order | A: ${la//|/\\|} (s) | B: ${lb//|/\\|} (s) | t_B/t_A |"
  echo "|---|---|---|---|---|"
  for r in "${!pairs_r[@]}"; do
    echo "| $((r + 1)) | ${orders[$r]} | ${pairs_a[$r]} | ${pairs_b[$r]} | ${pairs_r[$r]} |"
  done
  local line
  line="$lb/$la: median t_B/t_A $pairs_median, spread $pairs_min-$pairs_max ($rounds rounds);"
  line+=" median A $(bench_median_fmt %.4f "${pairs_a[@]}") s, B $(bench_median_fmt %.4f "${pairs_b[@]}") s"
  echo "$line"
  echo
  if [ -n "${BENCH_SUMMARY:-}" ]; then echo "$line" >> "$BENCH_SUMMARY"; fi
}

# The machine's state, for the record: cores, load, other containers, busy compilers.
bench_machine() {
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(docker ps -q | wc -l) running containers," \
    "$(pgrep -c -x 'cc1plus|clang\+\+|clang|ld|mold' || true) compiler processes;" \
    "commit $(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
