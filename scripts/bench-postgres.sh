#!/usr/bin/env bash
# The server scenarios on PostgreSQL, with one and with three `agora serve` processes (behind
# haproxy), side by side with SQLite in the same run, and pgbench's simple-update rate on the same
# cluster as the database's ceiling. Writes BENCHMARKS.md between the postgres-bench markers.
#   CONNECTIONS=64 DURATION=10s ACTIONS=1000000 scripts/bench-postgres.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ACTIONS=${ACTIONS:-1000000}
ACTORS=${ACTORS:-10000}
FOLLOWED=${FOLLOWED:-1000}
AGORA=$PWD/.build/release/agora
SITE=$PWD/bench-out/postgres-site
BIN=$(pg_config --bindir)
CLUSTER=$(mktemp -d /tmp/agora-bench-pg-XXXX)
chown postgres "$CLUSTER"
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A cluster of its own, durable as a production one (fsync and synchronous_commit on).
as_postgres "$BIN/initdb" -D "$CLUSTER/data" -U agora -A trust -E UTF8 >/dev/null
as_postgres "$BIN/postgres" -D "$CLUSTER/data" -k "$CLUSTER" -c listen_addresses= -c max_connections=300 \
  -c shared_buffers=512MB >"$CLUSTER/log" 2>&1 &
PG=$!
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The postmaster's own pid: $PG is the shell that started it as the postgres user.
  [[ -f "$CLUSTER/data/postmaster.pid" ]] && kill -INT "$(head -1 "$CLUSTER/data/postmaster.pid")" 2>/dev/null || true
  wait $PG 2>/dev/null || true; rm -rf "$CLUSTER"
}
trap cleanup EXIT
for _ in $(seq 1 100); do "$BIN/pg_isready" -q -h "$CLUSTER" -U agora && break; sleep 0.1; done
"$BIN/createdb" -h "$CLUSTER" -U agora shop
URL="postgresql:///shop?host=$CLUSTER&user=agora"

# The same shop as scripts/bench-server.sh, made in SQLite and copied into PostgreSQL.
rm -rf "$SITE"
"$AGORA" init "$SITE" >/dev/null
"$AGORA" build --site "$SITE" --quiet
printf 'reader password\n' | "$AGORA" users create reader --email reader@example.com --site "$SITE" >/dev/null
python3 scripts/bench-feed-data.py "$SITE/data/agora.sqlite" "$ACTIONS" "$ACTORS" "$FOLLOWED"
COPY=$( { /usr/bin/time -f "%e" "$AGORA" db copy --site "$SITE" --to "$URL" >/dev/null; } 2>&1 | tail -1)
echo "agora db copy: $COPY s"
"$BIN/psql" -q -h "$CLUSTER" -U agora shop -c "VACUUM ANALYZE" >/dev/null

start() {  # port, extra arguments...
  local port=$1; shift
  "$AGORA" serve --site "$SITE" --port "$port" --stop-with-parent "$@" >/dev/null 2>>"$SITE/server.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "server on $port did not start" >&2; exit 1
}
stop_servers() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; PIDS=(); }

declare -A RPS P99
scenarios() {  # label prefix, base URL
  local prefix=$1 url=$2
  local shopper reader
  shopper=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"sku":"TC-001","quantity":1}' \
    "$url/api/cart/items" | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
  reader=$(curl -s -D - -o /dev/null -d 'username=reader&password=reader password' "$url/account/login/" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(agora_session=[^;]*\).*/\1/p')
  cat > "$SITE/add.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"sku":"TC-001","quantity":1,"update":true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$shopper"
LUA
  printf 'wrk.method = "POST"\n' > "$SITE/view.lua"
  one() {
    local label=$1; shift
    local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
    RPS[$prefix-$label]=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
    P99[$prefix-$label]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "$prefix $label: ${RPS[$prefix-$label]} req/s, p99 ${P99[$prefix-$label]}"
  }
  one nodb "$url/api/cart"
  one cart -H "Cookie: $shopper" "$url/api/cart"
  one add -s "$SITE/add.lua" "$url/api/cart/items"
  COOKIE="$reader" one follow -s scripts/bench-follow.lua "$url/api/follow"
  one feed -H "Cookie: $reader" "$url/api/feed?limit=10"
  one views -s "$SITE/view.lua" "$url/api/views/product/CE-001"
}

start 18100
scenarios sqlite http://127.0.0.1:18100
stop_servers

start 18101 --db "$URL"
scenarios pg1 http://127.0.0.1:18101
stop_servers

start 18111 --db "$URL"; start 18112 --db "$URL"; start 18113 --db "$URL"
cat > "$SITE/haproxy.cfg" <<CFG
global
    maxconn 4000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend shop
    bind 127.0.0.1:18110
    default_backend agora
backend agora
    balance roundrobin
    http-reuse always
    server s1 127.0.0.1:18111
    server s2 127.0.0.1:18112
    server s3 127.0.0.1:18113
CFG
haproxy -f "$SITE/haproxy.cfg" -db >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.5
scenarios pg3 http://127.0.0.1:18110
stop_servers
"$AGORA" doctor --site "$SITE" --db "$URL" >/dev/null && DOCTOR="no drift" || DOCTOR="drift found"

# pgbench's simple updates (TPC-B without the branch and teller updates) on the same cluster.
"$BIN/createdb" -h "$CLUSTER" -U agora pgbench
"$BIN/pgbench" -q -i -s 10 -h "$CLUSTER" -U agora pgbench >/dev/null 2>&1
PGBENCH=$("$BIN/pgbench" -N -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" -h "$CLUSTER" -U agora pgbench 2>/dev/null)
PGBENCH_TPS=$(awk -F'= ' '/^tps/ {print int($2)}' <<<"$PGBENCH" | head -1)
PGBENCH_LAT=$(awk -F'= ' '/latency average/ {print $2}' <<<"$PGBENCH")
echo "pgbench -N: $PGBENCH_TPS tps, latency average $PGBENCH_LAT"

row() {  # label, description
  echo "| $2 | ${RPS[sqlite-$1]} | ${P99[sqlite-$1]} | ${RPS[pg1-$1]} | ${P99[pg1-$1]} | ${RPS[pg3-$1]} | ${P99[pg3-$1]} |"
}
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
PGVERSION=$("$BIN/postgres" --version | awk '{print $3}')
SECTION=$(cat <<MD
<!-- postgres-bench:start -->
### PostgreSQL: one server and three, beside SQLite, wrk, $CONNECTIONS connections, $DURATION each

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), Debian 12, PostgreSQL $PGVERSION (a cluster of the
script's own on a Unix socket, \`fsync\` and \`synchronous_commit\` on, \`shared_buffers=512MB\`), the
release binary, wrk and haproxy on the same machine. The shop is the one of the table above
($ACTIONS actions by $ACTORS actors, the reader follows $FOLLOWED), made in SQLite and moved with
\`agora db copy\` in $COPY s. After the run \`agora doctor\` found $DOCTOR.

| request | SQLite, 1 server, req/s | p99 | PostgreSQL, 1 server, req/s | p99 | PostgreSQL, 3 servers behind haproxy, req/s | p99 |
|---|---|---|---|---|---|---|
$(row nodb "\`GET /api/cart\` without a session (no database work)")
$(row cart "\`GET /api/cart\` with a session")
$(row add "\`POST /api/cart/items\`")
$(row follow "\`POST /api/follow\`")
$(row feed "\`GET /api/feed?limit=10\`")
$(row views "\`POST /api/views/product/CE-001\`")
| \`pgbench -N -c $CONNECTIONS -j 2\` (simple updates, scale 10), transactions/s | | | $PGBENCH_TPS | avg $PGBENCH_LAT | | |

Commands: \`scripts/bench-postgres.sh\` (run by \`make bench\`); the wrk lines are those of the table above,
against \`agora serve --db postgresql:///shop?host=…\` and, for three servers, against haproxy
(\`balance roundrobin\`) in front of three of them.
<!-- postgres-bench:end -->
MD
)
python3 - "$SECTION" <<'PY'
import re, sys
section = sys.argv[1]
text = open("BENCHMARKS.md").read()
if "<!-- postgres-bench:start -->" in text:
    text = re.sub(r"<!-- postgres-bench:start -->.*?<!-- postgres-bench:end -->", lambda _: section, text, flags=re.S)
else:
    text = text.replace("## View counters", section + "\n\n## View counters", 1)
open("BENCHMARKS.md", "w").write(text)
PY
echo "Wrote BENCHMARKS.md"
