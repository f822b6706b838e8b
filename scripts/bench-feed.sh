#!/usr/bin/env bash
# Feed benchmark: GET /api/feed for a reader who follows 1,000 people, with 1,000,000 actions in
# the database, and follow/unfollow throughput. Writes BENCHMARKS.md between the feed-bench markers.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONS=${ACTIONS:-1000000}
ACTORS=${ACTORS:-10000}
FOLLOWED=${FOLLOWED:-1000}
DURATION=${DURATION:-10s}
PORT=${PORT:-18083}
AGORA=$PWD/.build/release/agora
SITE=$PWD/bench-out/feed-site

rm -rf "$SITE"
"$AGORA" init "$SITE" >/dev/null
"$AGORA" build --site "$SITE" --quiet
printf 'reader password\n' | "$AGORA" users create reader --email reader@example.com --site "$SITE" >/dev/null

python3 scripts/bench-feed-data.py "$SITE/data/agora.sqlite" "$ACTIONS" "$ACTORS" "$FOLLOWED"

"$AGORA" serve --site "$SITE" --port "$PORT" --stop-with-parent >/dev/null 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
COOKIE=$(curl -s -D - -o /dev/null -d 'username=reader&password=reader password' "http://127.0.0.1:$PORT/account/login/" \
  | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
MIDDLE=$((ACTIONS / 2))

declare -A RPS P50 P99
run() {
  local label=$1 connections=$2; shift 2
  local out; out=$(wrk -t"$((connections < 2 ? 1 : 2))" -c"$connections" -d"$DURATION" --latency "$@")
  RPS[$label]=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
  P50[$label]=$(awk '$1 == "50%" {print $2}' <<<"$out")
  P99[$label]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$label: ${RPS[$label]} req/s, p50 ${P50[$label]}, p99 ${P99[$label]}"
}
run single 1 -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/feed?limit=10"
run first 64 -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/feed?limit=10"
run deep 64 -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/feed?limit=10&before=$MIDDLE"
COOKIE="$COOKIE" run follow 64 -s scripts/bench-follow.lua "http://127.0.0.1:$PORT/api/follow"
"$AGORA" doctor --site "$SITE" >/dev/null && DOCTOR="no drift" || DOCTOR="drift found"

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
SECTION=$(cat <<MD
<!-- feed-bench:start -->
### Feed and follows

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), Debian 12, release binary, wrk on the same machine
for $DURATION each. The database holds $ACTIONS actions by $ACTORS actors; the reader follows $FOLLOWED of them.

| request | connections | requests/s | p50 | p99 |
|---|---|---|---|---|
| \`GET /api/feed?limit=10\` (first page) — the latency of one page | 1 | ${RPS[single]} | ${P50[single]} | ${P99[single]} |
| \`GET /api/feed?limit=10\` (first page) | 64 | ${RPS[first]} | ${P50[first]} | ${P99[first]} |
| \`GET /api/feed?limit=10&before=$MIDDLE\` (half-way down) | 64 | ${RPS[deep]} | ${P50[deep]} | ${P99[deep]} |
| \`POST /api/follow\` (follow/unfollow, counts in the same transaction) | 64 | ${RPS[follow]} | ${P50[follow]} | ${P99[follow]} |

Each page is one SQL statement that walks the actions' primary key downwards from the cursor and checks
each actor against the \`follows\` primary key, so a page reads about \`limit\` ÷ (the followed people's
share of all actions) rows — here ~100 rows for 10 items — wherever the cursor is; the statement itself takes well under a
millisecond, and at 64 connections the latency is queueing on two cores shared with wrk. \`agora doctor\`
after the follow run: $DOCTOR.

Commands (from \`scripts/bench-feed.sh\`, run by \`make bench\`):

\`\`\`
agora init bench-out/feed-site && agora build --site bench-out/feed-site
python3 (in the script) inserts $ACTIONS actions and $FOLLOWED follows into data/agora.sqlite
wrk -t2 -c64 -d$DURATION --latency -H "Cookie: agora_session=…" "http://127.0.0.1:$PORT/api/feed?limit=10"
wrk -t2 -c64 -d$DURATION --latency -s follow.lua http://127.0.0.1:$PORT/api/follow
\`\`\`
<!-- feed-bench:end -->
MD
)
python3 - "$SECTION" <<'PY'
import re, sys, os
section = sys.argv[1]
path = "BENCHMARKS.md"
text = open(path).read()
if "<!-- feed-bench:start -->" in text:
    text = re.sub(r"<!-- feed-bench:start -->.*?<!-- feed-bench:end -->", lambda m: section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n## Social\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "Wrote BENCHMARKS.md"
