# shellcheck shell=bash
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
# The FNs run in the same shell, where bash's scoping is dynamic: the helpers' own variables are
# named _bp_* so that a FN's `for r in ...` or `t0=...` cannot change the round it is called in.
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
  local _bp_side=$1 _bp_round=$2 _bp_fn=$3 _bp_t0 _bp_t1
  if [ -n "${BENCH_PREP:-}" ]; then "$BENCH_PREP" "$_bp_side" "$_bp_round" || return 1; fi
  bench_t=""
  _bp_t0=$EPOCHREALTIME  # no fork: $(date) would add a process start to every figure
  "$_bp_fn" "$_bp_side" "$_bp_round" || return 1
  _bp_t1=$EPOCHREALTIME
  if [ -n "$bench_t" ]; then
    bench_last=$(awk -v t="$bench_t" 'BEGIN {printf "%.4f", t}')
  else
    bench_last=$(awk -v a="$_bp_t0" -v b="$_bp_t1" 'BEGIN {printf "%.4f", b - a}')
  fi
}

bench_pairs() {
  local _bp_la=$1 _bp_fa=$2 _bp_lb=$3 _bp_fb=$4 _bp_n=${ROUNDS:-3} _bp_first=${BENCH_FIRST:-alternate}
  local _bp_r _bp_order _bp_ta _bp_tb _bp_line
  if ! [ "$_bp_n" -ge 3 ] 2>/dev/null; then
    echo "bench_pairs: ROUNDS=$_bp_n: at least 3 rounds" >&2
    return 2
  fi
  pairs_a=() pairs_b=() pairs_r=()
  local _bp_orders=()
  echo "pairs: A = $_bp_la, B = $_bp_lb; $_bp_n rounds; first: $_bp_first; $(nproc) cores"
  for _bp_r in $(seq 1 "$_bp_n"); do
    if [ "$_bp_first" = alternate ] && (( _bp_r % 2 == 0 )); then _bp_order=BA; else _bp_order=AB; fi
    _bp_orders+=("$_bp_order")
    echo "round $_bp_r ($_bp_order; load $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ $_bp_order = AB ]; then
      bench_timed A "$_bp_r" "$_bp_fa" || { echo "bench_pairs: $_bp_la failed in round $_bp_r" >&2; return 1; }
      _bp_ta=$bench_last; echo "   A $_bp_la: $_bp_ta s"
      bench_timed B "$_bp_r" "$_bp_fb" || { echo "bench_pairs: $_bp_lb failed in round $_bp_r" >&2; return 1; }
      _bp_tb=$bench_last; echo "   B $_bp_lb: $_bp_tb s"
    else
      bench_timed B "$_bp_r" "$_bp_fb" || { echo "bench_pairs: $_bp_lb failed in round $_bp_r" >&2; return 1; }
      _bp_tb=$bench_last; echo "   B $_bp_lb: $_bp_tb s"
      bench_timed A "$_bp_r" "$_bp_fa" || { echo "bench_pairs: $_bp_la failed in round $_bp_r" >&2; return 1; }
      _bp_ta=$bench_last; echo "   A $_bp_la: $_bp_ta s"
    fi
    pairs_a+=("$_bp_ta") pairs_b+=("$_bp_tb")
    pairs_r+=("$(awk -v a="$_bp_ta" -v b="$_bp_tb" 'BEGIN {printf "%.3f", b / a}')")
    echo "   t_B/t_A = ${pairs_r[-1]}"
  done
  pairs_median=$(bench_median "${pairs_r[@]}")
  pairs_min=$(printf '%s\n' "${pairs_r[@]}" | sort -g | head -1)
  pairs_max=$(printf '%s\n' "${pairs_r[@]}" | sort -g | tail -1)
  echo
  echo "| round | order | A: ${_bp_la//|/\\|} (s) | B: ${_bp_lb//|/\\|} (s) | t_B/t_A |"
  echo "|---|---|---|---|---|"
  for _bp_r in "${!pairs_r[@]}"; do
    echo "| $((_bp_r + 1)) | ${_bp_orders[$_bp_r]} | ${pairs_a[$_bp_r]} | ${pairs_b[$_bp_r]} | ${pairs_r[$_bp_r]} |"
  done
  _bp_line="$_bp_lb/$_bp_la: median t_B/t_A $pairs_median, spread $pairs_min-$pairs_max ($_bp_n rounds);"
  _bp_line+=" median A $(bench_median_fmt %.4f "${pairs_a[@]}") s, B $(bench_median_fmt %.4f "${pairs_b[@]}") s"
  echo "$_bp_line"
  echo
  if [ -n "${BENCH_SUMMARY:-}" ]; then echo "$_bp_line" >> "$BENCH_SUMMARY"; fi
}

# The machine's state, for the record: cores, load, other containers, busy compilers.
bench_machine() {
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(docker ps -q | wc -l) running containers," \
    "$(pgrep -c -x 'cc1plus|clang\+\+|clang|ld|mold' || true) compiler processes;" \
    "commit $(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
