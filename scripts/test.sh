#!/usr/bin/env bash
# The test command of the README: installs what is missing (apt), builds, makes sure a Docker
# engine answers (starts dockerd when none does and we are root), builds the test images, runs
# every test (unit, integration, e2e), and removes every container, network and volume the tests
# made. Options:
#   --sanitize   build with ASan+UBSan into build-asan and run the tests there
#   --werror     warnings are errors
#   -L LABEL     only tests with this ctest label (unit, integration, e2e)
#   --build-only build the tree and the test images, run nothing (.ci/run compiles the sanitizer
#                tree this way while the release tests run)
source "$(dirname "$0")/lib.sh"

sanitize=0; werror=0; label=""; build_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --sanitize) sanitize=1 ;;
    --werror) werror=1 ;;
    --build-only) build_only=1 ;;
    -L) label=$2; shift ;;
    *) die "unknown option $1" ;;
  esac
  shift
done

install_deps
ensure_docker

build_args=(-DBK_BUILD_TESTS=ON -DBK_BUILD_BENCH=ON -DBK_WERROR=$([ $werror = 1 ] && echo ON || echo OFF))
if [ $sanitize = 1 ]; then
  BK_BUILD=$BK_ROOT/build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
# The test images (debootstrap: mostly download and unpack) are made while the compiler runs.
mkdir -p "$BK_BUILD"
images_log=$BK_BUILD/test-images.log
bash "$BK_ROOT/scripts/build-test-images.sh" "$BK_BUILD/test-images.env" >"$images_log" 2>&1 &
images_pid=$!
build_rc=0
if [ $sanitize = 1 ]; then
  build_project Debug "${build_args[@]}" -DBK_SANITIZE="address;undefined" || build_rc=$?
else
  build_project RelWithDebInfo "${build_args[@]}" || build_rc=$?
fi
[ $build_rc = 0 ] || { kill $images_pid 2>/dev/null || true; die "the build failed"; }
wait $images_pid || { cat "$images_log" >&2; die "building the test images failed"; }
[ $build_only = 0 ] || exit 0

cleanup() {
  # Whatever a test left behind, by the labels the tests put on what they make.
  local ids
  ids=$(for l in bk.test backupctl.test backupctl.ephemeral; do
          docker ps -aq --filter "label=$l" 2>/dev/null
        done | sort -u)
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  ids=$(docker network ls -q --filter label=bk.test 2>/dev/null)
  [ -z "$ids" ] || docker network rm $ids >/dev/null 2>&1 || true
  ids=$(docker volume ls -q --filter label=bk.test 2>/dev/null)
  [ -z "$ids" ] || docker volume rm $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

cd "$BK_BUILD"
# The engine is a resource of two slots: e2e tests run two at a time, those tagged
# [engine-alone] alone (tests/CMakeLists.txt).
ctest_args=(--output-on-failure --timeout 900 --resource-spec-file "$BK_ROOT/tests/engine-slots.json")
[ -z "$label" ] || ctest_args+=(-L "$label")
if [ $sanitize = 1 ] && [ -z "$label" ]; then
  # Under ASan+UBSan: every unit and integration test (the parsers, the stream demux, the HTTP
  # exchanges, the fuzz corpora, the application with fakes), and the e2e tests that drive the
  # most of the operator's own code end to end: 1 GiB through attach, the gpg round trip, the
  # tampered snapshot, kill -9 and recovery, the HTTP API, the hostile labels. The release pass
  # has run every e2e test already; running all of them twice cost CI 20 minutes.
  asan_e2e='^e2e\.(1 GiB through attach|postgres round trip through gpg|a truncated or tampered|daemon: kill -9 mid-dump|api: token required|an impostor)'
  rc=0
  ctest "${ctest_args[@]}" -j 2 -L 'unit|integration' || rc=$?
  ctest "${ctest_args[@]}" -j 2 -R "$asan_e2e" || rc=$?
  exit $rc
fi
# Two at a time; an e2e test takes one or both of the engine's slots.
ctest "${ctest_args[@]}" -j 2
