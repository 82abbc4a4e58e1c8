# backupctl: the operator image. Two stages: the build on Debian bookworm with the same packages
# as scripts/lib.sh, the runtime on bookworm-slim with restic, gpg and the shared libraries only.
#
#   docker build -t backupctl .
#   docker build --build-arg BASE_IMAGE=<a local bookworm image> -t backupctl .   # no registry
#
# scripts/build-image.sh does the second form with a Debian root made by debootstrap.
# See docs/getting-started.md and docs/security.md.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libyaml-cpp-dev \
      libsqlitecpp-dev libsqlite3-dev libspdlog-dev libcli11-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY docker-api docker-api
COPY labels labels
COPY src src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBK_BUILD_TESTS=OFF -DBK_BUILD_BENCH=OFF >/dev/null \
 && cmake --build /build --target backupctl \
 && strip /build/src/backupctl \
 && /build/src/backupctl --version

FROM ${BASE_IMAGE}
# gpg + gpg-agent rather than the gnupg meta package: dirmngr, gpgsm and the LDAP/TLS libraries
# it pulls are never used (keys come from files). openssh-client is restic's sftp: transport.
# curl is for the hooks of config projects (the original backupctl's `curl -fsS
# http://app/maintenance/on`), which run in this container.
# The CA bundle is copied from the build stage: the ca-certificates package would add the openssl
# command (2.7 MB) only to build it. Leap-second zones (zoneinfo/right) and debconf's backups go,
# and so do ssh-agent, ssh-add and ssh-keyscan (1.6 MB; restic runs `ssh` only). Together that
# keeps the image under 125 MB (docs/benchmarks.md; 120 MB before curl, which costs 3.6 MB).
# libspdlog1.10 (with libfmt9: 0.75 MB) is the logger; Boost.URL is compiled into the binary
# (libboost_url would be 2.4 MB). tests/deploy/runtime_libs.sh checks the binary needs no other.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      restic gpg gpg-agent openssh-client tzdata curl \
      libyaml-cpp0.7 libsqlite3-0 libssl3 libspdlog1.10 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
      /usr/share/zoneinfo/right /var/cache/debconf/*-old \
      /usr/bin/ssh-agent /usr/bin/ssh-add /usr/bin/ssh-keyscan \
 && groupadd --system --gid 10001 backupctl \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/backupctl --no-create-home \
      --shell /usr/sbin/nologin backupctl \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/backupctl /backups \
 && install -d -m 0755 /etc/backupctl
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# `backupctl` on the PATH is the entrypoint, so `docker exec <c> backupctl ...` (root by default)
# drops to uid 10001 too and never leaves root-owned files in the state volume.
COPY --from=build /build/src/backupctl /usr/local/lib/backupctl/backupctl
COPY scripts/image/entrypoint.sh /usr/local/bin/backupctl
ENV HOME=/var/lib/backupctl \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
VOLUME ["/var/lib/backupctl"]
# The entrypoint starts as root only to read the socket's group, then runs backupctl as uid 10001
# with that group (setpriv). The health check goes through it too, so it never writes as root.
ENTRYPOINT ["/usr/local/bin/backupctl"]
CMD ["daemon"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/backupctl", "health", "--quick"]
