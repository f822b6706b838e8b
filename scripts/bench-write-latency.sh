#!/usr/bin/env bash
# Where a cart write's tail latency comes from: cart writes at each number of connections, with
# `perf sched latency` of the server's threads (how long each waited for a core) over 3 s of the
# load. Uses the site `scripts/bench-server.sh` made; prints wrk's p50, p99 and rate per run.
#   scripts/bench-write-latency.sh 16 32 64
set -euo pipefail
cd "$(dirname "$0")/.."

AGORA=$PWD/.build/release/agora
SITE=$PWD/bench-out/server-site
PORT=${PORT:-18080}
URL=http://127.0.0.1:$PORT
[ -d "$SITE/output" ] || { echo "run scripts/bench-server.sh first (it makes $SITE)" >&2; exit 1; }
WORK=$(mktemp -d)

"$AGORA" serve --site "$SITE" --port "$PORT" --stop-with-parent >/dev/null 2>"$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
SHOPPER=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"sku":"TC-001","quantity":1}' \
  "$URL/api/cart/items" | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
cat > "$WORK/add.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"sku":"TC-001","quantity":1,"update":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$SHOPPER"
LUA

for connections in "${@:-16 32 64}"; do
  wrk -t2 -c"$connections" -d8s --latency -s "$WORK/add.lua" "$URL/api/cart/items" > "$WORK/wrk.out" &
  LOAD=$!
  sleep 2
  perf sched record -o "$WORK/sched.data" -- sleep 3 >/dev/null 2>&1
  wait $LOAD
  echo "== $connections connections: $(awk '/Requests\/sec/ {print int($2) " req/s"}' "$WORK/wrk.out")," \
    "p50 $(awk '$1=="50%" {print $2}' "$WORK/wrk.out"), p99 $(awk '$1=="99%" {print $2}' "$WORK/wrk.out")"
  perf sched latency -i "$WORK/sched.data" --sort max 2>/dev/null | grep -E "NIO-|qos|wrk" | cut -c1-110
done
