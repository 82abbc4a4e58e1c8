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

# The directories backupctl writes here: the state directory and every local repository of the
# config (`backupctl config local-paths`, read as the service user; /backups and the state
# directory when the config cannot be read). A fresh named volume is already ours (the image's
# directories are 10001-owned); a host directory or another volume mounted for a repository may
# not be. Only the top is checked, so a large repository is chowned once. A path in a system
# directory, or on the container's own filesystem (lost when the container is recreated), is
# refused with the fix rather than chowned.
drop=(setpriv --reuid="$uid" --regid="$gid" "${groups[@]}" --inh-caps=-all --bounding-set=-all --no-new-privs --)
config_args=()
args=("$@")
for i in "${!args[@]}"; do
  case ${args[$i]} in
    --config=*) config_args=("${args[$i]}") ;;
    --config) config_args=(--config "${args[$((i + 1))]:-}") ;;
  esac
done
mapfile -t paths < <("${drop[@]}" "$bin" config local-paths "${config_args[@]}" 2>/dev/null || true)
[ "${#paths[@]}" -gt 0 ] || paths=("$state_dir" /backups)
root_dev=$(stat -c %d /)
for dir in "${paths[@]}"; do
  [[ $dir == /* ]] || continue
  case "${dir%/}/" in
    /|/bin/*|/boot/*|/dev/*|/etc/*|/lib/*|/lib64/*|/proc/*|/run/*|/sbin/*|/sys/*|/usr/*|/var/|/var/lib/|/tmp/)
      die "the local path $dir (a repository or the state directory) is in a system directory of the container: put it on a volume of its own, e.g. url: /backups/restic (the backups volume of compose/docker-compose.yml) or mount one at /srv/restic" ;;
  esac
  # The nearest existing directory tells which file system the path is on.
  probe=$dir
  while [ ! -e "$probe" ]; do probe=$(dirname "$probe"); done
  if [ "$(stat -c %d "$probe")" = "$root_dev" ]; then
    case "${dir%/}/" in
      /backups/*|"$state_dir"/) say "warning: $dir is not on a volume: what is written there is lost with the container (mount one at /backups)" ;;
      *) die "the local repository $dir is not on a volume: its backups would be lost with the container. Mount a volume or host directory there (compose: volumes: [\"/srv/restic:$dir\"]) or use a path under /backups" ;;
    esac
  fi
  if [ ! -e "$dir" ]; then
    say "making $dir for uid $uid"
    mkdir -p "$dir" && chown "$uid:$gid" "$dir"
  elif [ "$(stat -c %u "$dir")" != "$uid" ]; then
    say "giving $dir to uid $uid (was $(stat -c %u:%g "$dir"))"
    chown -R "$uid:$gid" "$dir"
  fi
done

exec "${drop[@]}" "$bin" "$@"
