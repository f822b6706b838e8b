#!/usr/bin/env bash
# Build benchmark: agora (release) and Hugo on the same synthetic shops, in the same run, at
# several sizes: a full (cold) build, a rebuild with nothing changed, and a rebuild after one
# product's price changed (the incremental build). Writes the figures and the exact commands into
# BENCHMARKS.md between the build-bench markers.
#   SIZES="1000 10000 50000" scripts/bench-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 50000"}
SHARED=${AGORA_SHARED:-../shared}
AGORA=.build/release/agora

# measure LABEL COMMAND...: runs once, records wall seconds and peak RSS (MB) from GNU time.
declare -A WALL RSS
measure() {
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { tail -20 "$log"; exit 1; }
  local elapsed rss
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  WALL[$label]=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(round(sum(float(x)*60**i for i,x in enumerate(reversed(p))),2))" "$elapsed")
  RSS[$label]=$((rss / 1024))
  echo "$label: ${WALL[$label]} s, peak RSS ${RSS[$label]} MB"
  rm -f "$log"
}
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
median() { python3 -c "import sys, statistics; print(round(statistics.median(float(x) for x in sys.argv[1:]), 2))" "$@"; }
ratio() { python3 -c "print(round($1 / max($2, 0.001), 2))"; }
percent() { python3 -c "print(round(100 * $1 / max($2, 0.001), 1))"; }

ROWS=""
for PRODUCTS in $SIZES; do
  CATEGORIES=$((PRODUCTS / 200 < 10 ? 10 : PRODUCTS / 200))
  PEOPLE=$((PRODUCTS / 5))
  OUT=$PWD/bench-out/build-$PRODUCTS
  echo "== $PRODUCTS products, $CATEGORIES categories, $PEOPLE people in bench-out/build-$PRODUCTS"
  rm -rf "$OUT"
  python3 "$SHARED/bench/gen_content.py" "$OUT" -n "$PRODUCTS" -m "$CATEGORIES" -p "$PEOPLE" >/dev/null
  mkdir -p "$OUT/agora/themes" && cp -r themes/default "$OUT/agora/themes/"
  python3 "$SHARED/bench/make_hugo_site.py" "$OUT/hugo" --feeds --paginate 24 >/dev/null

  # Content as a site has it: written more than a second before the build. (A build started within
  # a second of an edit does not trust its stamps, and the build after it takes the full way.)
  sync && sleep 1.1
  measure "cold_$PRODUCTS" "$AGORA" build --site "$OUT/agora" --quiet
  COLD=${WALL[cold_$PRODUCTS]}
  COLD_RSS=${RSS[cold_$PRODUCTS]}
  measure "noop_$PRODUCTS" "$AGORA" build --site "$OUT/agora" --quiet
  # One product's price, three times (three products): its page, its category's lists, the
  # catalog lists, the maker's profile and the manifests change.
  EDITS=()
  for n in 1 2 3; do
    FILE=$(ls "$OUT/agora/content/products" | sed -n "$((n * PRODUCTS / 4))p")
    sed -i "s/^price: .*/price: \"$n.99\"/" "$OUT/agora/content/products/$FILE"
    measure "edit_${PRODUCTS}_$n" "$AGORA" build --site "$OUT/agora" --quiet
    EDITS+=("${WALL[edit_${PRODUCTS}_$n]}")
  done
  EDIT=$(median "${EDITS[@]}")
  EDIT_RSS=${RSS[edit_${PRODUCTS}_1]}
  if [[ $PRODUCTS -le 10000 ]]; then  # best of two cold runs where it is cheap enough
    rm -rf "$OUT/agora/output" "$OUT/agora/.agora-cache" && sync
    measure "cold2_$PRODUCTS" "$AGORA" build --site "$OUT/agora" --quiet
    COLD=$(best "$COLD" "${WALL[cold2_$PRODUCTS]}")
  fi
  measure "hugo_$PRODUCTS" hugo -s "$OUT/hugo" --quiet -d "$OUT/hugo/public"
  HUGO=${WALL[hugo_$PRODUCTS]}
  if [[ $PRODUCTS -le 10000 ]]; then
    rm -rf "$OUT/hugo/public" && sync
    measure "hugo2_$PRODUCTS" hugo -s "$OUT/hugo" --quiet -d "$OUT/hugo/public"
    HUGO=$(best "$HUGO" "${WALL[hugo2_$PRODUCTS]}")
  fi
  PAGES=$(find "$OUT/agora/output" -name '*.html' | wc -l)
  HUGO_PAGES=$(find "$OUT/hugo/public" -name '*.html' | wc -l)
  FILES=$(find "$OUT/agora/output" -type f | wc -l)
  HUGO_FILES=$(find "$OUT/hugo/public" -type f | wc -l)
  ROWS+="| $PRODUCTS | $PAGES | $FILES / $HUGO_FILES | $COLD s | $COLD_RSS MB | ${WALL[noop_$PRODUCTS]} s | $EDIT s ($(percent "$EDIT" "$COLD") %) | $EDIT_RSS MB | $HUGO_PAGES | $HUGO s | ${RSS[hugo_$PRODUCTS]} MB | **$(ratio "$HUGO" "$COLD")×** |"$'\n'
  if [[ $PRODUCTS -eq 10000 ]]; then SEARCH_OUT=$OUT/agora/output; fi
  if [[ $PRODUCTS -ne 10000 ]]; then rm -rf "$OUT"; fi  # keep the disk small; 10,000 stays for the search figures
done

SEARCH='{}'
if [[ -n "${SEARCH_OUT:-}" ]]; then SEARCH=$(node scripts/bench-search.js "$SEARCH_OUT" wool 2>/dev/null || echo '{}'); fi
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 'n/a'))" "$SEARCH" "$1"; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)

SECTION=$(cat <<MD
<!-- build-bench:start -->
### Full and incremental builds against Hugo

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), $(free -g | awk '/Mem:/ {print $2}') GiB, Debian 12,
$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), Hugo $(hugo version | cut -d' ' -f2 | cut -d+ -f1) (Debian), the same synthetic shop
for both (categories: products / 200, at least 10; people: products / 5). Cold builds start from an empty
output folder and no build cache (best of two up to 10,000 products). "One product edited" changes one
product's price and rebuilds: the median of three such edits, with its share of the cold build. "Nothing changed"
is a rebuild right after the cold build, of content written more than a second before it (see InputStamps).

| products | Agora pages | files (Agora / Hugo) | Agora cold | peak RSS | nothing changed | one product edited | peak RSS | Hugo pages | Hugo cold | Hugo peak RSS | Hugo / Agora |
|---|---|---|---|---|---|---|---|---|---|---|---|
${ROWS}
"Hugo / Agora" above 1 means Agora's full build is faster. Agora's default build writes no compressed copies
(\`agora serve\` gzips on the fly; \`--precompress\` adds them for nginx), so it writes about as many files as Hugo.

Search index (10,000 products: \`output/search.json\`, $(field entries) products and people): $(field bytes) bytes,
$(field gzip_bytes) bytes gzipped. Time to first result — parse the index, prepare it and answer the first
query, with the theme's own search code in Node ($(node --version 2>/dev/null || echo 'node missing')) — **$(field first_result_ms) ms**; each
later keystroke at most $(field keystroke_ms_max) ms (\`node scripts/bench-search.js bench-out/build-10000/agora/output wool\`).

Commands (from \`scripts/bench-build.sh\`, run by \`make bench\`), for N in 1000, 10000, 50000:

\`\`\`
python3 ../shared/bench/gen_content.py bench-out/build-N -n N -m CATEGORIES -p PEOPLE
cp -r themes/default bench-out/build-N/agora/themes/
python3 ../shared/bench/make_hugo_site.py bench-out/build-N/hugo --feeds --paginate 24
/usr/bin/time -v .build/release/agora build --site bench-out/build-N/agora --quiet     # cold, then nothing changed
sed -i 's/^price: .*/price: "1.99"/' bench-out/build-N/agora/content/products/<one file>
/usr/bin/time -v .build/release/agora build --site bench-out/build-N/agora --quiet     # one product edited
/usr/bin/time -v hugo -s bench-out/build-N/hugo --quiet -d public                     # -d is relative to -s
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
