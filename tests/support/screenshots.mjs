// Screenshots of every page at 390×844 in both languages, for a person to
// look at (not a test). Run through scripts/screenshots.sh.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, phonePage, getJson, ROOT } from './harness.mjs';

const out = join(ROOT, 'tests', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();

/** A phone page in `locale`, and `shot(name)` saving it as `<name>-<locale>.png`. */
async function shooter(locale) {
  const { page, context } = await phonePage(browser, { locale, baseURL: server.url });
  const shot = async (name) => {
    const file = join(out, `${name}-${locale}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  };
  return { page, context, shot };
}

try {
  const liu = await getJson(`${server.url}/api/villages/liu`);
  const hh = liu.households[0];
  const product = liu.products.find((p) => p.category === 'eggs') ?? liu.products[0];
  const pages = [
    ['home', '/', '[data-testid=village-card]'],
    ['village', '/v/liu', '[data-testid=calendar]'],
    ['household', `/v/liu/h/${hh.id}`, '[data-testid=household]'],
    ['product', `/p/${product.id}`, '[data-testid=breakdown]'],
    ['not-found', '/v/nowhere', '[data-testid=not-found]'],
  ];
  for (const locale of ['zh-CN', 'en-US']) {
    const { page, context } = await phonePage(browser, { locale, baseURL: server.url });
    for (const [name, path, ready] of pages) {
      await page.goto(path);
      await page.locator(ready).first().waitFor();
      const file = join(out, `${name}-${locale}.png`);
      await page.screenshot({ path: file });
      await page.screenshot({ path: join(out, `${name}-${locale}-full.png`), fullPage: true });
      console.log(file);
    }
    await context.close();
  }
  // The ordering pages, logged in as the demo member.
  for (const locale of ['zh-CN', 'en-US']) {
    const { page, context, shot } = await shooter(locale);
    await page.goto('/join?code=LIUDEMO2');
    await page.locator('[data-testid=join-form]').waitFor();
    await shot('join');
    await page.goto('/login');
    await page.locator('input[name=phone]').fill('13800000001');
    await page.locator('input[name=password]').fill('demo-password-1');
    await page.locator('[data-testid=login-form] button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
    const v = await getJson(`${server.url}/api/villages/liu`);
    const stocked = v.open_round.stock.filter((s) => s.remaining > 3).slice(0, 2);
    for (const s of stocked) {
      await page.goto(`/p/${s.product_id}`);
      await page.locator('[data-testid=add-to-cart]').click();
      await page.locator('[data-testid=qty-plus]').click();
    }
    await shot('product-buy');
    await page.goto('/cart');
    await page.locator('[data-testid=place-order]').waitFor();
    await shot('cart');
    await context.setOffline(true);
    await page.locator('[data-testid=place-order]').click();
    await page.locator('[data-testid=banner-waiting]').waitFor();
    await shot('order-waiting');
    await context.setOffline(false);
    await page.locator('[data-testid=banner-confirmed]').waitFor({ timeout: 20000 });
    await shot('order-confirmed');
    await page.goto('/orders');
    await page.locator('[data-testid=order-row]').first().waitFor();
    await shot('orders');
    // A collected order of the demo's past round: rating its lines, its refund.
    const mine = await (await page.request.get(`${server.url}/api/orders`)).json();
    const collected = mine.find((o) => o.pickup?.state === 'paid' && o.refunds.length > 0)
      ?? mine.find((o) => o.pickup?.state === 'paid');
    await page.goto(`/orders/${collected.id}`);
    await page.locator('[data-testid=rate-line]').first().waitFor();
    await page.locator('[data-testid=rate-lines]').scrollIntoViewIfNeeded();
    await shot('order-rate');
    await page.goto('/me');
    await page.locator('[data-testid=account]').waitFor();
    await shot('me');
    // Visit booking: the calendar, the filled-in form, the confirmation, My trips.
    await page.goto('/v/liu/visit');
    await page.locator('[data-testid=month-grid]').waitFor();
    await shot('visit');
    // Wait for the next month to load before picking one of its days.
    const shown = await page.locator('[data-testid=month-grid] [data-date]').first().getAttribute('data-date');
    await page.locator('[data-testid=month-next]').click();
    await page.waitForFunction((d) => document.querySelector('[data-testid=month-grid] [data-date]')?.getAttribute('data-date') !== d, shown);
    await page.locator('[data-testid=month-grid] button.day.open:not([disabled])').nth(2).click();
    await page.locator('[data-testid=nights] [data-testid=qty-plus]').click();
    await page.locator('[data-testid=host]').first().click();
    await page.locator('[data-testid=meals] button.chip:not([disabled])').first().click();
    await page.locator('[data-testid=host-any]').scrollIntoViewIfNeeded();
    await shot('visit-host');
    await page.locator('[data-testid=price-summary]').scrollIntoViewIfNeeded();
    await shot('visit-price');
    await page.locator('[data-testid=book]').click();
    await page.locator('[data-testid=banner-confirmed]').waitFor({ timeout: 20000 });
    await shot('trip-confirmed');
    await page.goto('/trips');
    await page.locator('[data-testid=trip-row]').first().waitFor();
    await shot('trips');
    await context.close();
  }

  // The organisers' workspace.
  for (const locale of ['zh-CN', 'en-US']) {
    const { page, context, shot } = await shooter(locale);
    await page.goto('/organise/login');
    await page.locator('[data-testid=org-login-form]').waitFor();
    await shot('org-login');
    await page.locator('input[name=login]').fill('liu-organiser-1');
    await page.locator('input[name=password]').fill('demo-organiser-1');
    await page.locator('[data-testid=org-login-form] button[type=submit]').click();
    await page.locator('[data-testid=org-village]').first().waitFor();
    await page.goto('/organise/v/liu');
    await page.locator('[data-testid=org-products]').waitFor();
    await shot('org-village');
    await page.goto('/organise/v/liu/products');
    await page.locator('[data-testid=org-product]').first().waitFor();
    await shot('org-products');
    await page.locator('[data-testid=org-product] a').first().click();
    await page.locator('[data-testid=product-form]').waitFor();
    await shot('org-product-edit');
    await page.locator('[data-testid=toggle-preview]').click();
    await page.locator('[data-testid=preview]').scrollIntoViewIfNeeded();
    await shot('org-product-preview');
    for (const [name, path, ready] of [
      ['org-rounds', '/organise/v/liu/rounds', 'main h1'],
      ['org-visits', '/organise/v/liu/visits', 'main h1'],
      ['org-log', '/organise/v/liu/log', 'main h1'],
      ['org-problems', '/organise/v/liu/problems', '[data-testid=problem]'],
      ['org-income', '/organise/v/liu/income', '[data-testid=inc-bands]'],
      ['org-share', '/organise/v/liu/share', '[data-testid=led-figures]'],
    ]) {
      await page.goto(path);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(500);
      await shot(name);
    }
    // A past round's printable labels, and one label's trace page.
    const rounds = await (await page.request.get(`${server.url}/api/organise/villages/liu/rounds`)).json();
    let packed;
    for (const r of rounds) {
      const res = await page.request.get(`${server.url}/api/organise/rounds/${r.round.id}/packing`);
      if (res.ok()) {
        const p = await res.json();
        if (p.label_count > 0) { packed = p; break; }
      }
    }
    await page.goto(`/organise/rounds/${packed.round.id}/settlement`);
    await page.locator('[data-testid=stl-reconciles]').waitFor();
    await shot('org-settlement');
    await page.goto(`/organise/rounds/${packed.round.id}/labels?household=${packed.households[0].household.id}`);
    await page.locator('[data-testid=print-label] img').first().waitFor();
    await page.waitForTimeout(500);
    await shot('org-labels');
    await page.goto(`/label/${packed.households[0].lines[0].label}`);
    await page.locator('[data-testid=label]').waitFor();
    await shot('label');
    await page.locator('[data-testid=report]').scrollIntoViewIfNeeded();
    await shot('label-report');
    await context.close();
  }

  // The error state: the API gone.
  const { page, context } = await phonePage(browser, { locale: 'zh-CN', baseURL: server.url });
  await page.goto('/');
  await page.locator('[data-testid=village-card]').first().waitFor();
  await server.stop();
  await page.locator('[data-testid=village-card] a').nth(1).click();
  await page.locator('[data-testid=error]').waitFor();
  await page.screenshot({ path: join(out, 'error-zh-CN.png') });
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  server.cleanup();
}
