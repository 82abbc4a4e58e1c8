#!/usr/bin/env bash
# The operator's binary needs no shared library the runtime image lacks: each NEEDED entry of
# backupctl must come from a package the Dockerfile's runtime stage installs (libyaml-cpp0.7,
# libsqlite3-0, libssl3, libspdlog1.10) or from the base (libc6, libstdc++6, libgcc-s1). A library linked by a
# new dependency (e.g. libboost_url) fails here in seconds instead of in e2e.deployment's image.
#   tests/deploy/runtime_libs.sh BUILD_DIR
set -euo pipefail
bin=$1/src/backupctl
allowed='^(libyaml-cpp\.so\.0\.7|libspdlog\.so\.1\.10|libsqlite3\.so\.0|libssl\.so\.3|libcrypto\.so\.3|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libc\.so\.6|libm\.so\.6)$'
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "FAIL: no NEEDED entries read from $bin" >&2; exit 1; }
bad=$(printf '%s\n' "$needed" | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
  printf 'FAIL: %s needs libraries the runtime image does not have:\n%s\n' "$bin" "$bad" >&2
  exit 1
fi
printf 'ok: %s\n' $needed
