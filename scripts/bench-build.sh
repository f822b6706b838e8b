#!/usr/bin/env bash
# Build benchmark: agora (release) and Hugo on the same synthetic shop, in the same run.
# Writes the figures and the exact commands into BENCHMARKS.md between the build-bench markers.
#   PRODUCTS=10000 CATEGORIES=50 PEOPLE=2000 scripts/bench-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PRODUCTS=${PRODUCTS:-10000}
CATEGORIES=${CATEGORIES:-50}
PEOPLE=${PEOPLE:-2000}
SHARED=${AGORA_SHARED:-../shared}
OUT=$PWD/bench-out/build-$PRODUCTS
AGORA=.build/release/agora

echo "Generating $PRODUCTS products, $CATEGORIES categories, $PEOPLE people in bench-out/build-$PRODUCTS"
rm -rf "$OUT"
python3 "$SHARED/bench/gen_content.py" "$OUT" -n "$PRODUCTS" -m "$CATEGORIES" -p "$PEOPLE" >/dev/null
mkdir -p "$OUT/agora/themes" && cp -r themes/default "$OUT/agora/themes/"
python3 "$SHARED/bench/make_hugo_site.py" "$OUT/hugo" --feeds --paginate 24 >/dev/null

# measure LABEL COMMAND...: runs once, records wall seconds and peak RSS (MB) from GNU time.
declare -A WALL RSS
measure() {
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log"; exit 1; }
  local elapsed rss
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  WALL[$label]=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(round(sum(float(x)*60**i for i,x in enumerate(reversed(p))),2))" "$elapsed")
  RSS[$label]=$((rss / 1024))
  echo "$label: ${WALL[$label]} s, peak RSS ${RSS[$label]} MB"
  rm -f "$log"
}

sync
measure agora_cold "$AGORA" build --site "$OUT/agora" --quiet
measure agora_noop "$AGORA" build --site "$OUT/agora" --quiet
rm -rf "$OUT/agora/output" && sync
measure agora_cold2 "$AGORA" build --site "$OUT/agora" --quiet
measure hugo_cold hugo -s "$OUT/hugo" --quiet -d "$OUT/hugo/public"
rm -rf "$OUT/hugo/public" && sync
measure hugo_cold2 hugo -s "$OUT/hugo" --quiet -d "$OUT/hugo/public"

PAGES=$(find "$OUT/agora/output" -name '*.html' | wc -l)
SEARCH=$(node scripts/bench-search.js "$OUT/agora/output" wool 2>/dev/null || echo '{}')
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 'n/a'))" "$SEARCH" "$1"; }
REL=bench-out/build-$PRODUCTS
HUGO_PAGES=$(find "$OUT/hugo/public" -name '*.html' | wc -l)
best() { python3 -c "print(min(float('$1'), float('$2')))"; }
AGORA_BEST=$(best "${WALL[agora_cold]}" "${WALL[agora_cold2]}")
HUGO_BEST=$(best "${WALL[hugo_cold]}" "${WALL[hugo_cold2]}")
RATIO=$(python3 -c "print(round($HUGO_BEST / max($AGORA_BEST, 0.001), 2))")
PPS=$(python3 -c "print(int($PAGES / max($AGORA_BEST, 0.001)))")
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)

SECTION=$(cat <<MD
<!-- build-bench:start -->
### Full build: $PRODUCTS products, $CATEGORIES categories, $PEOPLE people

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), $(free -g | awk '/Mem:/ {print $2}') GiB, Debian 12,
$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), Hugo $(hugo version | cut -d' ' -f2 | cut -d+ -f1) (Debian). Best of two cold runs into an empty output folder.

| build | HTML pages | wall time | pages/s | peak RSS |
|---|---|---|---|---|
| \`agora build\` (release), cold | $PAGES | $AGORA_BEST s | $PPS | ${RSS[agora_cold]} MB |
| \`agora build\`, nothing changed | $PAGES | ${WALL[agora_noop]} s | | ${RSS[agora_noop]} MB |
| \`hugo\`, cold, to disk | $HUGO_PAGES | $HUGO_BEST s | | ${RSS[hugo_cold]} MB |

Hugo / Agora wall-time ratio: **$RATIO×** (above 1 means Agora is faster).

Search index (\`output/search.json\`, $(field entries) products and people): $(field bytes) bytes, $(field gzip_bytes) bytes
gzipped. Time to first result — parse the index, prepare it and answer the first query, with the theme's
own search code in Node ($(node --version 2>/dev/null || echo 'node missing')) — **$(field first_result_ms) ms**; each later
keystroke at most $(field keystroke_ms_max) ms (\`node scripts/bench-search.js $REL/agora/output wool\`).

Commands (from \`scripts/bench-build.sh\`, run by \`make bench\`):

\`\`\`
python3 ../shared/bench/gen_content.py $REL -n $PRODUCTS -m $CATEGORIES -p $PEOPLE
cp -r themes/default $REL/agora/themes/
python3 ../shared/bench/make_hugo_site.py $REL/hugo --feeds --paginate 24
/usr/bin/time -v .build/release/agora build --site $REL/agora --quiet
/usr/bin/time -v hugo -s $REL/hugo --quiet -d public      # -d is relative to -s
\`\`\`
<!-- build-bench:end -->
MD
)

python3 - "$SECTION" <<'PY'
import re, sys, os
section = sys.argv[1]
path = "BENCHMARKS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\nRun `make bench` to refresh the figures below.\n\n## Static build\n\n"
if "<!-- build-bench:start -->" in text:
    text = re.sub(r"<!-- build-bench:start -->.*?<!-- build-bench:end -->", lambda m: section, text, flags=re.S)
else:
    text += section + "\n"
open(path, "w").write(text)
PY
echo "Wrote BENCHMARKS.md"
