#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, makes sure a Docker engine answers,
# starts the embedded demo (a PostgreSQL with backupctl labels and sample data, as a compose app
# would have it), backs it up with the built-in default config (a local restic repository under
# /var/lib/backupctl, initialised on first use) and prints the snapshots and the history.
source "$(dirname "$0")/lib.sh"

install_deps
build_project RelWithDebInfo
ensure_docker
eval "$(bash "$BK_ROOT/scripts/build-test-images.sh" "$BK_BUILD/test-images.env")"

net=backupctl-demo_default
db=backupctl-demo-db-1
docker network inspect "$net" >/dev/null 2>&1 ||
  docker network create --label com.docker.compose.network=default \
    --label com.docker.compose.project=backupctl-demo "$net" >/dev/null
if docker container inspect "$db" >/dev/null 2>&1 &&
   [ "$(docker container inspect -f '{{.State.Running}}' "$db")" != true ]; then
  log "starting the demo database $db again (it was stopped, e.g. by a dockerd restart)"
  docker start "$db" >/dev/null
  for _ in $(seq 1 120); do
    docker exec "$db" pg_isready -q -h 127.0.0.1 -U postgres 2>/dev/null && break
    sleep 0.5
  done
fi
if ! docker container inspect "$db" >/dev/null 2>&1; then
  log "starting the demo database $db"
  docker run -d --name "$db" --network "$net" --network-alias db \
    --label com.docker.compose.project=backupctl-demo --label com.docker.compose.service=db \
    --label backupctl.enable=true --label backupctl.db.name=shop \
    --label backupctl.retention=last=3 \
    -e POSTGRES_PASSWORD=demo-password -e POSTGRES_DB=shop "$BK_TEST_POSTGRES_IMAGE" >/dev/null
  for _ in $(seq 1 120); do
    docker exec "$db" pg_isready -q -h 127.0.0.1 -U postgres 2>/dev/null && break
    sleep 0.5
  done
  docker exec -i "$db" psql -q -U postgres -d shop >/dev/null <<'SQL'
CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer text, total numeric(10,2));
INSERT INTO orders (customer, total) SELECT 'customer ' || g, g * 1.5 FROM generate_series(1, 1000) g;
SQL
fi

bk() { "$BK_BUILD/src/backupctl" "$@"; }
bk engine
echo
bk discover
echo
bk run backupctl-demo-db
echo
bk snapshots backupctl-demo-db
echo
bk history --last 5
echo
# A restore drill: the newest snapshot restored into a scratch server on a network of its own,
# its row counts compared with the backup's, everything removed again.
bk verify backupctl-demo-db
echo
bk status
