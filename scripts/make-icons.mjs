// Draws the app's PNG icons from public/icon.svg with the test Chromium:
// 192 and 512 px for the web manifest (the 512 one also maskable: its
// picture keeps inside the middle 80%), and the 180 px apple-touch-icon.
// Run after changing the SVG (`node scripts/make-icons.mjs`); the PNGs are
// committed, so a build needs no browser.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const svg = readFileSync(join(PUBLIC, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [file, size] of [['icon-192.png', 192], ['icon-512.png', 512], ['apple-touch-icon.png', 180]]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>*{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  writeFileSync(join(PUBLIC, file), await page.screenshot({ type: 'png' }));
  await page.close();
}
await browser.close();
