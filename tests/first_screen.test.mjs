// The first screen from the first answer, in headless Chromium at 390×844
// against the real API: a shop page's HTML carries its title, description,
// Open Graph tags and the catalogue answer its first screen shows; the app
// renders from that answer without asking again; nothing shifts once
// painted; and the app can be installed (manifest and icons).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { useServerAndBrowser, phonePage, getJson, CHROMIUM } from './support/harness.mjs';

const app = useServerAndBrowser();

/** The embedded answer of a page's HTML, parsed, and the API path it is for. */
function embedded(html) {
  const m = html.match(/<script type="application\/json" id="page-data" data-path="([^"]+)">(.*?)<\/script>/s);
  assert.ok(m, 'the page embeds its first screen\'s answer');
  return { path: m[1], data: JSON.parse(m[2]) };
}

test('a product page has its og:title and name before any script runs', async () => {
  const product = await getJson(`${app.server.url}/api/products/1`);
  // Scripts off: what a chat app's link preview, or a phone before the
  // wasm arrives, sees.
  const context = await app.browser.newContext({
    javaScriptEnabled: false, viewport: { width: 390, height: 844 }, locale: 'zh-CN',
  });
  const page = await context.newPage();
  await page.goto(`${app.server.url}/p/1`);
  assert.equal(await page.title(), `${product.name.zh} · 乡邻直供`);
  const og = (p) => page.locator(`meta[property="og:${p}"]`).getAttribute('content');
  assert.equal(await og('title'), `${product.name.zh} · 乡邻直供`);
  assert.ok((await og('description')).length > 0);
  assert.equal(await og('url'), `${app.server.url}/p/1`);
  // The demo's products have no photos yet: no picture to preview.
  assert.equal(product.photos.length, 0);
  assert.equal(await page.locator('meta[property="og:image"]').count(), 0);
  assert.equal(await page.locator('meta[name="description"]').count(), 1);
  // The first screen itself: the app's header and the product, no spinner.
  assert.match(await page.locator('#boot.first-screen h1').innerText(), new RegExp(product.name.zh));
  assert.equal(await page.locator('#boot.first-screen header').count(), 1);
  assert.equal(await page.locator('.spinner').count(), 0);
  // The product's name is in the HTML as sent, with the answer embedded.
  const html = await (await fetch(`${app.server.url}/p/1`)).text();
  assert.ok(html.includes(product.name.zh));
  const { path, data } = embedded(html);
  assert.equal(path, '/api/products/1');
  assert.deepEqual(data, await getJson(`${app.server.url}/api/products/1`));
  await context.close();

  // English readers get the English title; a missing product no head of its own.
  const en = await (await fetch(`${app.server.url}/p/1`, { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } })).text();
  assert.ok(en.includes(`<title>${product.name.en} · Village to Neighbour</title>`));
  const missing = await (await fetch(`${app.server.url}/p/999999`)).text();
  assert.ok(!missing.includes('page-data'));
  assert.ok(!missing.includes('og:title'));
});

test('the village page renders from the embedded answer, and nothing shifts after the first paint', async () => {
  const village = await getJson(`${app.server.url}/api/villages/liu`);
  const { page, errors, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url, serviceWorkers: 'block' });
  await page.addInitScript(() => {
    window.__shift = 0;
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        window.__shift += e.value;
        window.__shifts.push(e.sources.map((s) => s.node?.className || s.node?.nodeName).join(','));
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const asked = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) asked.push(new URL(r.url()).pathname); });
  await page.goto('/v/liu');
  await page.getByTestId('calendar').waitFor();
  assert.match(await page.locator('h1').innerText(), new RegExp(village.name.zh));
  // Let late parts (the share summary, photos) arrive.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.__shift);
  assert.ok(shift <= 0.02, `layout shift ${shift} (${await page.evaluate(() => window.__shifts.join(' | '))})`);
  assert.ok(!asked.includes('/api/villages/liu'), `the village was not asked for again: ${asked.join(' ')}`);
  // The app has mounted over the server's copy: one page, not two.
  assert.equal(await page.locator('#boot').count(), 0);
  assert.equal(await page.locator('main#main').count(), 1);
  assert.equal(await page.locator('header').count(), 1);
  // Leaving and coming back asks the server: the embedded answer is used once.
  await page.locator('a[href^="/v/liu/h/"]').first().click();
  await page.getByTestId('household').waitFor();
  await page.goBack();
  await page.getByTestId('calendar').waitFor();
  assert.ok(asked.includes('/api/villages/liu'), 'back on the village page it loads afresh');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the app takes the village page\'s calendar from the server\'s copy, and draws it anew in another language', async () => {
  const village = await getJson(`${app.server.url}/api/villages/liu`);
  const { page, errors, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url, serviceWorkers: 'block' });
  // Mark the server's nodes before the app arrives (it loads after the
  // first paint): a node the app built itself has no mark.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      for (const el of document.querySelectorAll('#boot [data-testid="product-card"], #boot [data-testid="year-grid"]')) el.fromServer = true;
    });
  });
  const marked = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="product-card"], [data-testid="year-grid"]')].map((el) => el.fromServer === true));
  await page.goto('/v/liu');
  assert.equal(await page.locator('#boot').count(), 0, 'the app has mounted');
  const taken = await marked();
  assert.ok(taken.length > village.products.length, `cards and the grid: ${taken.length}`);
  assert.ok(taken.every(Boolean), 'every card and the year grid are the server\'s own nodes');
  assert.equal(await page.locator('#cal-h').innerText(), '时令日历');
  assert.equal(await page.locator('main#main').count(), 1);
  // A switch of language builds the part again, in English.
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.locator('#cal-h').innerText(), 'Seasonal calendar');
  assert.equal(await page.locator('#year-h').innerText(), 'The year at a glance');
  assert.ok((await marked()).every((m) => !m), 'drawn anew');
  assert.match(await page.getByTestId('product-card').first().innerText(), /[A-Za-z]/);
  assert.deepEqual(errors, []);
  await context.close();

  // A phone that keeps English but sent no cookie gets the server's Chinese
  // copy: not the page the app would draw, so the app builds its own.
  const other = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url, serviceWorkers: 'block' });
  await other.page.addInitScript(() => {
    localStorage.setItem('storefront.lang', JSON.stringify('en'));
    document.addEventListener('DOMContentLoaded', () => {
      for (const el of document.querySelectorAll('#boot [data-testid="product-card"]')) el.fromServer = true;
    });
  });
  assert.match(await (await other.page.request.get('/v/liu')).text(), /时令日历/, 'the server draws Chinese');
  await other.page.goto('/v/liu');
  assert.equal(await other.page.locator('#cal-h').innerText(), 'Seasonal calendar');
  const cards = await other.page.evaluate(() => [...document.querySelectorAll('[data-testid="product-card"]')].map((el) => el.fromServer === true));
  assert.ok(cards.length > 0 && cards.every((m) => !m), 'built by the app');
  assert.deepEqual(other.errors, []);
  await other.context.close();
});

test('the language chosen on the phone is the one the server draws the next page in', async () => {
  const { page, errors, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url, serviceWorkers: 'block' });
  const village = await getJson(`${app.server.url}/api/villages/liu`);
  await page.goto('/v/liu');
  await page.getByTestId('calendar').waitFor();
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const cookie = (await context.cookies()).find((c) => c.name === 'lang');
  assert.equal(cookie?.value, 'en');
  // Without the app on the reload: what the server sent is in English.
  page.withoutApp = true;
  await page.route('**/*.wasm', (route) => route.abort());
  await page.reload();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('#boot.first-screen h1').innerText(), new RegExp(village.name.en));
  await page.unroute('**/*.wasm');
  // An offline copy of another page (the worker's, one per bundle) shows
  // the placeholder, not that page.
  const html = (await (await page.request.get('/p/1')).text());
  await page.route('**/v/liu', (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/v/liu');
  assert.equal(await page.locator('#boot.boot .spinner').count(), 1);
  assert.equal(await page.locator('#boot h1').count(), 0);
  assert.ok(errors.every((e) => /wasm|Failed to fetch|WebAssembly/i.test(e)), errors.join('\n'));
  await context.close();
});

/** Width and height from a PNG's header. */
function pngSize(bytes) {
  assert.equal(Buffer.from(bytes.subarray(1, 4)).toString(), 'PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

test('the app is installable: a manifest with 192 and 512 px icons, one maskable, and an apple-touch-icon', async () => {
  const html = await (await fetch(`${app.server.url}/`)).text();
  assert.match(html, /rel=("?)manifest\1/);
  assert.match(html, /rel=("?)apple-touch-icon\1/);
  const res = await fetch(`${app.server.url}/manifest.webmanifest`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /manifest\+json/);
  const manifest = await res.json();
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  const sizes = new Set();
  for (const icon of manifest.icons) {
    const png = await fetch(`${app.server.url}${icon.src}`);
    assert.equal(png.headers.get('content-type'), 'image/png', icon.src);
    const [w, h] = pngSize(new Uint8Array(await png.arrayBuffer()));
    assert.equal(`${w}x${h}`, icon.sizes, icon.src);
    sizes.add(icon.sizes);
  }
  assert.ok(sizes.has('192x192') && sizes.has('512x512'));
  assert.ok(manifest.icons.some((i) => i.purpose.split(' ').includes('maskable')));
  const touch = await fetch(`${app.server.url}/apple-touch-icon.png`);
  assert.deepEqual(pngSize(new Uint8Array(await touch.arrayBuffer())), [180, 180]);

  // Chromium's own verdict, as Lighthouse's installability audit asked it,
  // in a profile of its own (a private window is never installable).
  const profile = mkdtempSync(join(tmpdir(), 'storefront-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'],
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(app.server.url);
  await page.getByTestId('village-card').first().waitFor();
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
});
