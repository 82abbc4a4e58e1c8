#!/usr/bin/env bash
# Shared helpers for the project's shell entry points. Sourced, never run.
set -euo pipefail

BK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BK_BUILD=${BK_BUILD:-$BK_ROOT/build}

log() { printf '[backupctl] %s\n' "$*" >&2; }
die() { printf '[backupctl] error: %s\n' "$*" >&2; exit 1; }

# Debian packages the build, the tests and the demo need. One list, used by every entry point.
BK_APT_PACKAGES=(
  tzdata
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libyaml-cpp-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3 libspdlog-dev catch2 libcli11-dev libarchive-dev libssl-dev
  docker.io docker-compose restic gnupg debootstrap procps
  openssl python3 python3-aiosmtpd prometheus chromium nodejs npm
  rclone openssh-client haproxy
)

install_deps() {
  local missing=()
  for p in "${BK_APT_PACKAGES[@]}"; do
    # A Node.js from elsewhere (NodeSource) brings its own npm and conflicts with Debian's.
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
  log "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

docker_socket() {
  local host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  case $host in unix://*) printf '%s' "${host#unix://}" ;; *) printf '' ;; esac
}

docker_ping() {
  local sock; sock=$(docker_socket)
  if [ -n "$sock" ]; then
    curl -fsS --max-time 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1
  else
    curl -fsS --max-time 2 "http://${DOCKER_HOST#tcp://}/_ping" >/dev/null 2>&1
  fi
}

# Makes sure a Docker engine answers. Starts dockerd only when none answers and we are root;
# a daemon that already runs is left alone.
ensure_docker() {
  if docker_ping; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "no Docker engine answers at ${DOCKER_HOST:-/var/run/docker.sock} and we are not root"
  [ -z "${DOCKER_HOST:-}" ] || die "no Docker engine answers at $DOCKER_HOST"
  log "starting dockerd (log: /var/log/backupctl-dockerd.log)"
  nohup dockerd >/var/log/backupctl-dockerd.log 2>&1 &
  local i
  for i in $(seq 1 120); do
    if docker_ping; then log "dockerd is up"; return 0; fi
    sleep 0.5
  done
  tail -20 /var/log/backupctl-dockerd.log >&2 || true
  die "dockerd did not answer /_ping within 60 s"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The mirror of the running system's apt sources (deb822 or one-line format) for bookworm.
apt_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
        BEGIN { RS=""; FS="\n" }
        { uri=""; ok=0
          for (i=1;i<=NF;i++) {
            if ($i ~ /^URIs:/) { split($i,a," "); uri=a[2] }
            if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) ok=1
            if ($i ~ /^Enabled: *no/) ok=0
          }
          if (ok && uri!="") { print uri; exit } }')
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1=="deb" { for(i=2;i<=NF;i++) if ($i !~ /^\[/ && $i ~ /:\/\//) { if ($(i+1)=="bookworm") { print $i; exit } } }')
  fi
  [ -n "$m" ] || die "no bookworm mirror found in the apt sources"
  printf '%s' "$m"
}

build_project() {
  local type=${1:-RelWithDebInfo}; shift || true
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$BK_ROOT" -B "$BK_BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${launcher[@]}" "$@" >/dev/null
  cmake --build "$BK_BUILD"
}
