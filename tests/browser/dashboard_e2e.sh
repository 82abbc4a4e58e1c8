#!/usr/bin/env bash
# e2e.dashboard: three labelled targets on the real engine (fakedump image), the daemon with the
# HTTP API on a loopback port, two runs made with the CLI (one fails), a restore of blog (its
# safety backup stays, tagged pre-restore) and blog's first run recorded as crashed in the audit
# store (what recovery writes when the operator died after the snapshot was committed), then the
# dashboard driven in headless Chromium (tests/browser/dashboard.mjs, playwright-core from npm):
# the failed row's reason, the confirmation of "Back up now" with its run id, the snapshots with
# their safety and suspect marks. Screenshots go to BUILD_DIR/artifacts/ (docs/dashboard.png is
# one of them, committed).
set -euo pipefail
build=${1:?BUILD_DIR}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
source "$build/test-images.env"
bk=$build/src/backupctl
tag="dash$$"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  docker ps -aq --filter "label=bk.test=$tag" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network rm "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/daemon.log" ] && tail -20 "$work/daemon.log" >&2; exit 1; }

# playwright-core from the npm registry, once per build directory (Chromium is Debian's).
pw=$build/browser
if [ ! -d "$pw/node_modules/playwright-core" ]; then
  npm install --silent --no-audit --no-fund --prefix "$pw" playwright-core@1.52.0 >/dev/null
fi

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="dashboard-e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$token" >"$work/token"
docker network create --label "bk.test=$tag" "$tag" >/dev/null
start() {  # service mode
  docker run -d --name "$tag-$1" --network "$tag" --network-alias "$1" --label "bk.test=$tag" \
    --label "com.docker.compose.project=$tag" --label "com.docker.compose.service=$1" \
    --label backupctl.enable=true --label "backupctl.scope=$tag" \
    --label backupctl.db.type=postgres --label "backupctl.db.name=$2" \
    --label "backupctl.db.image=$BK_TEST_FAKEDUMP_IMAGE" -e POSTGRES_PASSWORD=x \
    "$BK_TEST_BASE_IMAGE" sleep 600 >/dev/null
}
start shop slow
start blog app
start legacy failing
cat >"$work/config.yml" <<YAML
state_dir: $work/state
scope: $tag
repositories:
  default: {url: $work/repo, password: dashboard-e2e, init: true}
security:
  dump_images: ["backupctl-test/fakedump:*"]
defaults:
  catch_up: skip
http:
  listen: 127.0.0.1:$port
  token_file: $work/token
YAML
"$bk" --config "$work/config.yml" run "$tag-blog" >/dev/null || fail "the run of blog failed"
"$bk" --config "$work/config.yml" run "$tag-legacy" >/dev/null && fail "the run of legacy should fail"
# A restore into blog takes a safety backup first (whatever the load then does: blog runs no server).
"$bk" --config "$work/config.yml" restore "$tag-blog" --yes >"$work/restore.log" 2>&1 || true
grep -q "safety" "$work/restore.log" || { cat "$work/restore.log" >&2; fail "the restore took no safety backup"; }
first_run=$(sqlite3 "$work/state/audit.db" \
  "SELECT id FROM runs WHERE target='$tag-blog' AND kind='backup' AND trigger='manual' ORDER BY started_at LIMIT 1")
[ -n "$first_run" ] || fail "no run of blog in the audit store"
sqlite3 "$work/state/audit.db" \
  "UPDATE runs SET status='crashed', error='the operator died (e2e)' WHERE id='$first_run'"
"$bk" --config "$work/config.yml" daemon >"$work/daemon.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || fail "the daemon's HTTP server did not come up"

mkdir -p "$build/artifacts"
cp "$here/tests/browser/dashboard.mjs" "$pw/"  # an ES module finds playwright-core beside it
BK_URL="http://127.0.0.1:$port/" BK_TOKEN="$token" BK_TARGET="$tag-shop" BK_OTHERS="$tag-blog,$tag-legacy" \
  BK_MARKED="$tag-blog" BK_FAILING="$tag-legacy" \
  BK_SHOTS="$build/artifacts" node "$pw/dashboard.mjs" || fail "the browser test failed"
echo "screenshots: $build/artifacts/dashboard*.png"
