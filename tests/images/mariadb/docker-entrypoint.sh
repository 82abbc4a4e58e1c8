#!/bin/bash
# A small stand-in for the official mariadb image's entrypoint: the parts backupctl relies on.
# MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD (MYSQL_* aliases)
# and their *_FILE forms; listens on all addresses; other commands are run as given.
set -euo pipefail

file_env() {
  local var=$1 alias=$2 def=${3:-} val=""
  local fvar="${var}_FILE" afvar="${alias}_FILE"
  if [ -n "${!fvar:-}" ]; then val=$(<"${!fvar}")
  elif [ -n "${!afvar:-}" ]; then val=$(<"${!afvar}")
  elif [ -n "${!var:-}" ]; then val=${!var}
  elif [ -n "${!alias:-}" ]; then val=${!alias}
  else val=$def; fi
  export "$var=$val"
  unset "$fvar" "$afvar"
}
sql_str() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
sql_id() { printf '`%s`' "${1//\`/\`\`}"; }

if [ "${1:-}" != mariadbd ] && [ "${1:-}" != mysqld ]; then exec "$@"; fi
shift

file_env MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD
file_env MARIADB_DATABASE MYSQL_DATABASE
file_env MARIADB_USER MYSQL_USER
file_env MARIADB_PASSWORD MYSQL_PASSWORD

datadir=/var/lib/mysql
sock=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld "$datadir"
chown mysql:mysql /run/mysqld "$datadir"

if [ ! -d "$datadir/mysql" ]; then
  if [ -z "$MARIADB_ROOT_PASSWORD" ]; then
    echo "error: database is uninitialized and MARIADB_ROOT_PASSWORD is not set" >&2
    exit 1
  fi
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$sock" &
  pid=$!
  for _ in $(seq 1 300); do
    mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  pw=$(sql_str "$MARIADB_ROOT_PASSWORD")
  {
    echo "SET sql_log_bin=0;"
    echo "DELETE FROM mysql.user WHERE user='';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $pw;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $pw;"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$MARIADB_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_id "$MARIADB_DATABASE");"
    fi
    if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
      echo "CREATE USER $(sql_str "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_str "$MARIADB_PASSWORD");"
      if [ -n "$MARIADB_DATABASE" ]; then
        echo "GRANT ALL ON $(sql_id "$MARIADB_DATABASE").* TO $(sql_str "$MARIADB_USER")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$sock" -uroot
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    mariadb --socket="$sock" -uroot -p"$MARIADB_ROOT_PASSWORD" ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} <"$f"
  done
  kill "$pid"
  wait "$pid" || true
  echo "MariaDB init process done. Ready for start up."
fi

exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 "$@"
