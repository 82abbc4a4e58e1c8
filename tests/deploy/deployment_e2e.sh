#!/usr/bin/env bash
# e2e test of the real deployment (issue 7): the image built from the Dockerfile; the operator
# started from compose/docker-compose.yml by Debian's docker-compose runs a config project whose
# hooks reach the app by name; the entrypoint refuses root and a socket it cannot use, gives every
# local repository to uid 10001 or refuses one it must not chown; through
# compose/docker-compose.proxy.yml (haproxy allowlist) a labelled PostgreSQL in another compose
# project on another network is discovered, backed up and restored-checked, calls outside the
# list are refused with 403, and `docker-compose down` of the app still works afterwards.
# The plain operator path of compose/docker-compose.yml (labels, run, drill, restore, uid and
# groups, teardown) is tests/deploy/guide_e2e.sh, which runs docs/getting-started.md.
#   tests/deploy/deployment_e2e.sh BUILD_DIR
set -euo pipefail
build_dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib.sh"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*" >&2; }

export $(grep -E '^BK_TEST_(POSTGRES|BASE)_IMAGE=' "$build_dir/test-images.env")
[ -n "${BK_TEST_POSTGRES_IMAGE:-}" ] || fail "no BK_TEST_POSTGRES_IMAGE in $build_dir/test-images.env"
[ -n "${BK_TEST_BASE_IMAGE:-}" ] || fail "no BK_TEST_BASE_IMAGE in $build_dir/test-images.env"
command -v docker-compose >/dev/null || fail "docker-compose is not installed (scripts/lib.sh installs it)"

step "building the image from the Dockerfile"
image=$(BK_IMAGE_TAG=backupctl:e2e bash "$root/scripts/build-image.sh")
size=$(docker image inspect -f '{{.Size}}' "$image")
printf 'image %s: %s bytes\n' "$image" "$size"
[ "$size" -le 125000000 ] || fail "the runtime image is $size bytes, more than 125 MB"

work=$(mktemp -d /var/tmp/bk-deploy.XXXXXX)
app=bkdeployapp$$
op=bkdeployop$$
repo_vol=bkdeployrepo$$
export BACKUPCTL_HTTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  docker volume rm -f "$repo_vol" >/dev/null 2>&1 || true
  (cd "$work/compose" 2>/dev/null && {
     docker-compose -p "$op" down -v --remove-orphans >/dev/null 2>&1 || true
     docker-compose -p "$op" -f docker-compose.proxy.yml down -v --remove-orphans >/dev/null 2>&1 || true
     docker-compose -p "$app" -f example-app/docker-compose.yml down -v >/dev/null 2>&1 || true
  })
  docker rm -f "${app}-web" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -r "$root/compose" "$work/compose"
cd "$work/compose"

# As docs/getting-started.md says: a password and the API's token, readable by uid 10001 only.
mkdir -p secrets
head -c 32 /dev/urandom | base64 >secrets/restic_password
head -c 24 /dev/urandom | base64 >secrets/api_token
chown 10001 secrets/restic_password secrets/api_token
chmod 0400 secrets/restic_password secrets/api_token

step "the app: its own compose project and network"
export POSTGRES_IMAGE=$BK_TEST_POSTGRES_IMAGE POSTGRES_PASSWORD=app-secret-$$
docker-compose -p "$app" -f example-app/docker-compose.yml up -d
db=$(docker-compose -p "$app" -f example-app/docker-compose.yml ps -q db)
for _ in $(seq 1 120); do docker exec "$db" pg_isready -q -h 127.0.0.1 -U postgres 2>/dev/null && break; sleep 0.5; done
docker exec -i "$db" psql -q -v ON_ERROR_STOP=1 -U postgres -d shop <<'SQL'
CREATE TABLE orders (id serial PRIMARY KEY, customer text);
INSERT INTO orders (customer) SELECT 'customer ' || g FROM generate_series(1, 500) g;
SQL
app_net=${app}_default
target=${app}-db

run_operator_checks() {  # $1: compose file, $2: label for messages
  local file=$1 what=$2 cid healthy_at t0
  step "operator ($what): docker-compose up"
  export BACKUPCTL_IMAGE=$image
  t0=$(date +%s%N)
  docker-compose -p "$op" -f "$file" up -d
  cid=$(docker-compose -p "$op" -f "$file" ps -q backupctl)
  [ -n "$cid" ] || fail "no backupctl container"

  # Ready: `backupctl health --quick` passes inside (what the HEALTHCHECK runs).
  healthy_at=""
  for _ in $(seq 1 200); do
    if docker exec "$cid" backupctl health --quick >/dev/null 2>&1; then
      healthy_at=$(( ($(date +%s%N) - t0) / 1000000 )); break
    fi
    sleep 0.1
  done
  [ -n "$healthy_at" ] || { docker logs "$cid" | tail -20; fail "backupctl health never passed ($what)"; }
  printf 'start to health passing (%s): %s ms\n' "$what" "$healthy_at"

  # Non-root, with the socket's group (or none behind the proxy), no capabilities.
  local uid groups
  uid=$(docker exec "$cid" stat -c %u /proc/1)
  [ "$uid" = 10001 ] || fail "PID 1 runs as uid $uid, not 10001 ($what)"
  groups=$(docker exec "$cid" awk '/^Groups:/ {print $2}' /proc/1/status)
  if [ "$what" = socket ]; then
    [ "$groups" = "$(stat -c %g /var/run/docker.sock)" ] ||
      fail "supplementary groups of PID 1 are '$groups', expected the socket's group $(stat -c %g /var/run/docker.sock)"
  fi
  [ "$(docker exec "$cid" awk '/^CapEff:/ {print $2}' /proc/1/status)" = 0000000000000000 ] ||
    fail "PID 1 has capabilities ($what)"

  step "discover and back up through the operator ($what)"
  docker exec "$cid" backupctl discover | tee "$work/discover.txt"
  grep -q "$target" "$work/discover.txt" || fail "$target not discovered ($what)"
  # The target never had a backup, so the daemon starts one by itself (catch-up): wait for it.
  local ok=""
  for _ in $(seq 1 240); do
    if docker exec "$cid" backupctl status --json 2>/dev/null | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["target"] == sys.argv[1]]
sys.exit(0 if rows and (rows[0].get("backup") or {}).get("status") == "success" else 1)' "$target"
    then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || { docker exec "$cid" backupctl history --last 5; fail "the daemon's catch-up backup of $target did not succeed ($what)"; }
  # (`backupctl run` by hand: tests/deploy/guide_e2e.sh, through the socket.)
  docker exec "$cid" backupctl snapshots "$target" | tee "$work/snapshots.txt"
  grep -q "shop" "$work/snapshots.txt" || fail "no snapshot of database shop ($what)"
  docker exec "$cid" backupctl verify "$target" || fail "restore drill of $target failed ($what)"
  # The full health check after a backup: the repository, disk space and clock too.
  docker exec "$cid" backupctl health || fail "backupctl health (full) failed ($what)"
  docker exec "$cid" sh -c 'find /var/lib/backupctl /backups ! -user 10001' | tee "$work/foreign.txt"
  [ ! -s "$work/foreign.txt" ] || fail "files not owned by uid 10001 in the state or backup volume ($what)"

  # The operator never joined the app's network, and the dump containers have left it.
  # (A config project's run may still be in flight and have the operator on the network for its
  # hooks: it leaves at the end of that run.)
  local on_net
  for _ in $(seq 1 120); do
    on_net=$(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$app_net" |
             tr ' ' '\n' | grep -v "^${app}-web$" | xargs || true)
    [ "$on_net" = "$(docker inspect -f '{{.Name}}' "$db" | tr -d /)" ] && break
    sleep 0.5
  done
  [ "$on_net" = "$(docker inspect -f '{{.Name}}' "$db" | tr -d /)" ] ||
    fail "containers on $app_net after the backup: '$on_net' ($what)"
  [ -z "$(docker ps -aq --filter label=backupctl.ephemeral)" ] || fail "dump containers left ($what)"
}

# A config project (the original backupctl's shape) on the same database, whose hooks curl the
# app by name: they run in the operator's container, which joins the app's network for them.
web=${app}-web
start_web() {
  docker run -d --name "$web" --network "$app_net" --network-alias web "$BK_TEST_BASE_IMAGE" \
    sh -c 'mkdir -p /www/maintenance && echo on >/www/maintenance/on && echo off >/www/maintenance/off &&
           exec busybox httpd -f -vv -p 8080 -h /www' >/dev/null
}
start_web
cp config.yml config.base.yml
cat >>config.yml <<EOF
projects:
  - name: shopproj
    docker_network: $app_net
    database: {type: postgres, host: db, name: shop, user: postgres, password: $POSTGRES_PASSWORD}
    restic: {repository_path: /backups/shopproj, password_file: /run/secrets/restic_password, init: true}
    hooks: {pre_backup: "curl -fsS http://web:8080/maintenance/on", post_backup: "curl -fsS http://web:8080/maintenance/off"}
EOF

step "operator (socket): docker-compose up"
export BACKUPCTL_IMAGE=$image
docker-compose -p "$op" up -d
cid=$(docker-compose -p "$op" ps -q backupctl)
[ -n "$cid" ] || fail "no backupctl container"

step "a project's hooks reach the app by name; the operator leaves the app's network"
project_run() {  # $1: what
  local hits_before hits
  hits_before=$(docker logs "$web" 2>&1 | grep -c 'url:/maintenance/' || true)
  docker exec "$cid" backupctl run shopproj || { docker exec "$cid" backupctl history shopproj --last 3; fail "backupctl run shopproj failed ($1)"; }
  hits=$(docker logs "$web" 2>&1 | grep -c 'url:/maintenance/' || true)
  [ $((hits - hits_before)) -eq 2 ] || fail "the hooks reached the app $((hits - hits_before)) times, not 2 ($1)"
  [ -z "$(docker inspect -f '{{range $n, $e := .NetworkSettings.Networks}}{{if eq $n "'"$app_net"'"}}{{$n}}{{end}}{{end}}' "$cid")" ] ||
    fail "the operator is still on $app_net after the run ($1)"
}
# The daemon's catch-up of the never backed-up project came first (its hooks too).
for _ in $(seq 1 240); do
  docker exec "$cid" backupctl history shopproj --json 2>/dev/null | grep -q '"success"' && break
  sleep 0.5
done
project_run "first"
docker rm -f "$web" >/dev/null
start_web   # the app force-recreated: a new container behind the same name
project_run "after the app was recreated"
run_id=$(docker exec "$cid" backupctl history shopproj --last 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
docker exec "$cid" backupctl history --run "$run_id" --json | grep -q "join network $app_net" ||
  fail "no 'join network' step recorded"
docker rm -f "$web" >/dev/null
docker-compose -p "$op" down -v
cp config.base.yml config.yml

step "the entrypoint refuses root unless told"
out=$(docker run --rm -e BACKUPCTL_UID=0 -v /var/run/docker.sock:/var/run/docker.sock "$image" engine 2>&1) &&
  fail "BACKUPCTL_UID=0 was accepted: $out"
grep -q "refusing to run backupctl as root" <<<"$out" || fail "no clear refusal: $out"
out=$(docker run --rm --user 10001 -v /var/run/docker.sock:/var/run/docker.sock "$image" engine 2>&1) &&
  fail "uid 10001 without the socket group reached the engine: $out"
grep -q "group_add" <<<"$out" || fail "no hint at group_add: $out"

step "the entrypoint gives every local repository to uid 10001, or refuses clearly"
mkdir -p "$work/repo"
repo_config() {  # $1: the url of a second repository
  printf 'repositories:\n  default: {url: /backups/restic, password: x, init: true}\n  other: {url: %s, password: x, init: true}\n' "$1" >"$work/repo/config.yml"
}
on_repo() {  # the image with that config, the socket and the volume at /srv/repos
  docker run --rm -v /var/run/docker.sock:/var/run/docker.sock \
    -v "$work/repo/config.yml:/etc/backupctl/config.yml:ro" -v "$repo_vol:/srv/repos" "$@"
}
# A fresh volume mounted for a repository is root's, as a host directory usually is.
repo_config /srv/repos/shop/restic
out=$(on_repo "$image" engine 2>&1) || fail "backupctl engine with a repository in /srv/repos failed: $out"
grep -q "making /srv/repos/shop/restic for uid 10001" <<<"$out" || fail "the entrypoint did not say it made the repository's directory: $out"
on_repo --user 10001 --entrypoint touch "$image" /srv/repos/shop/restic/probe ||
  fail "uid 10001 cannot write in the repository's directory /srv/repos/shop/restic"
on_repo --entrypoint chown "$image" -R 0:0 /srv/repos/shop   # given back to root: chowned again
out=$(on_repo "$image" engine 2>&1) || fail "backupctl engine failed: $out"
grep -q "giving /srv/repos/shop/restic to uid 10001 (was 0:0)" <<<"$out" || fail "the entrypoint did not give the repository to uid 10001: $out"
# Not on a volume (lost with the container), or in a system directory: refused, with the fix.
repo_config /srv/elsewhere/restic
out=$(on_repo "$image" engine 2>&1) && fail "a repository outside any volume was accepted: $out"
grep -q "/srv/elsewhere/restic is not on a volume.*Mount a volume" <<<"$out" || fail "no clear refusal of a repository outside a volume: $out"
repo_config local:/etc/restic
out=$(on_repo "$image" engine 2>&1) && fail "a repository in /etc was accepted: $out"
grep -q "/etc/restic (a repository or the state directory) is in a system directory" <<<"$out" || fail "no clear refusal of a repository in /etc: $out"

step "behind the haproxy socket proxy"
export BACKUPCTL_PROXY_IMAGE=backupctl-socket-proxy:e2e
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE_IMAGE="$(bash "$root/scripts/build-image.sh" --print-base)" \
  -t "$BACKUPCTL_PROXY_IMAGE" socket-proxy >/dev/null
run_operator_checks docker-compose.proxy.yml proxy
cid=$(docker-compose -p "$op" -f docker-compose.proxy.yml ps -q backupctl)
# Outside the allowlist: 403 from the proxy, never the engine's answer.
code=$(docker exec "$cid" bash -c 'exec 3<>/dev/tcp/socket-proxy/2375; printf "GET /v1.41/images/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >&3; head -1 <&3' | tr -d '\r')
[[ $code == *" 403 "* ]] || fail "GET /images/json through the proxy answered '$code', expected 403"
body='{"Image":"x","HostConfig":{"Privileged":true}}'
code=$(docker exec "$cid" bash -c "exec 3<>/dev/tcp/socket-proxy/2375; printf 'POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n%s' '$body' >&3; head -1 <&3" | tr -d '\r')
[[ $code == *" 403 "* ]] || fail "a privileged create through the proxy answered '$code', expected 403"
docker-compose -p "$op" -f docker-compose.proxy.yml down -v

step "docker-compose down of the app still works"
docker-compose -p "$app" -f example-app/docker-compose.yml down -v || fail "docker-compose down of the app failed"
if docker network inspect "$app_net" >/dev/null 2>&1; then fail "$app_net is still there"; fi
printf '\nPASS: deployment\n'
