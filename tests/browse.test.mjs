// Browsing in headless Chromium at 390×844 against the release build served
// by the real API: home, village calendar, household, product breakdown,
// languages, deep links, 404 and the API going away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, startServer, phonePage, getJson, shanghaiMonth, yuan } from './support/harness.mjs';

const app = useServerAndBrowser();

test('home → village calendar → household → product breakdown', async () => {
  const village = await getJson(`${app.server.url}/api/villages/liu`);
  const month = shanghaiMonth();
  const inSeasonIds = new Set(
    village.products.filter((p) => p.season.kind === 'months' && p.season.months.includes(month)).map((p) => p.id),
  );
  assert.ok(inSeasonIds.size > 0, 'demo data has a Liu Village product in season this month');

  const { page, errors, context } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await page.goto('/');
  await page.getByTestId('village-card').first().waitFor();
  assert.equal(await page.getByTestId('village-card').count(), (await getJson(`${app.server.url}/api/villages`)).length);
  assert.match(await page.title(), /Villages/);

  await page.locator('a[href="/v/liu"]').click();
  await page.getByTestId('calendar').waitFor();
  assert.equal(new URL(page.url()).pathname, '/v/liu');
  assert.match(await page.title(), /Liu Village/);

  // The "in season now" group lists exactly the products whose months include this month.
  const group = page.getByTestId('group-in-season');
  const cards = group.getByTestId('product-card');
  assert.equal(await cards.count(), inSeasonIds.size);
  const firstHref = await cards.first().locator('a').getAttribute('href');
  assert.ok(inSeasonIds.has(Number(firstHref.split('/').pop())), `${firstHref} is in season in month ${month}`);
  assert.match(await cards.first().innerText(), /In season/);
  // The 12-month view highlights the current month and has a row per product.
  const grid = page.getByTestId('year-grid');
  assert.equal(await grid.locator('thead th.now').count(), 1);
  assert.equal(await grid.locator('thead th').nth(month).getAttribute('class'), 'now');
  assert.equal(await grid.locator('tbody tr').count(), village.products.length);
  // Each row is one painted cell: a band per run of months, and the months in words.
  const cells = await grid.locator('tbody td.months').evaluateAll((tds) => tds.map((td) => [td.textContent.trim(), td.getAttribute('style')]));
  assert.equal(cells.length, village.products.length);
  for (const [i, p] of village.products.entries()) {
    const [text, style] = cells[i];
    const months = p.season.kind === 'all_year' ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : p.season.months;
    const runs = months.filter((m) => !months.includes(m - 1)).length;
    assert.equal(style.split('var(--on)').length - 1, runs, `${p.name.en}: ${style}`);
    if (p.season.kind === 'all_year') assert.equal(text, 'All year');
    else assert.ok(text.length > 0, `${p.name.en} says its months`);
  }
  // The next round to order for is called out, with its deadline in Shanghai time.
  assert.match(await page.getByTestId('next-round').innerText(), /^Next round: delivered .+; order by .+, \d\d:\d\d$/);
  // Upcoming rounds and the pickup points are there.
  assert.ok((await page.getByTestId('rounds').locator('li').count()) > 0);
  assert.equal(await page.getByTestId('pickup-points').locator('li').count(), village.distribution_points.length);

  // A household profile with real name, demo badge and its products.
  const hh = village.households[0];
  await page.getByTestId('household-link').filter({ hasText: hh.name.en }).first().click();
  await page.getByTestId('household').waitFor();
  assert.equal(new URL(page.url()).pathname, `/v/liu/h/${hh.id}`);
  const household = await getJson(`${app.server.url}/api/households/${hh.id}`);
  assert.match(await page.locator('h1').innerText(), new RegExp(hh.name.en));
  assert.match(await page.locator('h1').innerText(), /demo/);
  assert.equal(await page.getByTestId('product-card').count(), household.products.length);

  // A product page with its price breakdown.
  const first = household.products[0];
  await page.getByTestId('product-card').first().click();
  await page.getByTestId('breakdown').waitFor();
  assert.equal(new URL(page.url()).pathname, `/p/${first.id}`);
  const product = await getJson(`${app.server.url}/api/products/${first.id}`);
  const b = product.breakdown;
  assert.equal(b.household_fen + b.organising_fen, product.price_fen);
  assert.equal(
    await page.getByTestId('breakdown-sentence').innerText(),
    `Of ${yuan(b.price_fen)}, ${yuan(b.household_fen)} goes to the household and ${yuan(b.organising_fen)} pays for packing and distribution.`,
  );
  assert.match(await page.getByTestId('price').innerText(), new RegExp(yuan(product.price_fen).replace('$', '\\$')));
  if (product.premium_percent !== null) {
    assert.match(await page.getByTestId('premium').innerText(), new RegExp(`${product.premium_percent}% above`));
  }
  assert.match(await page.title(), new RegExp(product.name.en.replace(/[()]/g, '.')));
  assert.deepEqual(errors, []);
  await context.close();
});

test('language follows the browser, switches, and is remembered', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/v/liu');
  await page.getByTestId('calendar').waitFor();
  assert.equal(await page.locator('#cal-h').innerText(), '时令日历');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.match(await page.title(), /刘村/);

  // Its accessible name holds the text it shows, so a voice-control user
  // who says what they see ("English") presses it.
  const toEnglish = page.getByRole('button', { name: 'English' });
  assert.equal((await toEnglish.innerText()).trim(), 'English');
  await toEnglish.click();
  await page.locator('#cal-h', { hasText: 'Seasonal calendar' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('h1').innerText(), /Liu Village/);
  assert.match(await page.title(), /Liu Village/);

  // The choice survives a reload even though the browser prefers Chinese.
  await page.reload();
  await page.getByTestId('calendar').waitFor();
  assert.equal(await page.locator('#cal-h').innerText(), 'Seasonal calendar');

  await page.getByRole('button', { name: '中文' }).click();
  await page.locator('#cal-h', { hasText: '时令日历' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();

  // An English-speaking browser starts in English.
  const en = await phonePage(app.browser, { locale: 'en-GB', baseURL: app.server.url });
  await en.page.goto('/');
  await en.page.getByTestId('village-card').first().waitFor();
  assert.equal(await en.page.locator('h1').innerText(), 'Villages');
  await en.context.close();
});

test('a deep link survives a reload', async () => {
  const village = await getJson(`${app.server.url}/api/villages/song`);
  const p = village.products[0];
  const { page, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto(`/p/${p.id}`);
  await page.getByTestId('breakdown').waitFor();
  await page.reload();
  await page.getByTestId('breakdown').waitFor();
  assert.equal(await page.locator('h1').innerText(), p.name.zh);
  assert.match(await page.getByTestId('breakdown-sentence').innerText(), /归生产农户/);
  await context.close();
});

test('Back from a product returns to where the shopper was on the village page, once it has loaded', async () => {
  // No service worker: the village's answer must go through the route below.
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url, serviceWorkers: 'block' });
  await page.goto('/v/liu');
  const cards = page.getByTestId('product-card');
  await cards.nth(20).waitFor();
  const card = cards.nth(20);
  await card.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 200));
  const y = await page.evaluate(() => window.scrollY);
  assert.ok(y > 1000, `far down the page: ${y}`);
  const href = await card.locator('a[href^="/p/"]').first().getAttribute('href');

  // The village loads slowly on the way back.
  let release;
  await page.route('**/api/villages/liu', async (route) => {
    await new Promise((resolve) => { release = resolve; });
    await route.continue();
  });
  await card.locator('a[href^="/p/"]').first().click();
  await page.waitForURL((u) => u.pathname === href);
  await page.getByTestId('breakdown').waitFor();
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'a new page starts at the top');

  await page.goBack();
  await page.waitForURL((u) => u.pathname === '/v/liu');
  while (!release) await page.waitForTimeout(20);
  release();
  await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y, { timeout: 5000 });
  assert.ok(await card.isVisible(), 'the product left is in view again');

  // Scrolling while the page loads wins over the restore.
  release = undefined;
  await card.locator('a[href^="/p/"]').first().click();
  await page.getByTestId('breakdown').waitFor();
  await page.goBack();
  while (!release) await page.waitForTimeout(20);
  await page.mouse.wheel(0, 120);
  release();
  await cards.nth(20).waitFor();
  await page.waitForTimeout(600);
  assert.ok(await page.evaluate(() => window.scrollY) < y / 2, 'not pulled away from where the shopper scrolled');

  // The product page's own link up to the village goes back the same way.
  await page.unroute('**/api/villages/liu');
  await card.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 200));
  const y2 = await page.evaluate(() => window.scrollY);
  await card.locator('a[href^="/p/"]').first().click();
  await page.getByTestId('breakdown').waitFor();
  const depth = await page.evaluate(() => history.length);
  await page.locator('nav.crumbs a[href="/v/liu"]').click();
  await page.waitForURL((u) => u.pathname === '/v/liu');
  await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y2, { timeout: 5000 });
  assert.equal(await page.evaluate(() => history.length), depth, 'back in history, not a new entry');

  // Forward returns to where the shopper was on the product, too.
  await page.goForward();
  await page.waitForURL((u) => u.pathname === href);
  await page.getByTestId('breakdown').waitFor();
  await page.evaluate(() => window.scrollTo(0, 250));
  const y3 = await page.evaluate(() => window.scrollY);
  assert.ok(y3 > 100, `the product page scrolls: ${y3}`);
  await page.goBack();
  await page.waitForURL((u) => u.pathname === '/v/liu');
  await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y2, { timeout: 5000 });
  await page.goForward();
  await page.waitForURL((u) => u.pathname === href);
  await page.waitForFunction((want) => Math.abs(window.scrollY - want) <= 2, y3, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('unknown village and unknown paths show the 404 page', async () => {
  const { page, context } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  for (const path of ['/v/no-such-village', '/p/999999', '/nothing/here', '/v/liu/h/abc']) {
    await page.goto(path);
    await page.getByTestId('not-found').waitFor();
    assert.match(await page.locator('h1').innerText(), /Page not found/, path);
    assert.match(await page.title(), /Page not found/, path);
  }
  await page.getByRole('link', { name: 'Back to all villages' }).click();
  await page.getByTestId('village-card').first().waitFor();
  await context.close();
});

test('when the API stops, an error with a retry that works once it is back', async () => {
  // A server of our own on a fixed port, so it can come back at the same address.
  const own = await startServer();
  const addr = new URL(own.url).host;
  const { page, context } = await phonePage(app.browser, { locale: 'en-US', baseURL: own.url });
  try {
    await page.goto('/');
    await page.getByTestId('village-card').first().waitFor();
    await own.stop();

    await page.locator('a[href="/v/song"]').click();
    await page.getByTestId('error').waitFor();
    assert.match(await page.getByTestId('error').innerText(), /Couldn't reach the server/);
    // Retrying while it is still down keeps the message.
    await page.getByTestId('retry').click();
    await page.getByTestId('error').waitFor();

    const back = await startServer({ addr, dbDir: own.dir });
    try {
      await page.getByTestId('retry').click();
      await page.getByTestId('calendar').waitFor();
      assert.match(await page.locator('h1').innerText(), /Song Village/);
      assert.equal(await page.getByTestId('error').count(), 0);
    } finally {
      await back.stop();
    }
  } finally {
    await context.close();
    own.cleanup();
  }
});

test('the release build is served compressed, with long caching only for hashed assets', async () => {
  const index = await fetch(`${app.server.url}/`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const wasm = html.match(/\/storefront-[0-9a-f]+_bg\.wasm/)?.[0];
  assert.ok(wasm, 'index.html names the hashed wasm');
  const res = await fetch(`${app.server.url}${wasm}`, { headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.equal(res.headers.get('content-encoding'), 'br');
  // The build's own maximum-quality brotli copy is what goes over the wire.
  const { statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT } = await import('./support/harness.mjs');
  assert.equal(Number(res.headers.get('content-length')), statSync(join(ROOT, 'dist', `${wasm}.br`)).size);
  assert.match(res.headers.get('cache-control'), /max-age=31536000.*immutable/);
  const deep = await fetch(`${app.server.url}/v/liu/h/1`);
  assert.equal(deep.headers.get('cache-control'), 'no-cache');
  assert.match(await deep.text(), /<div[^>]* id="?boot"?[ >]/);
  // Panic messages name source files, but not where this machine keeps them.
  const { readFileSync } = await import('node:fs');
  const { homedir } = await import('node:os');
  const shipped = readFileSync(join(ROOT, 'dist', wasm));
  for (const local of [process.env.CARGO_HOME ?? join(homedir(), '.cargo'), ROOT]) {
    assert.ok(!shipped.includes(local), `the wasm names ${local}`);
  }
});
