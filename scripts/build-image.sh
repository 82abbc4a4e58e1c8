#!/usr/bin/env bash
# Builds the backupctl image from the Dockerfile without a registry: when BASE_IMAGE is not set
# and debian:bookworm-slim is not present, a slim Debian root is made with debootstrap (from the
# mirror this machine's apt uses, with the same dpkg excludes as the official slim image) and
# imported as the base. Prints the image tag; writes BK_IMAGE=<tag> to $1 when given.
#   scripts/build-image.sh [ENV_FILE]          env: BASE_IMAGE, BK_IMAGE_TAG (default backupctl:local)
#   scripts/build-image.sh --print-base        only print (and make) the base image
source "$(dirname "$0")/lib.sh"

out_file=${1:-}
print_base=false
if [ "$out_file" = --print-base ]; then print_base=true; out_file=""; fi
tag=${BK_IMAGE_TAG:-backupctl:local}

slim_base() {
  local hash tag rootfs mirror
  hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
  tag=backupctl-local/bookworm-slim:$hash
  if have_image "$tag"; then printf '%s' "$tag"; return; fi
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d /var/tmp/bk-slim.XXXXXX)
  log "debootstrap a slim bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/var/tmp/bk-debootstrap-slim.log 2>&1 ||
    { tail -30 /var/tmp/bk-debootstrap-slim.log >&2; rm -rf "$rootfs"; die "debootstrap failed"; }
  # What the official slim image leaves out, for this root and for every package installed later.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
  printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$rootfs"
  printf '%s' "$tag"
}

ensure_docker
base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  if have_image debian:bookworm-slim; then base=debian:bookworm-slim; else base=$(slim_base); fi
fi
if $print_base; then printf '%s\n' "$base"; exit 0; fi
log "building $tag on $base (the first build compiles backupctl: several minutes on 2 cores)"
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE_IMAGE="$base" -t "$tag" "$BK_ROOT" >/dev/null
printf '%s\n' "$tag"
if [ -n "$out_file" ]; then mkdir -p "$(dirname "$out_file")"; printf 'BK_IMAGE=%s\n' "$tag" >"$out_file"; fi
