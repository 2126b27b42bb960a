// Lighthouse (mobile preset: simulated slow 4G, 4× CPU slowdown) on the
// shop's first pages, each set against its static twin in the same run.
// A measurement, not a test:
//
//   bash scripts/build.sh && node scripts/measure-lighthouse.mjs
//
// - Installs lighthouse@12.2.3, pinned (`npm i -E`), into
//   target/lighthouse/ (not the project's packages) if it is not there.
// - Copies dist/ to a temp folder and starts the release API on it with a
//   fresh demo database.
// - The twin of a page: the page once rendered by the app in Chromium,
//   saved without its scripts as a static HTML file beside the app (same
//   CSS, same photos, served by the same server with brotli). It is the
//   physical limit for that page.
// - Runs Lighthouse on each page and its twin (`RUNS` times each, default
//   1; the median is kept; `LH_REPORTS=dir` keeps each report there as
//   JSON) and prints Performance, LCP, the LCP ratio to
//   the twin, CLS and Accessibility; then whether Chromium finds the app
//   installable (Lighthouse 12 has no installability audit any more, so
//   this asks Chromium itself, as that audit did).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LH_DIR = join(ROOT, 'target', 'lighthouse');
const LH_VERSION = '12.2.3';
const RUNS = Number(process.env.RUNS ?? 1);
const PAGES = (process.env.PAGES ?? '/ /v/liu /p/1 /v/liu/h/1').split(' ');

if (!existsSync(join(LH_DIR, 'node_modules', 'lighthouse', 'package.json'))) {
  console.error(`installing lighthouse@${LH_VERSION} into ${LH_DIR}`);
  execFileSync('npm', ['i', '-E', '--no-save', '--no-audit', '--no-fund', '--prefix', LH_DIR, `lighthouse@${LH_VERSION}`], { stdio: 'inherit' });
}
const lhModule = (p) => pathToFileURL(join(LH_DIR, 'node_modules', p)).href;
const { default: lighthouse } = await import(lhModule('lighthouse/core/index.js'));
const chromeLauncher = await import(lhModule('chrome-launcher/dist/index.js'));

const harness = await import(pathToFileURL(join(ROOT, 'tests', 'support', 'harness.mjs')).href);

// The app's files in a folder of our own, so the twins can sit beside them.
const dist = mkdtempSync(join(tmpdir(), 'storefront-lh-dist-'));
cpSync(join(ROOT, 'dist'), dist, { recursive: true });
const server = await harness.startServer({ env: { STOREFRONT_DIST: dist } });
const base = server.url;

// Render each page once and keep it without scripts.
const browser = await harness.launchBrowser();
const twins = {};
for (const path of PAGES) {
  const { page, context } = await harness.phonePage(browser, { baseURL: base, serviceWorkers: 'block' });
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  const html = await page.evaluate(() => {
    const doc = document.documentElement.cloneNode(true);
    for (const s of doc.querySelectorAll('script, link[rel="modulepreload"], link[rel="preload"]')) s.remove();
    return `<!doctype html>${doc.outerHTML}`;
  });
  const name = `twin${path.replaceAll('/', '-') || '-'}.html`.replace('twin-.html', 'twin-home.html');
  writeFileSync(join(dist, name), html);
  writeFileSync(join(dist, `${name}.br`), brotliCompressSync(html));
  twins[path] = `/${name}`;
  await context.close();
}

const chrome = await chromeLauncher.launch({
  chromePath: '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
});

async function audit(url) {
  const results = [];
  for (let i = 0; i < RUNS; i += 1) {
    const { lhr } = await lighthouse(url, {
      port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    });
    if (process.env.LH_REPORTS) {
      const name = `${new URL(url).pathname.replaceAll('/', '_') || '_'}-${i}.json`;
      writeFileSync(join(process.env.LH_REPORTS, name), JSON.stringify(lhr));
    }
    results.push({
      perf: Math.round(lhr.categories.performance.score * 100),
      a11y: Math.round(lhr.categories.accessibility.score * 100),
      lcp: lhr.audits['largest-contentful-paint'].numericValue / 1000,
      cls: lhr.audits['cumulative-layout-shift'].numericValue,
    });
  }
  results.sort((a, b) => a.lcp - b.lcp);
  return results[Math.floor(results.length / 2)];
}

const rows = [];
for (const path of PAGES) {
  const app = await audit(base + path);
  const twin = await audit(base + twins[path]);
  rows.push({ path, app, twin });
  console.error(`measured ${path}`);
}

// Chromium's own installability check, as Lighthouse's removed audit did,
// in a profile of its own (a private window is never installable).
const { chromium } = await import(pathToFileURL(join(ROOT, 'node_modules', 'playwright-core', 'index.mjs')).href);
const profile = mkdtempSync(join(tmpdir(), 'storefront-lh-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'],
  viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
});
const page = await context.newPage();
await page.goto(base + '/');
await page.waitForLoadState('networkidle');
const cdp = await context.newCDPSession(page);
const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
await context.close();
rmSync(profile, { recursive: true, force: true });
await browser.close();
await chrome.kill();
await server.stop();
server.cleanup();
rmSync(dist, { recursive: true, force: true });

console.log(`Lighthouse ${LH_VERSION}, mobile preset, median of ${RUNS} run(s)\n`);
console.log('| page | Performance | LCP | twin\'s LCP | ratio | CLS | twin Perf | Accessibility |');
console.log('|---|---|---|---|---|---|---|---|');
for (const { path, app, twin } of rows) {
  console.log(`| \`${path}\` | ${app.perf} | ${app.lcp.toFixed(2)} s | ${twin.lcp.toFixed(2)} s | ${(app.lcp / twin.lcp).toFixed(1)}× | ${app.cls.toFixed(3)} | ${twin.perf} | ${app.a11y} |`);
}
console.log(`\ninstallable: ${installabilityErrors.length === 0 ? 'yes' : `no: ${installabilityErrors.map((e) => e.errorId).join(', ')}`}`);
