#!/usr/bin/env bash
# e2e test of the socket proxy's allowlist (compose/socket-proxy/haproxy.cfg) against Debian's
# haproxy and the real dockerd, in seconds: the shipped file, only its listener moved to a unix
# socket in a temporary directory and its backend to this engine's socket. Every hostile body must
# get haproxy's 403 (never reach the engine); backupctl's own kinds of request must pass.
#   tests/deploy/socket_proxy_e2e.sh BUILD_DIR
set -euo pipefail
build_dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib.sh"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

export $(grep -E '^BK_TEST_BASE_IMAGE=' "$build_dir/test-images.env")
[ -n "${BK_TEST_BASE_IMAGE:-}" ] || fail "no BK_TEST_BASE_IMAGE in $build_dir/test-images.env"
command -v haproxy >/dev/null || fail "haproxy is not installed (scripts/lib.sh installs it)"
engine=$(docker_socket)
[ -n "$engine" ] || fail "the engine must be a unix socket (DOCKER_HOST=${DOCKER_HOST:-})"

tag=bkproxy$$
work=$(mktemp -d /tmp/bk-proxy.XXXXXX)
haproxy_pid=
cleanup() {
  [ -z "$haproxy_pid" ] || kill "$haproxy_pid" 2>/dev/null || true
  ids=$(docker ps -aq --filter "label=bk.test=$tag")
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  docker volume rm "$tag-vol" "$tag-vol2" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

proxy=$work/proxy.sock
sed -e "s|^\( *bind \):2375\$|\1unix@$proxy|" -e "s|^\( *server docker \)/var/run/docker.sock\$|\1$engine|" \
  "$root/compose/socket-proxy/haproxy.cfg" >"$work/haproxy.cfg"
grep -q "bind unix@$proxy" "$work/haproxy.cfg" || fail "the listener line of haproxy.cfg changed"
grep -q "server docker $engine" "$work/haproxy.cfg" || fail "the backend line of haproxy.cfg changed"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 100); do
  curl -fsS --max-time 2 --unix-socket "$proxy" http://docker/_ping >/dev/null 2>&1 && break
  kill -0 "$haproxy_pid" 2>/dev/null || fail "haproxy exited: $(cat "$work/haproxy.log")"
  sleep 0.1
done
curl -fsS --max-time 2 --unix-socket "$proxy" http://docker/_ping >/dev/null || fail "the proxy does not answer"

# request METHOD PATH BODY_FILE|- [curl args...] -> "<status> <start of the body>"
request() {
  local method=$1 path=$2 body=$3; shift 3
  local code data=(--data-binary "@$body")
  [ "$body" != - ] || data=(-H 'Content-Length: 0')
  code=$(curl -sS --max-time 20 --unix-socket "$proxy" -o "$work/out" -w '%{http_code}' -X "$method" \
    -H 'Content-Type: application/json' "${data[@]}" "$@" "http://docker$path")
  printf '%s %s' "$code" "$(head -c 200 "$work/out" | tr -d '\r\n')"
}

n=0
# refused NAME JSON [curl args...]: the proxy answers 403 itself.
refused() {
  local name=$1 json=$2; shift 2
  n=$((n + 1))
  printf '%s' "$json" >"$work/body.$n"
  local got
  got=$(request POST "/v1.41/containers/create?name=$tag-$n" "$work/body.$n" "$@")
  [[ $got == "403 "*"Request forbidden by administrative rules"* ]] ||
    fail "$name: expected haproxy's 403, got: $got"
  printf 'ok   refused: %s\n' "$name"
}

labels='"Labels":{"bk.test":"'$tag'"}'
base='"Image":"'$BK_TEST_BASE_IMAGE'","Cmd":["true"],'$labels

# Go's encoding/json folds these keys onto HostConfig fields; haproxy's patterns work on bytes.
refused "VolumesFrom (the proxy's own socket)" '{'"$base"',"HostConfig":{"VolumesFrom":["socket-proxy"]}}'
refused "volumesfrom in lower case" '{'"$base"',"HostConfig":{"volumesfrom":["socket-proxy:ro"]}}'
refused "Binds with U+017F (ſ folds to s)" '{'"$base"',"HostConfig":{"Bind'$'\xc5\xbf''":["/:/host"]}}'
refused "NetworkMode with U+212A (Kelvin sign folds to k)" \
  '{'"$base"',"HostConfig":{"Networ'$'\xe2\x84\xaa''Mode":"host"}}'
refused "SecurityOpt with U+017F" '{'"$base"',"HostConfig":{"'$'\xc5\xbf''ecurityOpt":["seccomp=unconfined"]}}'
refused "a non-ASCII byte in a value" '{'"$base"',"Env":["X=caf'$'\xc3\xa9''"]}'
refused "MaskedPaths: [] (unmasks /proc)" '{'"$base"',"HostConfig":{"MaskedPaths":[]}}'
refused "ReadonlyPaths: [] (makes /proc/sys writable)" '{'"$base"',"HostConfig":{"ReadonlyPaths":[]}}'
refused "a \\u-escaped key" '{'"$base"',"HostConfig":{"\u0050rivileged":true}}'
refused "Privileged" '{'"$base"',"HostConfig":{"Privileged":true}}'
refused "Capabilities (API 1.40)" '{'"$base"',"HostConfig":{"Capabilities":["CAP_SYS_ADMIN"]}}'
refused "CgroupnsMode host" '{'"$base"',"HostConfig":{"CgroupnsMode":"host"}}'
# The hostile key beyond what haproxy buffers: headers that fill most of its buffer.
pad=$(head -c 12000 /dev/zero | tr '\0' a)
refused "a body larger than what haproxy buffers behind long headers" \
  '{'"$base"',"Env":["P='"${pad:0:5000}"'"],"HostConfig":{"Binds":["/:/host"]}}' -H "X-Pad: $pad"
refused "Binds of a host directory" '{'"$base"',"HostConfig":{"Binds":["/:/host"]}}'
refused "Binds: a host directory after a named volume" '{'"$base"',"HostConfig":{"Binds":["data:/data", "/etc:/host:ro"]}}'
refused "Binds of a relative path" '{'"$base"',"HostConfig":{"Binds":["./x:/host"]}}'
refused "Binds: a ']' inside an element hides the next one" '{'"$base"',"HostConfig":{"Binds":["x]", "/:/host"]}}'
refused "Binds: a quote inside an element" '{'"$base"',"HostConfig":{"Binds":["x\", \"/:/host"]}}'
refused "Mounts of any kind" '{'"$base"',"HostConfig":{"Mounts":[{"Type":"volume","Source":"data","Target":"/data"}]}}'
refused "a chunked body" '{'"$base"',"HostConfig":{"Binds":["/:/host"]}}' -H 'Transfer-Encoding: chunked'

# What backupctl sends: a create like a dump or client container's, a streamed (chunked) tar
# into it, start and wait without bodies.
printf '%s' '{'"$base"',"Entrypoint":[""],"User":"0:0","Env":["PGPASSFILE=/tmp/x"],"AttachStdin":true,"OpenStdin":true,"StdinOnce":true,"HostConfig":{"LogConfig":{"Type":"none"},"NetworkMode":"none"}}' >"$work/ok.json"
got=$(request POST "/v1.41/containers/create?name=$tag-ok" "$work/ok.json")
[[ $got == "201 "* ]] || fail "backupctl's kind of create: expected 201, got: $got"
id=$(sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p' "$work/out")
[ -n "$id" ] || fail "no container id in: $got"
printf 'ok   passed: a create like backupctl'"'"'s\n'
# A SQLite helper's create: the app's named volume at its own path, no network.
printf '%s' '{'"$base"',"Entrypoint":[""],"User":"0:0","HostConfig":{"LogConfig":{"Type":"none"},"NetworkMode":"none","Binds":["'"$tag"'-vol:/data", "'"$tag"'-vol2:/srv/x:ro"]}}' >"$work/helper.json"
got=$(request POST "/v1.41/containers/create?name=$tag-helper" "$work/helper.json")
[[ $got == "201 "* ]] || fail "a helper's create with named volumes: expected 201, got: $got"
printf 'ok   passed: a create with named volumes (a file kind'"'"'s helper)\n'
mkdir -p "$work/tree/d" && printf 'restored\n' >"$work/tree/d/f.txt" && chmod 0640 "$work/tree/d/f.txt"
tar -C "$work/tree" --owner=1234 --group=4321 --numeric-owner -cf "$work/tree.tar" d
code=$(curl -sS --max-time 20 --unix-socket "$proxy" -o "$work/out" -w '%{http_code}' -X PUT \
  -H 'Content-Type: application/x-tar' -H 'Transfer-Encoding: chunked' --data-binary "@$work/tree.tar" \
  "http://docker/v1.41/containers/$id/archive?path=/tmp")
[ "$code" = 200 ] || fail "a chunked PUT /archive through the proxy: expected 200, got $code $(cat "$work/out")"
stat=$(docker cp "$id:/tmp/d/f.txt" - | tar -tvf - | awk '{print $1, $2}')
[ "$stat" = "-rw-r----- 1234/4321" ] || fail "the uploaded file came out as '$stat'"
printf 'ok   passed: a chunked tar upload, owner and mode kept\n'
got=$(request POST "/v1.41/containers/$id/start" -)
[[ $got == "204 "* ]] || fail "start without a body: expected 204, got: $got"
printf 'ok   passed: start without a body\n'

# Start with a body: before API 1.24 the engine applied a HostConfig given there.
printf '%s' '{'"$base"',"HostConfig":{"NetworkMode":"none"}}' >"$work/plain.json"
got=$(request POST "/v1.41/containers/create?name=$tag-late" "$work/plain.json")
[[ $got == "201 "* ]] || fail "a plain create: expected 201, got: $got"
late=$(sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p' "$work/out")
printf '%s' '{"Binds":["/:/host"],"Privileged":true}' >"$work/hc.json"
for path in "/v1.23/containers/$late/start" "/v1.41/containers/$late/start"; do
  got=$(request POST "$path" "$work/hc.json")
  [[ $got == "403 "*"Request forbidden by administrative rules"* ]] ||
    fail "start with a HostConfig body ($path): expected haproxy's 403, got: $got"
done
printf 'ok   refused: start with a HostConfig body, old and current API\n'
got=$(request GET "/v1.23/containers/json" -)
[[ $got == "403 "* ]] || fail "an API version below 1.24: expected 403, got: $got"
printf 'ok   refused: API versions below 1.24\n'

printf '\nPASS: socket proxy (%d hostile creates refused)\n' "$n"
