#!/usr/bin/env node
// Writes a brotli (quality 11) and a gzip (level 9) copy beside each text
// and wasm asset in dist/, so the server can send them as they are instead
// of compressing on the fly at a lower level. Run by scripts/build.sh.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
// dist/ and the organisers' bundle in dist/organise/.
function compress(dir) {
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) {
      compress(path);
      continue;
    }
    if (!/\.(wasm|js|css|html|svg)$/.test(f)) continue;
    const buf = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }));
    writeFileSync(`${path}.gz`, gzipSync(buf, { level: 9 }));
  }
}
compress(dist);
