// Time to first search result on a built site's search.json, with the theme's own search code.
//   node scripts/bench-search.js OUTPUT_DIR [query]
"use strict";
const fs = require("fs");
const zlib = require("zlib");
const path = require("path");
const search = require(path.join(__dirname, "..", "themes", "default", "assets", "agora.js"));

const output = process.argv[2];
const query = process.argv[3] || "tea";
const raw = fs.readFileSync(path.join(output, "search.json"));
const runs = [];
let found = 0;
for (let i = 0; i < 5; i++) {
  const start = process.hrtime.bigint();
  const entries = search.prepare(JSON.parse(raw.toString("utf8")));   // what the page does on first focus
  found = search.query(entries, query, 8).length;                      // the first keystrokes' results
  runs.push(Number(process.hrtime.bigint() - start) / 1e6);
}
const entries = search.prepare(JSON.parse(raw.toString("utf8")));
const perQuery = [];
for (const q of ["t", "te", "tea", "tea bowl", "zzz"]) {
  const start = process.hrtime.bigint();
  search.query(entries, q, 8);
  perQuery.push(Number(process.hrtime.bigint() - start) / 1e6);
}
runs.sort((a, b) => a - b);
console.log(JSON.stringify({
  entries: entries.length, bytes: raw.length, gzip_bytes: zlib.gzipSync(raw, { level: 9 }).length,
  first_result_ms: +runs[Math.floor(runs.length / 2)].toFixed(1), keystroke_ms_max: +Math.max(...perQuery).toFixed(1),
  query, found }));
