#!/bin/bash
# Entrypoint of the backupctl image. Started as root, it only finds the group that owns the
# mounted Docker socket, makes the state directory the service user's, and then runs backupctl
# as that user (uid 10001 unless BACKUPCTL_UID says otherwise) with the socket's group as its only
# supplementary group, without capabilities. So no `group_add` with a distribution-specific gid is
# needed. It refuses to run backupctl as root unless BACKUPCTL_ALLOW_ROOT=1.
# Started as a non-root user (compose `user:`), it checks that the socket is usable and says how
# to fix it when it is not.
# It is /usr/local/bin/backupctl in the image; the program itself is /usr/local/lib/backupctl/.
set -euo pipefail
bin=/usr/local/lib/backupctl/backupctl

say() { printf 'backupctl (entrypoint): %s\n' "$*" >&2; }
die() { say "error: $*"; exit 78; }  # 78: EX_CONFIG, a restart loop shows the reason

uid=${BACKUPCTL_UID:-10001}
gid=${BACKUPCTL_GID:-10001}
state_dir=/var/lib/backupctl

# The socket named by DOCKER_HOST (unix://...), else the default one. A tcp:// host (a socket
# proxy) needs no group at all.
host=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=""
case $host in
  unix://*) socket=${host#unix://} ;;
esac

if [ "$(id -u)" != 0 ]; then
  if [ -n "$socket" ] && [ -S "$socket" ] && ! { [ -r "$socket" ] && [ -w "$socket" ]; }; then
    die "$socket belongs to group $(stat -c %g "$socket") and user $(id -u) is not in it: start the container as root (the entrypoint then drops to uid $uid with that group) or add group_add: [\"$(stat -c %g "$socket")\"]"
  fi
  exec "$bin" "$@"
fi

if [ "$uid" = 0 ]; then
  [ "${BACKUPCTL_ALLOW_ROOT:-}" = 1 ] ||
    die "refusing to run backupctl as root (BACKUPCTL_UID=0); set BACKUPCTL_ALLOW_ROOT=1 if you mean it"
  say "running as root because BACKUPCTL_ALLOW_ROOT=1"
  exec "$bin" "$@"
fi

groups=()
if [ -n "$socket" ]; then
  [ -S "$socket" ] || die "no Docker socket at $socket: mount it, e.g. -v /var/run/docker.sock:/var/run/docker.sock (or set DOCKER_HOST to a socket proxy)"
  sock_gid=$(stat -c %g "$socket")
  [ "$sock_gid" != 0 ] || say "warning: $socket belongs to group 0 (root); backupctl runs with group 0 to reach it"
  groups=(--groups "$sock_gid")
else
  groups=(--clear-groups)
fi

# A fresh named volume is already ours (the image's directory is 10001-owned); a host directory
# mounted over it may not be. Only the top is checked, so a large repository is chowned once.
for dir in "$state_dir" /backups; do
  if [ -d "$dir" ] && [ "$(stat -c %u "$dir")" != "$uid" ]; then
    say "giving $dir to uid $uid (was $(stat -c %u:%g "$dir"))"
    chown -R "$uid:$gid" "$dir"
  fi
done

exec setpriv --reuid="$uid" --regid="$gid" "${groups[@]}" \
  --inh-caps=-all --bounding-set=-all --no-new-privs -- "$bin" "$@"
