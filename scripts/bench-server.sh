#!/usr/bin/env bash
# Server benchmark: wrk at 64 connections against GET /api/cart, POST /api/cart/items and a static
# product page of the demo shop, served by the release binary. Writes BENCHMARKS.md between the
# server-bench markers.
#   CONNECTIONS=64 DURATION=10s scripts/bench-server.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
PORT=${PORT:-18080}
AGORA=$PWD/.build/release/agora
SITE=$PWD/bench-out/server-site

rm -rf "$SITE"
"$AGORA" init "$SITE" >/dev/null
"$AGORA" build --site "$SITE" --quiet
"$AGORA" serve --site "$SITE" --port "$PORT" --stop-with-parent >/dev/null 2>"$SITE/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# One shopper's session, so every request reads or writes the same cart.
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"sku":"TC-001","quantity":1}' \
  "http://127.0.0.1:$PORT/api/cart/items" | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
cat > "$SITE/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"sku":"TC-001","quantity":1,"update":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$COOKIE"
LUA

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
URL=http://127.0.0.1:$PORT
run cart -H "Cookie: $COOKIE" "$URL/api/cart"
run add -s "$SITE/post.lua" "$URL/api/cart/items"
run page "$URL/products/ash-glaze-mug/"

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
SECTION=$(cat <<MD
<!-- server-bench:start -->
### Server: wrk, $CONNECTIONS connections, $DURATION each

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), Debian 12, the release binary serving the demo shop
(\`agora serve\`, SQLite in WAL mode with \`synchronous=NORMAL\`), wrk on the same machine.

| request | requests/s | p50 | p99 | non-2xx |
|---|---|---|---|---|
| \`GET /api/cart\` (one session's cart, read from SQLite) | ${RPS[cart]} | ${P50[cart]} | ${P99[cart]} | ${ERRORS[cart]:-0} |
| \`POST /api/cart/items\` (a write transaction per request) | ${RPS[add]} | ${P50[add]} | ${P99[add]} | ${ERRORS[add]:-0} |
| \`GET /products/ash-glaze-mug/\` (static page, 15 kB) | ${RPS[page]} | ${P50[page]} | ${P99[page]} | ${ERRORS[page]:-0} |

Commands (from \`scripts/bench-server.sh\`, run by \`make bench\`):

\`\`\`
agora init bench-out/server-site && agora build --site bench-out/server-site
agora serve --site bench-out/server-site --port $PORT
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -H "Cookie: agora_session=…" $URL/api/cart
wrk -t2 -c$CONNECTIONS -d$DURATION --latency -s post.lua $URL/api/cart/items   # {"sku":"TC-001","quantity":1,"update":true}
wrk -t2 -c$CONNECTIONS -d$DURATION --latency $URL/products/ash-glaze-mug/
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
