// Packing in headless Chromium at 390×844 against the real server: after a
// round's deadline an organiser allocates the orders to households, reads
// the lists per household and per pick-up point, prints them, and a label
// code opens a public page that names the household but never the member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const app = useServerAndBrowser();

/** Logs the demo member in over HTTP and returns a fetch that sends the cookie. */
async function memberFetch(phone = '13800000001', password = 'demo-password-1') {
  const res = await fetch(`${app.server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password }),
  });
  assert.equal(res.status, 200, `login: ${res.status}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return (path, init = {}) => fetch(`${app.server.url}${path}`, { ...init, headers: { ...init.headers, cookie, 'content-type': 'application/json' } });
}

test('after the deadline an organiser allocates, reads and prints the packing lists; a label names the household, never the member', async () => {
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const round = liu.open_round.round.id;
  const stocked = liu.open_round.stock.filter((s) => s.remaining >= 3).slice(0, 2);
  assert.equal(stocked.length, 2, 'two products in stock');
  const member = await memberFetch();
  const me = await (await member('/api/me')).json();
  const orderId = randomUUID();
  const put = await member(`/api/orders/${orderId}`, {
    method: 'PUT',
    body: JSON.stringify({ round_id: round, point_id: me.default_point.id, lines: stocked.map((s) => ({ product_id: s.product_id, quantity: 3 })) }),
  });
  const putBody = await put.text();
  assert.equal(put.status, 201, putBody);
  const order = JSON.parse(putBody);

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/organise/login');
  await page.locator('input[name=login]').fill('liu-organiser-2');
  await page.locator('input[name=password]').fill('demo-organiser-2');
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('org-village').first().waitFor();

  // Before the deadline: refused with the reason, in the organiser's
  // language (the page is in Chinese).
  await page.goto(`/organise/rounds/${round}/packing`);
  await page.getByTestId('allocate').click();
  await page.getByTestId('allocate-error').waitFor();
  assert.match(await page.getByTestId('allocate-error').innerText(), /才截单.*北京时间|北京时间.*才截单/);

  // The deadline passes.
  const now = Math.floor(Date.now() / 1000);
  sql(app.server, 'UPDATE distribution_round SET deadline = ? WHERE id = ?', [now - 60, round]);
  await page.getByTestId('allocate').click();
  await page.getByTestId('pack-household').first().waitFor();

  const lists = await page.getByTestId('households-list').innerText();
  assert.match(lists, new RegExp(order.number));
  const codes = await page.getByTestId('label-code').allInnerTexts();
  assert.ok(codes.length >= 2, `labels ${codes}`);
  for (const c of codes) assert.match(c, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  assert.equal(new Set(codes).size, codes.length, 'every label is unique');

  await page.getByTestId('by-point').click();
  const points = await page.getByTestId('points-list').innerText();
  assert.match(points, new RegExp(`${me.name}[\\s\\S]*${order.number}`));

  // Printing shows the lists only.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').evaluate((e) => getComputedStyle(e).display), 'none');
  assert.equal(await page.locator('footer.foot').evaluate((e) => getComputedStyle(e).display), 'none');
  assert.equal(await page.getByTestId('print').evaluate((e) => getComputedStyle(e).display), 'none');
  assert.notEqual(await page.getByTestId('pack-point').first().evaluate((e) => getComputedStyle(e).display), 'none');
  await page.emulateMedia({ media: 'screen' });

  // Now a household's supply cannot drop below what is packed for it: the
  // round page says so at that household's input, in Chinese.
  const packing = await (await context.request.get(`${app.server.url}/api/organise/rounds/${round}/packing`)).json();
  const packedBy = packing.households[0];
  const packedLine = packedBy.lines[0];
  await page.goto(`/organise/rounds/${round}`);
  const card = page.locator(`[data-testid=round-product][data-product-id="${packedLine.product_id}"]`);
  await card.locator(`[data-household-id="${packedBy.household.id}"]`).fill('0');
  await page.getByTestId('save-supplies').click();
  const refusedAt = card.getByTestId('supply-refused');
  await refusedAt.waitFor();
  assert.match(await refusedAt.innerText(), /已经分好/);
  assert.match(await page.getByTestId('save-error').innerText(), /已经分配/);
  await page.screenshot({ path: '/tmp/orgui-shots/supply-below-packed-zh.png' });

  // The public label page: the household and where it goes, not who bought it.
  const shopper = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await shopper.page.goto(`/label/${codes[0].toLowerCase()}`);
  await shopper.page.getByTestId('label').waitFor();
  const text = await shopper.page.getByTestId('label').innerText();
  assert.match(text, /Made by: /);
  assert.match(text, /Distribution day/);
  assert.doesNotMatch(text, new RegExp(`${me.name}|${me.phone}|${order.number}`));
  await shopper.page.goto('/label/AAAA-AAAA');
  await shopper.page.getByTestId('label-unknown').waitFor();
  assert.deepEqual(shopper.errors, []);
  await shopper.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});
