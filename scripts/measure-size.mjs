#!/usr/bin/env node
// Prints each asset of the release build (dist/) raw, gzip and brotli, and
// the shop's first-load total (wasm + JS + CSS + index.html) against the
// 200 KB brotli budget; then the organisers' separate bundle
// (dist/organise/), which shoppers never load. A measurement, not a test:
// run after scripts/build.sh.
//   node scripts/measure-size.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const BUDGET_BROTLI = 200 * 1024;
const FIRST_LOAD = new Set(['.wasm', '.js', '.css', '.html']);

const files = readdirSync(dist)
  .filter((f) => statSync(join(dist, f)).isFile() && !/\.(br|gz)$/.test(f))
  .sort();
if (!files.some((f) => f.endsWith('.wasm'))) {
  console.error('dist/ has no .wasm: run scripts/build.sh first');
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
const rows = files.map((f) => {
  const buf = readFileSync(join(dist, f));
  return {
    f,
    raw: buf.length,
    gz: gzipSync(buf, { level: 9 }).length,
    br: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    first: FIRST_LOAD.has(extname(f)),
  };
});
console.log(`${'asset'.padEnd(44)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const r of rows) console.log(`${r.f.padEnd(44)}${kb(r.raw)}${kb(r.gz)}${kb(r.br)}`);
const sum = (key, pick) => rows.filter(pick).reduce((a, r) => a + r[key], 0);
const all = () => true;
const first = (r) => r.first;
console.log(`${'total (all files)'.padEnd(44)}${kb(sum('raw', all))}${kb(sum('gz', all))}${kb(sum('br', all))}`);
console.log(`${'first load (wasm+js+css+html)'.padEnd(44)}${kb(sum('raw', first))}${kb(sum('gz', first))}${kb(sum('br', first))}`);
const br = sum('br', first);
console.log(`budget: first load ${kb(br).trim()} brotli of ${kb(BUDGET_BROTLI).trim()} — ${br <= BUDGET_BROTLI ? 'within budget' : 'OVER BUDGET'}`);

const organise = join(dist, 'organise');
try {
  const orgFirst = readdirSync(organise)
    .filter((f) => FIRST_LOAD.has(extname(f)) && statSync(join(organise, f)).isFile())
    .reduce((a, f) => a + brotliCompressSync(readFileSync(join(organise, f)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
  console.log(`organisers' workspace (dist/organise/, first load): ${kb(orgFirst).trim()} brotli — not loaded by shoppers`);
} catch {
  console.log('dist/organise/ is missing: the organisers\' bundle was not built');
}
