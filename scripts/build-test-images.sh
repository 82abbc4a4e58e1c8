#!/usr/bin/env bash
# Builds the images the tests need without any registry: a Debian root made with debootstrap
# (from the mirror this machine's apt already uses) is imported as a base image, and the
# PostgreSQL and MariaDB server images are built on it. Tags carry a hash of the recipe, so an
# unchanged recipe is never rebuilt.
# Prints KEY=image lines (BK_TEST_BASE_IMAGE, BK_TEST_POSTGRES_IMAGE, BK_TEST_MARIADB_IMAGE,
# BK_TEST_FAKEDUMP_IMAGE: a pg_dump that misbehaves on purpose, BK_TEST_SFTP_IMAGE: an
# SFTP-only sshd like a storage box, BK_TEST_SQLITE_IMAGE: the sqlite3 CLI and an app writing a
# SQLite database, BK_TEST_REDIS_IMAGE: Debian's redis-server behaving like the official redis
# image),
# and writes them to $1 when given.
source "$(dirname "$0")/lib.sh"

out_file=${1:-}
recipe_dir=$BK_ROOT/tests/images
recipe_hash() { (cat "$@" | sha256sum | cut -c1-12); }
# Each image's tag hashes its own recipe and its base's tag, so a change rebuilds only what it must.
base_hash=$(recipe_hash "$0" "$recipe_dir/base/packages.txt")
base=backupctl-test/base:$base_hash
pg=backupctl-test/postgres:$(printf '%s' "$base" | cat - "$recipe_dir"/postgres/* | recipe_hash)
maria=backupctl-test/mariadb:$(printf '%s' "$base" | cat - "$recipe_dir"/mariadb/* | recipe_hash)
fake=backupctl-test/fakedump:$(printf '%s' "$base" | cat - "$recipe_dir"/fakedump/* | recipe_hash)
sftp=backupctl-test/sftp:$(printf '%s' "$base" | cat - "$recipe_dir"/sftp/* | recipe_hash)
sqlite=backupctl-test/sqlite:$(printf '%s' "$base" | cat - "$recipe_dir"/sqlite/* | recipe_hash)
redis=backupctl-test/redis:$(printf '%s' "$base" | cat - "$recipe_dir"/redis/* | recipe_hash)

build_base() {
  have_image "$base" && return 0
  local mirror rootfs
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d /var/tmp/bk-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  log "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase \
    --include="$(grep -v '^#' "$recipe_dir/base/packages.txt" | xargs | tr ' ' ',')" \
    bookworm "$rootfs" "$mirror" >/var/tmp/bk-debootstrap.log 2>&1 ||
    { tail -30 /var/tmp/bk-debootstrap.log >&2; die "debootstrap failed"; }
  # The packages' own default clusters and caches are not part of the image.
  rm -rf "$rootfs"/var/lib/postgresql/15/main "$rootfs"/etc/postgresql/15/main \
         "$rootfs"/var/lib/mysql/* "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man
  log "importing $base"
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$base" >/dev/null
}

build_db() {
  local tag=$1 dir=$2
  have_image "$tag" && return 0
  log "building $tag"
  DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$base" -t "$tag" "$dir" >/dev/null
}

build_base
build_db "$pg" "$recipe_dir/postgres"
build_db "$maria" "$recipe_dir/mariadb"
build_db "$fake" "$recipe_dir/fakedump"
build_db "$sftp" "$recipe_dir/sftp"
build_db "$sqlite" "$recipe_dir/sqlite"
build_db "$redis" "$recipe_dir/redis"

lines="BK_TEST_BASE_IMAGE=$base
BK_TEST_POSTGRES_IMAGE=$pg
BK_TEST_MARIADB_IMAGE=$maria
BK_TEST_FAKEDUMP_IMAGE=$fake
BK_TEST_SFTP_IMAGE=$sftp
BK_TEST_SQLITE_IMAGE=$sqlite
BK_TEST_REDIS_IMAGE=$redis"
printf '%s\n' "$lines"
if [ -n "$out_file" ]; then mkdir -p "$(dirname "$out_file")"; printf '%s\n' "$lines" >"$out_file"; fi
