#!/usr/bin/env bash
# Server benchmark, one run, one server, 64 connections: the no-database endpoint, a static page,
# cart read and write, follow, the feed (1,000,000 actions, 1,000 people followed), the view
# increment, and Redis INCR on the same machine for comparison. Writes BENCHMARKS.md between the
# server-bench markers.
#   CONNECTIONS=64 DURATION=10s scripts/bench-server.sh
#   AGORA_NIO_EXECUTOR=1 scripts/bench-server.sh     Swift concurrency on NIO's event loops
#   NIO_SINGLETON_GROUP_LOOP_COUNT=N ...              event loops (default: one per core)
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
PORT=${PORT:-18080}
REDIS_PORT=${REDIS_PORT:-16390}
ACTIONS=${ACTIONS:-1000000}
ACTORS=${ACTORS:-10000}
FOLLOWED=${FOLLOWED:-1000}
AGORA=$PWD/.build/release/agora
HELLO=$PWD/.build/release/BenchHello
HELLO_PORT=${HELLO_PORT:-18091}
SITE=$PWD/bench-out/server-site
URL=http://127.0.0.1:$PORT

rm -rf "$SITE"
"$AGORA" init "$SITE" >/dev/null
"$AGORA" build --site "$SITE" --quiet
printf 'reader password\n' | "$AGORA" users create reader --email reader@example.com --site "$SITE" >/dev/null
python3 scripts/bench-feed-data.py "$SITE/data/agora.sqlite" "$ACTIONS" "$ACTORS" "$FOLLOWED"

"$AGORA" serve --site "$SITE" --port "$PORT" --stop-with-parent >/dev/null 2>"$SITE/server.log" &
SERVER=$!
redis-server --port "$REDIS_PORT" --save "" --appendonly no --daemonize no >/dev/null &
REDIS=$!
"$HELLO" "$HELLO_PORT" >/dev/null 2>&1 &
HELLO_PID=$!
trap 'kill $SERVER $REDIS $HELLO_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf "$URL/healthz" >/dev/null && curl -sf "http://127.0.0.1:$HELLO_PORT/api/cart" >/dev/null && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.2
done

# A shopper's session (one cart line) and the reader's logged-in session.
SHOPPER=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"sku":"TC-001","quantity":1}' \
  "$URL/api/cart/items" | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
READER=$(curl -s -D - -o /dev/null -d 'username=reader&password=reader password' "$URL/account/login/" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
cat > "$SITE/add.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"sku":"TC-001","quantity":1,"update":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$SHOPPER"
LUA
printf 'wrk.method = "POST"\n' > "$SITE/view.lua"

declare -A RPS P50 P99 ERRORS
run() {
  local label=$1; shift
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  RPS[$label]=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
  P50[$label]=$(awk '$1 == "50%" {print $2}' <<<"$out")
  P99[$label]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  ERRORS[$label]=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  echo "$label: ${RPS[$label]} req/s, p50 ${P50[$label]}, p99 ${P99[$label]}, non-2xx ${ERRORS[$label]:-0}"
}
run hello "http://127.0.0.1:$HELLO_PORT/api/cart"
kill $HELLO_PID 2>/dev/null || true
run nodb "$URL/api/cart"
run page "$URL/products/ash-glaze-mug/"
run cart -H "Cookie: $SHOPPER" "$URL/api/cart"
run add -s "$SITE/add.lua" "$URL/api/cart/items"
COOKIE="$READER" run follow -s scripts/bench-follow.lua "$URL/api/follow"
run feed -H "Cookie: $READER" "$URL/api/feed?limit=10"
run views -s "$SITE/view.lua" "$URL/api/views/product/CE-001"
REDIS_OUT=$(redis-benchmark -p "$REDIS_PORT" -t incr -n 1000000 -c "$CONNECTIONS" 2>/dev/null)
RPS[redis]=$(awk '/throughput summary/ {print int($3)}' <<<"$REDIS_OUT")
# "latency summary (msec):", a header (avg min p50 p95 p99 max), then the figures.
P50[redis]=$(awk '/latency summary/ {getline; getline; print $3 "ms"}' <<<"$REDIS_OUT")
P99[redis]=$(awk '/latency summary/ {getline; getline; print $5 "ms"}' <<<"$REDIS_OUT")
echo "redis: ${RPS[redis]} req/s, p50 ${P50[redis]}, p99 ${P99[redis]}"
"$AGORA" doctor --site "$SITE" >/dev/null && DOCTOR="no drift" || DOCTOR="drift found"

share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
row() {  # label, description
  echo "| $2 | ${RPS[$1]} | $(share "${RPS[$1]}" "${RPS[nodb]}") | ${P50[$1]} | ${P99[$1]} | ${ERRORS[$1]:-0} |"
}
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
# Whether the binary carries Swift's runtime (`make bench` builds it so) or loads it as a shared library.
LINKING=$(ldd "$AGORA" | grep -q libswiftCore && echo "Swift's runtime as shared libraries" || echo "Swift's runtime linked in with \`--static-swift-stdlib\`")
EXECUTOR=$([[ "${AGORA_NIO_EXECUTOR:-}" == 1 ]] && echo "Swift concurrency on NIO's event loops (\`AGORA_NIO_EXECUTOR=1\`)" || echo "Swift concurrency's own thread pool (the default)")
SECTION=$(cat <<MD
<!-- server-bench:start -->
### Server: every endpoint in one run, wrk, $CONNECTIONS connections, $DURATION each

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), Debian 12, the release binary ($LINKING) serving the demo
shop (\`agora serve\`, SQLite in WAL mode with \`synchronous=NORMAL\`), $EXECUTOR, wrk and
redis-server on the same machine. The database holds $ACTIONS actions by $ACTORS actors; the reader
follows $FOLLOWED of them. After the run \`agora doctor\` found $DOCTOR in the follow counts.

| request | requests/s | share of the no-database rate | p50 | p99 | non-2xx |
|---|---|---|---|---|---|
$(row hello "Hummingbird alone, the same response with no middleware (\`BenchHello\`, the ceiling)")
$(row nodb "\`GET /api/cart\` without a session (no database work)")
$(row page "\`GET /products/ash-glaze-mug/\` (static page, 15 kB)")
$(row cart "\`GET /api/cart\` with a session (session and cart read)")
$(row add "\`POST /api/cart/items\` (session read, group-committed write)")
$(row follow "\`POST /api/follow\` (follow/unfollow, group-committed with its counts and action)")
$(row feed "\`GET /api/feed?limit=10\` (1,000 followed among $ACTIONS actions)")
$(row views "\`POST /api/views/product/CE-001\` (group-committed increment)")
| Redis \`INCR\` (redis-benchmark, $CONNECTIONS clients, no persistence) | ${RPS[redis]} | | ${P50[redis]} | ${P99[redis]} | |

Views reach $(share "${RPS[views]}" "${RPS[redis]}") of Redis \`INCR\`; Hummingbird alone, with nothing to do, $(share "${RPS[hello]}" "${RPS[redis]}").

Commands (from \`scripts/bench-server.sh\`, run by \`make bench\`):

\`\`\`
agora init bench-out/server-site && agora build --site bench-out/server-site
python3 scripts/bench-feed-data.py bench-out/server-site/data/agora.sqlite $ACTIONS $ACTORS $FOLLOWED
agora serve --site bench-out/server-site --port $PORT
.build/release/BenchHello $HELLO_PORT
wrk -t2 -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$HELLO_PORT/api/cart
wrk -t2 -c$CONNECTIONS -d$DURATION --latency $URL/api/cart
wrk -t2 -c$CONNECTIONS -d$DURATION --latency $URL/products/ash-glaze-mug/
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -H "Cookie: agora_session=…" $URL/api/cart
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -s add.lua $URL/api/cart/items       # {"sku":"TC-001","quantity":1,"update":true}
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -s scripts/bench-follow.lua $URL/api/follow   # COOKIE=…: follow/unfollow 8 people in turn
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -H "Cookie: agora_session=…" "$URL/api/feed?limit=10"
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -s view.lua $URL/api/views/product/CE-001
redis-benchmark -p $REDIS_PORT -t incr -n 1000000 -c $CONNECTIONS
\`\`\`
<!-- server-bench:end -->
MD
)
python3 - "$SECTION" <<'PY'
import re, sys, os
section = sys.argv[1]
path = "BENCHMARKS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
if "<!-- server-bench:start -->" in text:
    text = re.sub(r"<!-- server-bench:start -->.*?<!-- server-bench:end -->", lambda m: section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n## Server\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "Wrote BENCHMARKS.md"
