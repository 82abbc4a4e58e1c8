#!/usr/bin/env bash
# e2e test of docs/getting-started.md (issue 18): the page's own sh blocks (tests/deploy/
# guide_blocks.py), run word by word in the page's order, from a copy of the source to a backup, a
# drill, a restore after deleting rows and a teardown that leaves nothing behind. Each block runs
# in a pseudo-terminal (script), as typed by a user: `docker-compose exec` gets its TTY.
# What differs from a user's machine, and only that:
#   - the source is copied from this tree (`git clone <this repository>` has no address here);
#   - the environment: BK_IMAGE_TAG/BACKUPCTL_IMAGE (an image tag of this run), POSTGRES_IMAGE
#     (the local test image, no registry), COMPOSE_PROJECT_NAME (the operator's project) and
#     BACKUPCTL_HTTP_PORT (a free port);
#   - the example app's project `-p shop` (so its target `shop-db`) and the dashboard's
#     127.0.0.1:8080 in the commands: unique per run, as other tests share the engine.
# Between blocks it checks what the page says the user sees, and what the operator must be: uid
# 10001 with the socket's group and no capabilities, no file foreign to it in its volumes, never
# on the app's network.
#   tests/deploy/guide_e2e.sh BUILD_DIR
set -euo pipefail
build_dir=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
page=$root/docs/getting-started.md

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*" >&2; }

export $(grep -E '^BK_TEST_POSTGRES_IMAGE=' "$build_dir/test-images.env")
[ -n "${BK_TEST_POSTGRES_IMAGE:-}" ] || fail "no BK_TEST_POSTGRES_IMAGE in $build_dir/test-images.env"
for c in docker docker-compose script curl python3 git; do
  command -v "$c" >/dev/null || fail "$c is not installed (scripts/lib.sh installs it)"
done

work=$(mktemp -d /var/tmp/bk-guide.XXXXXX)
app=bkguideapp$$
op=bkguideop$$
image=backupctl:e2e-guide$$
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  if [ -d "$work/backupctl/compose" ]; then
    (cd "$work/backupctl/compose" &&
      docker-compose -p "$app" -f example-app/docker-compose.yml down -v >/dev/null 2>&1 || true
      COMPOSE_PROJECT_NAME=$op docker-compose down -v >/dev/null 2>&1 || true)
  fi
  docker image rm --no-prune "$image" >/dev/null 2>&1 || true   # the tag; the build cache stays
  rm -rf "$work"
}
trap cleanup EXIT

export BK_IMAGE_TAG=$image BACKUPCTL_IMAGE=$image POSTGRES_IMAGE=$BK_TEST_POSTGRES_IMAGE
export COMPOSE_PROJECT_NAME=$op BACKUPCTL_HTTP_PORT=$port

# The page's blocks: every sh block is a step or an alternative (guide_blocks.py refuses others).
python3 "$root/tests/deploy/guide_blocks.py" "$page" "$work/blocks" >"$work/blocks.txt"
mapfile -t steps < <(awk '$1 == "step" {print $2}' "$work/blocks.txt")
[ "${#steps[@]}" -ge 8 ] || fail "only ${#steps[@]} steps in $page"
next=0
printf '%s\n' "$work" >"$work/cwd"
# The source as a clone of this tree would have it: tracked and new files, not the build trees.
cat >"$work/copy_source.sh" <<EOF
set -euo pipefail
dest=\$PWD/\$1
mkdir "\$dest"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  cd "$root"
  git ls-files -co --exclude-standard | while IFS= read -r f; do [ ! -e "\$f" ] || printf '%s\n' "\$f"; done |
    tar -T - -cf - | tar -xf - -C "\$dest"
else
  tar -C "$root" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "\$dest"
fi
EOF

# Runs the page's next block, which must be $1, and leaves its output in $work/$1.out.
step() {
  local id=$1 n file run t0
  [ "$next" -lt "${#steps[@]}" ] || fail "the test asked for step '$id' but the page has no more steps"
  [ "${steps[$next]}" = "$id" ] || fail "the page's next step is '${steps[$next]}', the test expected '$id'"
  next=$((next + 1))
  n=$(printf '%02d' "$next")
  file=$work/blocks/$n-$id.sh
  run=$work/run-$id.sh
  {
    # A terminal's size, as a user's has (script's pty has none, and psql would page even one row).
    printf 'stty rows 50 cols 160 2>/dev/null || true\ncd %q\nset -e\n' "$(cat "$work/cwd")"
    sed -e "s|^git clone <this repository> backupctl\$|bash $work/copy_source.sh backupctl|" \
        -e "s|-p shop |-p $app |g" -e "s|shop-db|$app-db|g" \
        -e "s|http://127.0.0.1:8080|http://127.0.0.1:$port|g" "$file"
    printf 'pwd >%q\n' "$work/cwd"
  } >"$run"
  say "guide step $next: $id"
  sed 's/^/  $ /' "$file" >&2
  t0=$(date +%s%N)
  if ! script -qefc "bash $run" /dev/null </dev/null | tr -d '\r\000' | tee "$work/$id.out" >&2; then
    fail "the guide's step '$id' failed (its commands: $file)"
  fi
  printf '(step %s: %s ms)\n' "$id" $(( ($(date +%s%N) - t0) / 1000000 )) >&2
}
expect() {  # $1: step id, $2: extended regex its output must match, $3: what it means
  grep -Eq -- "$2" "$work/$1.out" || fail "step $1: $3 (no /$2/ in its output)"
}

step clone
[ -f "$work/backupctl/Dockerfile" ] || fail "no Dockerfile in the copied source"

step build
docker image inspect "$image" >/dev/null || fail "scripts/build-image.sh made no image $image"
size=$(docker image inspect -f '{{.Size}}' "$image")
[ "$size" -le 125000000 ] || fail "the runtime image is $size bytes, more than 125 MB"

step start-operator
cid=$(docker-compose -f "$work/backupctl/compose/docker-compose.yml" ps -q backupctl)
[ -n "$cid" ] || fail "no backupctl container after docker-compose up"
# A user reads the next lines before typing `docker-compose ps`: wait until the container's own
# health check command passes (at most 20 s).
ok=""
for _ in $(seq 1 200); do
  if docker exec "$cid" backupctl health --quick >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || { docker logs "$cid" 2>&1 | tail -20; fail "backupctl health --quick never passed"; }
# Non-root, with the socket's group, no capabilities.
[ "$(docker exec "$cid" stat -c %u /proc/1)" = 10001 ] || fail "PID 1 does not run as uid 10001"
groups=$(docker exec "$cid" awk '/^Groups:/ {print $2}' /proc/1/status)
[ "$groups" = "$(stat -c %g /var/run/docker.sock)" ] ||
  fail "supplementary groups of PID 1 are '$groups', expected the socket's group $(stat -c %g /var/run/docker.sock)"
[ "$(docker exec "$cid" awk '/^CapEff:/ {print $2}' /proc/1/status)" = 0000000000000000 ] ||
  fail "PID 1 has capabilities"

step check-operator
expect check-operator "Up" "docker-compose ps does not show the operator up"

step start-app
expect start-app "$app-db" "discover does not list the example app's target"
expect start-app "accepting connections" "pg_isready never said the server accepts connections"

step add-data
expect add-data "INSERT 0 500" "the 500 rows were not inserted"

step backup
expect backup "snapshot" "run printed no snapshot"
expect backup "$app-db: drill passed" "the drill did not pass"
expect backup "[1-9][0-9]* tables equal" "the drill compared no table"
docker exec "$cid" sh -c 'find /var/lib/backupctl /backups ! -user 10001' >"$work/foreign.txt"
[ ! -s "$work/foreign.txt" ] || fail "files not owned by uid 10001 in the state or backup volume: $(head -5 "$work/foreign.txt")"
# The operator never joined the app's network, and the dump containers are gone.
db=$(docker-compose -p "$app" -f "$work/backupctl/compose/example-app/docker-compose.yml" ps -q db)
on_net=$(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "${app}_default" | xargs)
[ "$on_net" = "$(docker inspect -f '{{.Name}}' "$db" | tr -d /)" ] || fail "containers on ${app}_default after the backup: '$on_net'"

step api
expect api "\"name\": ?\"$app-db\"" "the API does not list the target"

step restore
expect restore "DELETE 400" "the rows were not deleted"
grep -A3 'count' "$work/restore.out" | grep -Eq '^ *500$' || fail "the restore did not bring the 500 rows back"

step teardown
[ "$next" = "${#steps[@]}" ] || fail "the test ran $next of the page's ${#steps[@]} steps"
left=$(docker ps -aq --filter "label=com.docker.compose.project=$app")
left+=$(docker ps -aq --filter "label=com.docker.compose.project=$op")
[ -z "$left" ] || fail "containers left after the teardown: $left"
for n in "${app}_default" "${op}_default"; do
  if docker network inspect "$n" >/dev/null 2>&1; then fail "network $n left after the teardown"; fi
done
for v in "${app}_db" "${op}_state" "${op}_backups"; do
  if docker volume inspect "$v" >/dev/null 2>&1; then fail "volume $v left after the teardown"; fi
done
printf '\nPASS: the guide, %s steps\n' "$next"
