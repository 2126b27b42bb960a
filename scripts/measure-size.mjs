#!/usr/bin/env node
// Prints each asset of the release build (dist/) raw, gzip and brotli, and
// the first load of each app bundle (wasm + JS + CSS + its index.html)
// against the 200 KB brotli budget. The app is split into bundles
// (domain::bundle): a phone downloads the one for the page it lands on;
// the shop's service worker fetches the other shop bundles afterwards, in
// the background. A measurement, not a test: run after scripts/build.sh.
//   node scripts/measure-size.mjs
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const BUDGET_BROTLI = 200 * 1024;
const FIRST_LOAD = new Set(['.wasm', '.js', '.css', '.html']);
// Directory under dist/ of each bundle: Bundle::dir in domain/src/bundle.rs.
const BUNDLES = [
  ['shop: browsing (/, /v/…, /p/…)', ''],
  ['shop: orders & account (/cart, /orders, /login, /me)', 'app/account'],
  ['shop: visits (/v/…/visit, /trips)', 'app/visit'],
  ['organisers: home, visits, log (/organise)', 'organise'],
  ['organisers: products (/organise/v/…/products)', 'organise/app/products'],
  ['organisers: rounds, packing (/organise/…/rounds)', 'organise/app/rounds'],
  ['organisers: households, village page (/organise/v/…/households)', 'organise/app/village'],
];

if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/ has no index.html: run scripts/build.sh first');
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
const measure = (path) => {
  const buf = readFileSync(path);
  return {
    raw: buf.length,
    gz: gzipSync(buf, { level: 9 }).length,
    br: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};

console.log(`${'asset'.padEnd(56)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
const totals = [];
for (const [name, dir] of BUNDLES) {
  const base = join(dist, dir);
  if (!existsSync(join(base, 'index.html'))) {
    console.log(`${dir || '.'}: not built`);
    continue;
  }
  const files = readdirSync(base)
    .filter((f) => statSync(join(base, f)).isFile() && !/\.(br|gz)$/.test(f))
    .sort();
  const first = { raw: 0, gz: 0, br: 0 };
  for (const f of files) {
    const m = measure(join(base, f));
    console.log(`${join(dir, f).padEnd(56)}${kb(m.raw)}${kb(m.gz)}${kb(m.br)}`);
    if (FIRST_LOAD.has(extname(f))) {
      first.raw += m.raw;
      first.gz += m.gz;
      first.br += m.br;
    }
  }
  totals.push([name, first]);
}
console.log('\nfirst load per bundle (wasm+js+css+html):');
let over = 0;
for (const [name, t] of totals) {
  const ok = t.br <= BUDGET_BROTLI;
  if (!ok) over += 1;
  console.log(`${name.padEnd(56)}${kb(t.raw)}${kb(t.gz)}${kb(t.br)}  ${ok ? 'within budget' : 'OVER BUDGET'}`);
}
console.log(`budget: ${kb(BUDGET_BROTLI).trim()} brotli per first load — ${over ? `${over} bundle(s) over` : 'all within budget'}`);
