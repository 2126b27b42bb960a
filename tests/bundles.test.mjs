// The shop is split into wasm bundles (domain::bundle): browsing, orders and
// account, visits. Headless Chromium at 390×844 against the real server:
// a phone downloads only the bundle it lands on, links between bundles
// work both ways, and once the service worker has fetched the other
// bundles in the background they open with the server gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { useServerAndBrowser, startServer, phonePage, ROOT } from './support/harness.mjs';

const app = useServerAndBrowser();

// The bundle a wasm request is for, by its place and name in dist/.
const wasmOf = (url) => {
  const m = new URL(url).pathname.match(/^\/(?:app\/account\/(account)|app\/visit\/(visit)|organise\/(organise)|(storefront))-[0-9a-f]+_bg\.wasm$/);
  return m ? (m[1] ?? m[2] ?? m[3] ?? 'shop') : null;
};

test('landing on a village downloads only the browsing bundle; links load the others and back', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url, serviceWorkers: 'block' });
  const wasm = [];
  page.on('request', (r) => {
    const b = wasmOf(r.url());
    if (b) wasm.push(b);
  });
  await page.goto('/v/liu');
  await page.getByTestId('year-grid').waitFor();
  assert.deepEqual(wasm, ['shop']);

  // The cart tab leaves the browsing bundle for the orders one.
  await page.getByTestId('tab-cart').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  await page.getByTestId('cart-empty').waitFor();
  assert.deepEqual(wasm, ['shop', 'account']);
  assert.match(await page.title(), /Cart|购物车/);

  // Back is the village page again, in the browsing bundle (it may come
  // back from the back-forward cache, with no load event).
  await page.goBack({ waitUntil: 'commit', timeout: 10_000 });
  await page.waitForURL((u) => u.pathname === '/v/liu');
  await page.getByTestId('year-grid').waitFor();

  // A link into the visits bundle, and from there back to browsing.
  await page.goto('/v/liu/visit');
  await page.locator('h1').filter({ hasText: /visit/i }).waitFor();
  assert.ok(wasm.includes('visit'), `visit bundle loaded: ${wasm}`);
  await page.locator('.crumbs a[href="/v/liu"]').click();
  await page.waitForURL((u) => u.pathname === '/v/liu');
  await page.getByTestId('year-grid').waitFor();
  assert.ok(!wasm.includes('organise'), 'shoppers never load the organisers\' bundle');
  assert.deepEqual(errors, []);
  await context.close();
});

test('after the first load the other bundles are fetched, and open with the server gone', async () => {
  const own = await startServer();
  try {
    const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: own.url });
    await page.goto('/');
    await page.getByTestId('village-card').first().waitFor();
    // A file of an older build, left in the cache: the background fetch
    // drops what no current page uses.
    const STALE = '/storefront-00000000000000aa_bg.wasm';
    await page.evaluate(async (stale) => {
      await navigator.serviceWorker.ready;
      await (await caches.open('storefront-v3')).put(stale, new Response('old'));
    }, STALE);
    // The page asks the service worker to fetch the other bundles a few
    // seconds after it has loaded.
    const cached = () => page.evaluate(async (stale) => {
      const cache = await caches.open('storefront-v3');
      const pages = ['/index.html', '/app/account/index.html', '/app/visit/index.html'];
      const hits = await Promise.all(pages.map((p) => cache.match(p)));
      const wasm = (await cache.keys()).map((r) => new URL(r.url).pathname).filter((p) => p.endsWith('_bg.wasm'));
      return { pages: hits.filter(Boolean).length, wasm: wasm.filter((p) => p !== stale).length, stale: wasm.includes(stale) };
    }, STALE);
    const deadline = Date.now() + 30_000;
    let seen = await cached();
    while ((seen.pages < 3 || seen.wasm < 3 || seen.stale) && Date.now() < deadline) {
      await page.waitForTimeout(500);
      seen = await cached();
    }
    assert.deepEqual(seen, { pages: 3, wasm: 3, stale: false }, 'every shop bundle is cached, the old file dropped');

    await own.stop();
    await page.goto('/cart');
    await page.getByTestId('cart-empty').waitFor();
    await page.goto('/trips');
    await page.locator('h1').filter({ hasText: /我的/ }).waitFor();
    await page.goto('/v/liu');
    // The catalogue read before is served from the cache too.
    await page.locator('body').filter({ hasText: /刘|无法|重试/ }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await own.stop();
    own.cleanup();
  }
});

test("the service worker's bundle rule agrees with the server's for every kind of shop path", async () => {
  // sw.js keeps its own copy of the shop bundles' routes for when there is
  // no network; run it as it is and compare with the page the server answers.
  const sandbox = { self: { addEventListener() {} }, URL };
  vm.runInNewContext(readFileSync(join(ROOT, 'public', 'sw.js'), 'utf8'), sandbox);
  const paths = [
    '/', '/v/liu', '/v/liu/h/3', '/p/12', '/l/ABC123', '/nowhere', '/v/liu/visit/extra',
    '/cart', '/orders', '/orders/4f1c', '/login', '/join', '/me', '/orders/a/b', '/cart/x', '/me/x',
    '/v/liu/visit', '/trips', '/trips/7', '/trips/7/x',
  ];
  // The page's own head, data and first screen (written by the server for
  // shop pages, the first screen in the loading placeholder's place) taken
  // out: what is left is the bundle's page.
  const template = (html) => html
    .replace(/<script type="application\/json" id="page-data"[^>]*>.*?<\/script>/s, '')
    .replace(/<div [^>]*id="?boot"?[ >].*?(?=<script)/s, '')
    .replace(/<title>.*?<\/title>/s, '')
    .replace(/<meta (content="[^"]*" name=description|name="description" content="[^"]*")>/g, '')
    .replace(/<meta property="og:[a-z_]+" content="[^"]*">/g, '');
  const body = async (path) => {
    const r = await fetch(app.server.url + path);
    assert.equal(r.headers.get('content-type')?.split(';')[0], 'text/html', path);
    return template(await r.text());
  };
  const seen = new Set();
  for (const path of paths) {
    const page = sandbox.bundlePage(path);
    seen.add(page);
    assert.equal(await body(path), await body(page), `${path}: the worker answers ${page} offline`);
  }
  assert.equal(seen.size, 3, 'the paths cover every shop bundle');
});
