#!/bin/sh
# Fresh host key, the authorized key from the environment, sshd in the foreground (logs to stderr).
set -e
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
printf '%s\n' "${SFTP_AUTHORIZED_KEY:?SFTP_AUTHORIZED_KEY is not set}" >/etc/ssh/authorized/bk
chmod 644 /etc/ssh/authorized/bk
# A tmpfs mounted by the test (docker run --tmpfs) belongs to bk.
[ -d /srv/chroot/small ] && chown bk:bk /srv/chroot/small && chmod 700 /srv/chroot/small
exec /usr/sbin/sshd -D -e
