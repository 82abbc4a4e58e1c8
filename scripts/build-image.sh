#!/usr/bin/env bash
# Builds the backupctl image from the Dockerfile without a registry: when BASE_IMAGE is not set
# and debian:bookworm-slim is not present, a slim Debian root is made with debootstrap (from the
# mirror this machine's apt uses, with the same dpkg excludes as the official slim image) and
# imported as the base. Prints the image tag; writes BK_IMAGE=<tag> to $1 when given. Progress
# (debootstrap's phases, docker build's steps and the compiler's progress) goes to stderr.
#   scripts/build-image.sh [ENV_FILE]          env: BASE_IMAGE, BK_IMAGE_TAG (default backupctl:local)
#   scripts/build-image.sh --print-base        only print (and make) the base image
source "$(dirname "$0")/lib.sh"

out_file=${1:-}
print_base=false
if [ "$out_file" = --print-base ]; then print_base=true; out_file=""; fi
tag=${BK_IMAGE_TAG:-backupctl:local}

# debootstrap says a line or two per package: show the first line of each phase instead.
# (A read loop, not awk: Debian's mawk reads its input in blocks and would show nothing for long.)
debootstrap_phases() {
  local line verb
  local -A seen=()
  while IFS= read -r line; do
    [[ $line == "I: "* ]] || continue
    verb=${line#I: }; verb=${verb%% *}
    [ -n "${seen[$verb]:-}" ] || printf '  debootstrap: %s\n' "${line#I: }" >&2
    seen[$verb]=1
  done
}

# docker build's output, shortened: each Dockerfile step, and every 10th line of the compiler's
# progress ([n/N]), so a first build (several minutes) shows it is moving.
build_progress() {
  local line n total
  while IFS= read -r line; do
    case $line in
      "Step "[0-9]*/[0-9]*" : "*|"Successfully built "*) printf '  %s\n' "${line:0:110}" >&2 ;;
      "["[0-9]*/[0-9]*"] "*)
        n=${line#[}; n=${n%%/*}; total=${line#*/}; total=${total%%]*}
        if [ $((n % 10)) = 0 ] || [ "$n" = "$total" ]; then printf '  compiling [%s/%s]\n' "$n" "$total" >&2; fi ;;
    esac
  done
}

slim_base() {
  local hash tag rootfs mirror
  hash=$(declare -f slim_base | sha256sum | cut -c1-12)   # the recipe: other edits keep the base
  tag=backupctl-local/bookworm-slim:$hash
  if have_image "$tag"; then printf '%s' "$tag"; return; fi
  command -v debootstrap >/dev/null ||
    die "no registry image debian:bookworm-slim here and debootstrap is not installed: apt-get install -y debootstrap (or BASE_IMAGE=<a local bookworm image>)"
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d /var/tmp/bk-slim.XXXXXX)
  log "debootstrap a slim bookworm from $mirror (about a minute; log: /var/tmp/bk-debootstrap-slim.log)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" 2>&1 | tee /var/tmp/bk-debootstrap-slim.log |
    debootstrap_phases ||
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

for c in docker curl; do
  command -v "$c" >/dev/null || die "$c is not installed: apt-get install -y docker.io curl (docs/getting-started.md)"
done
ensure_docker
base=${BASE_IMAGE:-}
if [ -z "$base" ]; then
  if have_image debian:bookworm-slim; then base=debian:bookworm-slim; else base=$(slim_base); fi
fi
if $print_base; then printf '%s\n' "$base"; exit 0; fi
log "building $tag on $base (the first build compiles backupctl: several minutes on 2 cores; later ones reuse docker's cache)"
build_log=$(mktemp /var/tmp/bk-build-image.XXXXXX.log)
DOCKER_BUILDKIT=0 docker build --build-arg BASE_IMAGE="$base" -t "$tag" "$BK_ROOT" 2>&1 |
  tee "$build_log" | build_progress ||
  { tail -30 "$build_log" >&2; die "docker build failed (the whole output: $build_log)"; }
rm -f "$build_log"
printf '%s\n' "$tag"
if [ -n "$out_file" ]; then mkdir -p "$(dirname "$out_file")"; printf 'BK_IMAGE=%s\n' "$tag" >"$out_file"; fi
