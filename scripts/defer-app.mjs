#!/usr/bin/env node
// The browsing bundle's page (dist/index.html) fetches its app only once
// the page has been painted. Shop pages come with their first screen in
// the HTML (src/first_screen.rs), readable without the app; fetched at
// once, as trunk writes it (a preload and a module preload in the head),
// the 200 KB of wasm would share a slow connection with the page's CSS and
// photos, and hold back what the shopper came to read. So the preloads go,
// and the loader waits for the first frame, then imports the bindings.
// The service worker still finds both files in the page (public/sw.js).
// Run by scripts/build.sh after minify-js.mjs (which reads the module
// preload), before precompressing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const page = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.html');
let html = readFileSync(page, 'utf8');
const before = html;
html = html.replace(/<link[^>]*rel="?modulepreload"?[^>]*>/g, '');
html = html.replace(/<link[^>]*rel="?preload"?[^>]*application\/wasm[^>]*>/g, '');
const load = /import init, \* as bindings from '([^']+\.js)';/;
if (!load.test(html) || html.length === before.length) {
  throw new Error(`defer-app: ${page} is not the loader trunk writes`);
}
html = html.replace(load, (_, js) => "await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));\n"
  + `const bindings = await import('${js}');\nconst init = bindings.default;`);
writeFileSync(page, html);
console.log('defer-app: the browsing bundle loads its app after the first paint');
