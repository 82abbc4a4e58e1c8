#!/usr/bin/env bash
# Notifications and metrics (issue 8): how long one webhook delivery takes to a receiver on
# loopback (`backupctl notify test`, plain HTTP and HTTPS with a private CA), how long
# `backupctl metrics` takes over an audit trail of TARGETS x RUNS runs, and its output's size.
# Usage: bench/alerts_bench.sh [BUILD_DIR] [TARGETS] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
targets=${2:-50}
runs=${3:-200}
bk=$build/src/backupctl
py=/usr/bin/python3
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

start_rx() {  # name, extra args -> port
  "$py" "$here/tests/support/http_recorder.py" --log "$work/$1.jsonl" "${@:2}" >"$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q listening "$work/$1.out" 2>/dev/null && break; sleep 0.05; done
  awk '{print $2}' "$work/$1.out"
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
http_port=$(start_rx plain)
tls_port=$(start_rx tls --cert "$work/cert.pem" --key "$work/key.pem")
cat >"$work/config.yml" <<YAML
state_dir: $work/state
notifiers:
  plain: {type: webhook, url: "http://127.0.0.1:$http_port/hook", secret: bench}
  tls: {type: webhook, url: "https://127.0.0.1:$tls_port/hook", secret: bench, ca_file: $work/cert.pem}
YAML
for n in plain tls; do
  for _ in $(seq 1 20); do
    "$bk" --config "$work/config.yml" notify test "$n" | sed -n 's/.*delivered in \([0-9]*\) ms/\1/p'
  done | median | xargs printf 'webhook delivery (%s, median of 20): %s ms\n' "$n"
done

# An audit trail of TARGETS x RUNS finished backup runs (and one drill per target).
"$bk" --config "$work/config.yml" metrics >/dev/null
"$py" - "$work/state/audit.db" "$targets" "$runs" <<'PY'
import sqlite3, sys
db, targets, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db)
rows = []
for t in range(targets):
    for r in range(runs):
        day = 1 + r % 28
        rows.append((f"t{t}-r{r}", f"target-{t}", "schedule", "success" if r % 10 else "failed",
                     f"2026-10-{day:02d}T03:00:00.000Z", f"2026-10-{day:02d}T03:01:00.000Z", 1000 * r, "backup"))
    rows.append((f"t{t}-v", f"target-{t}", "schedule", "success", "2026-11-01T04:00:00.000Z",
                 "2026-11-01T04:02:00.000Z", 0, "verify"))
c.executemany("INSERT INTO runs (id, target, trigger, status, started_at, finished_at, bytes, kind) "
              "VALUES (?,?,?,?,?,?,?,?)", rows)
c.commit()
PY
for _ in $(seq 1 5); do
  t0=$(date +%s%N); "$bk" --config "$work/config.yml" metrics >"$work/metrics.txt"; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
done | median | xargs printf "backupctl metrics over $targets targets x $runs runs (median of 5): %s ms\n"
printf 'metrics output: %s lines, %s bytes\n' "$(wc -l <"$work/metrics.txt")" "$(wc -c <"$work/metrics.txt")"
promtool check metrics <"$work/metrics.txt" && echo "promtool check metrics: ok"
