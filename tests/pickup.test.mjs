// Pickup at the distribution point in headless Chromium at 390×844 against
// the real server: an organiser opens the pickup list, loses signal, marks
// two orders (kept on the phone, shown as not sent), reloads with no
// network (the page, the kept list and the marks are back), then, with
// signal, the marks are sent exactly once; the member's order shows it paid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const app = useServerAndBrowser();
const SHOTS = '/tmp/orgui-shots';

/** Logs a demo member in over HTTP and returns a fetch that sends the cookie. */
async function memberFetch(phone, password) {
  const res = await fetch(`${app.server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password }),
  });
  assert.equal(res.status, 200, `login: ${res.status}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return { cookie, fetch: (path, init = {}) => fetch(`${app.server.url}${path}`, { ...init, headers: { ...init.headers, cookie, 'content-type': 'application/json' } }) };
}

const marksOf = (orderId) => sql(app.server, 'SELECT count(*) FROM pickup_mark WHERE order_id = ?', [orderId])[0][0];

test('marks made with no signal survive a reload and are sent once; the member sees the order paid', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const round = liu.open_round.round.id;
  const product = liu.open_round.stock.find((s) => s.remaining >= 4);
  assert.ok(product, 'a product in stock');
  const chen = await memberFetch('13800000001', 'demo-password-1');
  const me = await (await chen.fetch('/api/me')).json();
  const point = me.default_point.id;
  const zhao = await memberFetch('13800000003', 'demo-password-3');
  const orders = [];
  for (const m of [chen, zhao]) {
    const id = randomUUID();
    const put = await m.fetch(`/api/orders/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ round_id: round, point_id: point, lines: [{ product_id: product.product_id, quantity: 2 }] }),
    });
    const text = await put.text();
    assert.equal(put.status, 201, text);
    orders.push(JSON.parse(text));
  }
  const [paid, absent] = orders;

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/organise/login');
  await page.locator('input[name=login]').fill('liu-organiser-2');
  await page.locator('input[name=password]').fill('demo-organiser-2');
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('org-village').first().waitFor();

  // The deadline passes and the round is allocated.
  const now = Math.floor(Date.now() / 1000);
  sql(app.server, 'UPDATE distribution_round SET deadline = ? WHERE id = ?', [now - 60, round]);
  const alloc = await context.request.post(`${app.server.url}/api/organise/rounds/${round}/allocation`, { headers: { 'X-Requested-With': 'storefront' } });
  assert.equal(alloc.status(), 200, await alloc.text());

  // From the packing page to the pickup list, at the members' point.
  await page.goto(`/organise/rounds/${round}/packing`);
  await page.getByTestId('pickup-link').click();
  await page.getByTestId('pickup-order').first().waitFor();
  await page.getByTestId('pickup-point').selectOption(String(point));
  const card = (o) => page.locator(`[data-testid=pickup-order][data-order-id="${o.id}"]`);
  await card(paid).waitFor();
  assert.match(await card(paid).innerText(), new RegExp(me.name));
  assert.match(await card(paid).innerText(), /[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/, 'what to hand over, by label');
  assert.match(await card(paid).getByTestId('pickup-status').innerText(), /还没登记/);
  await page.screenshot({ path: `${SHOTS}/pickup-zh.png`, fullPage: false });

  // Once opened, the page's files are kept by the service worker.
  const kept = async () => page.evaluate(async () => {
    const cache = await caches.open('storefront-v3');
    const paths = (await cache.keys()).map((r) => new URL(r.url).pathname);
    return paths.includes('/organise/app/rounds/index.html')
      && paths.some((p) => p.startsWith('/organise/app/rounds/') && p.endsWith('.wasm'));
  });
  for (let i = 0; !(await kept()); i++) {
    assert.ok(i < 100, 'the pickup page is kept for offline use');
    await page.waitForTimeout(200);
  }

  // No signal in the basement: mark both orders.
  await context.setOffline(true);
  await card(paid).getByTestId('mark-paid').click();
  const amount = card(paid).getByTestId('pickup-amount');
  assert.equal(await amount.inputValue(), (paid.total_fen / 100).toFixed(2), 'prefilled with the order total');
  await card(paid).getByTestId('confirm-paid').click();
  // No method chosen: said at the field, nothing kept.
  await card(paid).locator('.form-error').first().waitFor();
  await card(paid).getByTestId('method-cash').click();
  await card(paid).getByTestId('confirm-paid').click();
  await card(absent).getByTestId('mark-absent').click();
  for (const o of orders) {
    await page.locator(`[data-testid=pickup-order][data-order-id="${o.id}"][data-sent=waiting]`).waitFor();
  }
  assert.match(await card(paid).getByTestId('pickup-status').innerText(), /已取，已付款.*¥.*现金[\s\S]*存在这部手机上，还没发送/);
  assert.match(await page.getByTestId('pickup-waiting').innerText(), /2 条登记/);
  await page.screenshot({ path: `${SHOTS}/pickup-offline-zh.png`, fullPage: true });
  assert.equal(marksOf(paid.id), 0);
  assert.equal(marksOf(absent.id), 0);

  // A reload with no network: the page, the kept list and both waiting
  // marks are back.
  // Chromium's offline emulation does not hold back what a service worker
  // fetches, and this page has one now: after the reload a mark may
  // already be on its way, so each is waiting or sent, never lost.
  await page.reload();
  await page.getByTestId('pickup-point').selectOption(String(point));
  for (const o of orders) {
    await page.locator(`[data-testid=pickup-order][data-order-id="${o.id}"]:is([data-sent=waiting], [data-sent=sent])`).waitFor();
  }

  // Signal again: each mark is sent, once.
  await context.setOffline(false);
  for (const o of orders) {
    await page.locator(`[data-testid=pickup-order][data-order-id="${o.id}"][data-sent=sent]`).waitFor({ timeout: 20_000 });
  }
  await page.reload();
  await page.getByTestId('pickup-point').selectOption(String(point));
  await page.locator(`[data-testid=pickup-order][data-order-id="${paid.id}"][data-state=paid]`).waitFor();
  await page.locator(`[data-testid=pickup-order][data-order-id="${absent.id}"][data-state=absent]`).waitFor();
  assert.match(await card(paid).getByTestId('pickup-note').innerText(), /赵秀梅/, 'who marked it');
  assert.equal(marksOf(paid.id), 1, 'sent exactly once');
  assert.equal(marksOf(absent.id), 1, 'sent exactly once');
  const [[state, amountFen, method]] = sql(app.server, 'SELECT state, amount_fen, method FROM pickup WHERE order_id = ?', [paid.id]);
  assert.deepEqual([state, amountFen, method], ['paid', paid.total_fen, 'cash']);

  // The same page in English.
  const en = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await en.context.addCookies((await context.cookies()).filter((c) => c.name === 'sf_organiser'));
  await en.page.goto(`/organise/rounds/${round}/pickup`);
  await en.page.getByTestId('pickup-point').selectOption(String(point));
  await en.page.locator(`[data-testid=pickup-order][data-order-id="${paid.id}"][data-state=paid]`).waitFor();
  assert.match(await en.page.locator(`[data-testid=pickup-order][data-order-id="${paid.id}"]`).innerText(), /Collected, paid/);
  await en.page.screenshot({ path: `${SHOTS}/pickup-en.png`, fullPage: false });
  // The CSV link downloads the list with the BOM and English columns.
  const href = await en.page.getByTestId('csv-pickup').getAttribute('href');
  const csv = await en.context.request.get(`${app.server.url}${href}`);
  const body = Buffer.from(await csv.body());
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(body.subarray(3).toString('utf8').split('\n')[0], /^Pickup point,Member,Order,To hand over/);
  assert.deepEqual(en.errors, []);
  await en.context.close();

  // The member's order says it was collected and paid.
  const shopper = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await shopper.context.addCookies([{ name: 'sf_session', value: chen.cookie.split('=')[1], url: app.server.url }]);
  await shopper.page.goto(`/orders/${paid.id}`);
  await shopper.page.getByTestId('order-pickup').waitFor();
  const said = await shopper.page.getByTestId('order-pickup').innerText();
  assert.match(said, /已取货/);
  assert.match(said, new RegExp(`现金付了 ¥${(paid.total_fen / 100).toFixed(2)}`));
  await shopper.page.screenshot({ path: `${SHOTS}/order-paid-zh.png` });
  assert.deepEqual(shopper.errors, []);
  await shopper.context.close();

  assert.deepEqual(errors, []);
  await context.close();
});
