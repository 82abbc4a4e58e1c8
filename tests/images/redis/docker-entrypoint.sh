#!/bin/sh
# A small stand-in for the official redis image's entrypoint: a first argument that is an option
# (or a .conf file) means redis-server with it; redis-server runs as user redis after /data is
# made its own. The official image's server listens on every address without protected mode
# (its build patches the defaults); Debian's does not, so those defaults come first on the
# command line, where the caller's options override them.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  conf=
  # redis-server takes a configuration file only as its first argument.
  if [ $# -gt 0 ] && [ "${1%.conf}" != "$1" ]; then conf=$1; shift; fi
  set -- redis-server $conf --dir /data --protected-mode no --bind 0.0.0.0 "$@"
  if [ "$(id -u)" = 0 ]; then
    find /data \! -user redis -exec chown redis '{}' +
    umask 0077
    exec setpriv --reuid=redis --regid=redis --init-groups -- "$@"
  fi
fi
exec "$@"
