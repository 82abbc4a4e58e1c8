#!/usr/bin/env bash
# Lint (a step of .ci/run: the format check first, the tidy pass beside the sanitizer tests):
#   - clang-format --dry-run --Werror over every C++ file in git (.clang-format);
#   - clang-tidy with the checks of .clang-tidy, every warning an error, over the translation
#     units of src/, docker-api/ and labels/ whose file differs from the clean state recorded in
#     .ci/tidy-clean (a .cpp changed, or the .cpp beside a changed header), or over all of them
#     with --all (also without .ci/tidy-clean). A whole-tree pass is most of an hour on 2 cores
#     beside the tests, too much for every CI run: after one comes out clean,
#     `scripts/lint.sh --record COMMIT` records that commit's files (blob ids: no history needed,
#     so CI's shallow clone compares too).
#   scripts/lint.sh [--all] [--format-only|--tidy-only] [--record COMMIT] [BUILD_DIR]    (BUILD_DIR: a configured tree with
#                                                           compile_commands.json; default build)
# Exit 1 when a file is not formatted or clang-tidy warns; the offending lines are printed.
source "$(dirname "$0")/lib.sh"

all=0; format_only=0; tidy_only=0; build_dir=$BK_ROOT/build
while [ $# -gt 0 ]; do
  case $1 in
    --all) all=1 ;;
    --format-only) format_only=1 ;;
    --tidy-only) tidy_only=1 ;;
    --record) # after a clean whole pass: .ci/tidy-clean from that commit's tree
      git -C "$BK_ROOT" ls-tree -r "${2:?--record COMMIT}" -- src docker-api labels |
        awk '$4 ~ /\.(cpp|hpp|h|cc)$/ {print $3, $4}' >"$BK_ROOT/.ci/tidy-clean"
      exit 0 ;;
    -*) die "unknown option $1" ;;
    *) build_dir=$1 ;;
  esac
  shift
done
cd "$BK_ROOT"
# Only the lint needs these (Debian's clang 14 tools): not part of scripts/lib.sh's packages, so
# that the demo does not install them.
BK_APT_PACKAGES=(clang-format git)
[ $format_only = 1 ] || BK_APT_PACKAGES+=(clang-tidy python3)
install_deps

rc=0
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
if [ $tidy_only = 1 ]; then
  :
elif ! out=$(clang-format --dry-run --Werror "${sources[@]}" 2>&1); then
  printf '%s\n' "$out" | grep -E '^[^ ].*: (error|warning):' | sed -n '1,40p' >&2
  n=$(printf '%s\n' "$out" | grep -E '^[^ ].*: (error|warning):' | cut -d: -f1 | sort -u | wc -l)
  log "clang-format: $n file(s) not formatted (clang-format -i FILE, with the repo's .clang-format)"
  rc=1
else
  log "clang-format: ${#sources[@]} files formatted"
fi
[ $format_only = 0 ] || exit $rc

[ -f "$build_dir/compile_commands.json" ] ||
  die "no $build_dir/compile_commands.json: build first (scripts/test.sh --build-only)"
# The translation units of the operator's code (src/, docker-api/, labels/; the tests are
# formatted but not tidied: Catch's macros trip half the checks), the changed ones unless --all.
mapfile -t units < <(python3 - "$build_dir/compile_commands.json" "$BK_ROOT" <<'PY'
import json, os, sys
db, root = sys.argv[1], sys.argv[2]
seen = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, root)
    if rel.startswith(("src/", "docker-api/", "labels/")) and rel not in seen:
        seen.add(rel)
        print(rel)
PY
)
# .ci/tidy-clean: "<blob> <path>" of every source file at the last commit tidied clean as a
# whole (git ls-tree of that commit; `scripts/lint.sh --record COMMIT` writes it). Comparing the
# files' contents with it needs no history, so a shallow clone (CI's) tidies only what changed.
if [ $all = 0 ] && [ ! -s .ci/tidy-clean ]; then
  log "no .ci/tidy-clean: tidying every unit"
  all=1
fi
if [ $all = 0 ]; then
  declare -A clean=()
  while read -r blob path; do clean[$path]=$blob; done <.ci/tidy-clean
  mapfile -t files < <(git ls-files -co --exclude-standard -- src docker-api labels |
                       grep -E '\.(cpp|hpp|h|cc)$')
  mapfile -t blobs < <(printf '%s\n' "${files[@]}" | git hash-object --stdin-paths)
  declare -A want=()
  for i in "${!files[@]}"; do
    [ "${clean[${files[$i]}]:-}" = "${blobs[$i]}" ] || want[${files[$i]%.*}]=1
  done
  picked=()
  for u in "${units[@]}"; do [ -n "${want[${u%.*}]:-}" ] && picked+=("$u"); done
  units=("${picked[@]}")
  log "clang-tidy: ${#units[@]} translation unit(s) changed since the clean state in .ci/tidy-clean"
else
  log "clang-tidy: all ${#units[@]} translation units"
fi
[ ${#units[@]} -gt 0 ] || exit $rc
tidy_log=$(mktemp /tmp/bk-tidy.XXXXXX)
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy -p "$build_dir" --quiet --warnings-as-errors='*' >"$tidy_log" 2>&1 ||
  { grep -E ': (error|warning):' "$tidy_log" | sort -u | sed -n '1,60p' >&2
    log "clang-tidy: $(grep -cE ': (error|warning):' "$tidy_log") finding(s), full output in $tidy_log"
    exit 1; }
rm -f "$tidy_log"
log "clang-tidy: clean"
exit $rc
