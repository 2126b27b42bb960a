// Ordering in headless Chromium at 390×844 against the real server: joining,
// logging in, the cart kept on the phone, an order placed offline and sent
// exactly once (also by the browsing pages), the sold-out and
// deadline-passed flows, and cancelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const app = useServerAndBrowser();
const DEMO = { phone: '13800000001', password: 'demo-password-1' };

async function login(page, { phone, password } = DEMO) {
  await page.goto('/login');
  await page.locator('input[name=phone]').fill(phone);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=login-form] button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
}

/** A Liu Village product with plenty left in the open round. */
async function productInStock(min = 5, skip = []) {
  const v = await getJson(`${app.server.url}/api/villages/liu`);
  assert.ok(v.open_round, 'Liu Village has a round taking orders');
  const s = v.open_round.stock.find((s) => s.remaining >= min && !skip.includes(s.product_id));
  assert.ok(s, 'some product has stock');
  return { village: v, stock: s, product: v.products.find((p) => p.id === s.product_id) };
}

async function addToCart(page, productId, quantity) {
  await page.goto(`/p/${productId}`);
  await page.getByTestId('add-to-cart').click();
  for (let q = 1; q < quantity; q++) await page.getByTestId('qty-plus').click();
  await page.getByTestId('qty').filter({ hasText: String(quantity) }).waitFor();
}

async function myOrders(context) {
  const res = await context.request.get(`${app.server.url}/api/orders`);
  assert.equal(res.status(), 200);
  return res.json();
}

/** A logged-in shopper's order of `quantity` placed offline: the page
 * shows it waiting, and the page stays offline. */
async function placedOffline(quantity) {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await login(page);
  // Wait until the service worker controls the page, so it can load offline.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
  const before = (await myOrders(context)).length;
  const { product } = await productInStock(quantity);
  await addToCart(page, product.id, quantity);
  await page.getByTestId('tab-cart').click();
  await page.getByTestId('place-order').waitFor();
  await context.setOffline(true);
  await page.getByTestId('place-order').click();
  await page.getByTestId('banner-waiting').waitFor();
  assert.equal(new URL(page.url()).pathname.split('/')[1], 'orders');
  const orderId = new URL(page.url()).pathname.split('/').pop();
  return { page, context, errors, before, product, orderId };
}

test('on the join form, a village answer overtaken by another choice is not shown', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  // Liu Village, the form's first choice, answers slowly.
  let releaseLiu;
  const liuHeld = new Promise((resolve) => { releaseLiu = resolve; });
  let liuAsked;
  const liuRequested = new Promise((resolve) => { liuAsked = resolve; });
  await page.route('**/api/villages/liu', async (route) => {
    liuAsked();
    await liuHeld;
    await route.continue();
  });
  await page.goto('/join?code=LIUDEMO2');
  await liuRequested;
  await page.locator('select[name=village] option[value=song]').waitFor({ state: 'attached' });
  await page.locator('select[name=village]').selectOption('song');
  const song = await getJson(`${app.server.url}/api/villages/song`);
  const songPoints = song.distribution_points.map((p) => String(p.id));
  const options = page.locator('select[name=default_point_id] option');
  await page.waitForFunction((n) => document.querySelectorAll('select[name=default_point_id] option').length === n, songPoints.length);
  assert.deepEqual(await options.evaluateAll((os) => os.map((o) => o.value)), songPoints);
  // Liu's answer arrives last; the shopper's later choice stands.
  const liuAnswered = page.waitForResponse('**/api/villages/liu');
  releaseLiu();
  await liuAnswered;
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  assert.deepEqual(await options.evaluateAll((os) => os.map((o) => o.value)), songPoints);
  assert.equal(await page.locator('select[name=village]').inputValue(), 'song');
  assert.deepEqual(errors, []);
  await context.close();
});

test('join with an invitation code, log out, and a wrong password is refused', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await page.goto('/join?code=LIUDEMO1');
  assert.equal(await page.locator('input[name=invitation_code]').inputValue(), 'LIUDEMO1');
  await page.locator('input[name=name]').fill('Test Shopper');
  await page.locator('input[name=phone]').fill('139 0000 0011');
  // The pickup points of the chosen village load into the list.
  await page.locator('select[name=default_point_id] option').first().waitFor({ state: 'attached' });
  await page.locator('input[name=password]').fill('short');
  await page.locator('[data-testid=join-form] button[type=submit]').click();
  // The browser's own check stops a too-short password before it is sent.
  assert.equal(new URL(page.url()).pathname, '/join');
  await page.locator('input[name=password]').fill('test-password-11');
  await page.locator('[data-testid=join-form] button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.getByTestId('tab-me').filter({ hasText: 'Me' }).waitFor();

  // The code is used up: joining again with it names the field, in the
  // shopper's language (Chinese here), and again in English after a switch.
  const again = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await again.page.goto('/join?code=LIUDEMO1');
  await again.page.locator('input[name=name]').fill('Someone Else');
  await again.page.locator('input[name=phone]').fill('13900000012');
  await again.page.locator('select[name=default_point_id] option').first().waitFor({ state: 'attached' });
  await again.page.locator('input[name=password]').fill('test-password-12');
  await again.page.locator('[data-testid=join-form] button[type=submit]').click();
  const zhError = await again.page.getByTestId('field-error').first().innerText();
  assert.match(zhError, /[\u4e00-\u9fff]/, `the server's words in Chinese: ${zhError}`);
  assert.doesNotMatch(zhError, /invitation code/i);
  await again.page.getByTestId('lang-switch').click();
  await again.page.getByTestId('field-error').filter({ hasText: /invitation code/i }).first().waitFor();
  await again.context.close();

  await page.goto('/me');
  assert.match(await page.getByTestId('account').innerText(), /Test Shopper/);
  await page.getByTestId('logout').click();
  await page.getByTestId('tab-me').filter({ hasText: 'Log in' }).waitFor();

  await page.goto('/login');
  await page.locator('input[name=phone]').fill('13900000011');
  await page.locator('input[name=password]').fill('not-the-password');
  await page.locator('[data-testid=login-form] button[type=submit]').click();
  assert.equal(await page.getByTestId('form-error').innerText(), 'The mobile number or password is wrong.');
  // The message follows a language switch, and back.
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('form-error').filter({ hasText: '手机号或密码不对。' }).waitFor();
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('form-error').filter({ hasText: 'The mobile number or password is wrong.' }).waitFor();
  await page.locator('input[name=password]').fill('test-password-11');
  await page.locator('[data-testid=login-form] button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the cart is kept on the phone across a reload', async () => {
  const { page, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  const { product } = await productInStock(3);
  await addToCart(page, product.id, 2);
  assert.equal(await page.getByTestId('cart-count').innerText(), '2');
  await page.reload();
  await page.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();
  await page.getByTestId('tab-cart').click();
  const line = page.getByTestId('cart-line');
  await line.first().waitFor();
  assert.equal(await line.count(), 1);
  assert.match(await line.innerText(), new RegExp(product.name.zh));
  assert.equal(await line.getByTestId('qty').innerText(), '2');
  // Not logged in: the cart asks to log in rather than pretending to order.
  await page.getByTestId('login-to-order').waitFor();
  await context.close();
});

test('an order placed offline waits, survives a reload, and is sent exactly once', async () => {
  const { page, context, errors, before, product, orderId } = await placedOffline(3);
  assert.match(await page.getByTestId('banner-waiting').innerText(), /waiting to send/i);
  const orderPath = `/orders/${orderId}`;

  await page.reload();
  await page.getByTestId('banner-waiting').waitFor();
  await page.getByTestId('tab-orders').click();
  assert.match(await page.getByTestId('order-row').first().innerText(), /Waiting to send/);

  await context.setOffline(false);
  await page.getByTestId('order-state').filter({ hasText: 'Confirmed' }).first().waitFor({ timeout: 20_000 });
  await page.goto(orderPath);
  await page.getByTestId('banner-confirmed').waitFor();
  assert.match(await page.getByTestId('order-number').innerText(), /LIU-\d+/);
  assert.match(await page.getByTestId('order-lines').innerText(), new RegExp(`${product.name.en.replace(/[()]/g, '.')} × 3`));

  const orders = await myOrders(context);
  assert.equal(orders.length, before + 1, 'exactly one new order on the server');
  assert.equal(orders.filter((o) => o.id === orderId).length, 1);
  assert.equal(sql(app.server, 'SELECT count(*) FROM orders WHERE id = ?', [orderId])[0][0], 1);
  // Reloading again sends nothing more.
  await page.reload();
  await page.getByTestId('banner-confirmed').waitFor();
  assert.equal((await myOrders(context)).length, before + 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the browsing pages send an order left waiting once back online, and the copy on the phone stays whole', async () => {
  const { page, context, errors, before, product, orderId } = await placedOffline(2);

  // Still offline, on to a product page: the browsing bundle, from the
  // service worker. It counts the order waiting, then sends it.
  await page.goto(`/p/${product.id}`);
  const waiting = page.getByTestId('tab-orders').locator('.tab-badge');
  await waiting.filter({ hasText: '1' }).waitFor();
  await context.setOffline(false);
  await waiting.waitFor({ state: 'detached', timeout: 20_000 });

  const orders = await myOrders(context);
  assert.equal(orders.length, before + 1, 'exactly one new order on the server');
  assert.equal(orders.filter((o) => o.id === orderId).length, 1);
  // What the browsing bundle wrote back: the server's answer, and all the
  // rest as the cart page wrote it.
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('storefront.outbox.v1')));
  const mine = kept.find((o) => o.id === orderId);
  assert.equal(mine.state.state, 'confirmed');
  assert.equal(mine.state.order.id, orderId);
  assert.equal(mine.village_slug, 'liu');
  assert.deepEqual(mine.lines.map((l) => [l.product_id, l.quantity]), [[product.id, 2]]);
  assert.deepEqual(mine.request.lines, [{ product_id: product.id, quantity: 2 }]);
  // The orders page reads it whole.
  await page.goto(`/orders/${orderId}`);
  await page.getByTestId('banner-confirmed').waitFor();
  assert.match(await page.getByTestId('order-lines').innerText(), new RegExp(`${product.name.en.replace(/[()]/g, '.')} × 2`));
  assert.deepEqual(errors, []);
  await context.close();
});

test('sold out: the whole order is refused with what is left, then adjusted and sent', async () => {
  const { village, product } = await productInStock(2);
  const round = village.open_round.round.id;
  // Make exactly 2 left: set the supply so capacity is what is already sold + 2.
  const sold = sql(app.server, `SELECT coalesce(sum(l.quantity), 0) FROM order_line l JOIN orders o ON o.id = l.order_id
    WHERE o.round_id = ? AND l.product_id = ? AND o.status = 'confirmed'`, [round, product.id])[0][0];
  sql(app.server, 'UPDATE supply SET quantity = 0 WHERE round_id = ? AND product_id = ?', [round, product.id]);
  sql(app.server, `UPDATE supply SET quantity = ? WHERE round_id = ? AND product_id = ? AND household_id =
    (SELECT min(household_id) FROM supply WHERE round_id = ? AND product_id = ?)`, [sold + 2, round, product.id, round, product.id]);

  const { page, context } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await login(page);
  await page.goto(`/p/${product.id}`);
  assert.match(await page.getByTestId('stock').innerText(), /2 of \d+ left/);
  await addToCart(page, product.id, 2);
  await page.getByTestId('tab-cart').click();
  await page.getByTestId('place-order').waitFor();

  // Someone else takes one while this shopper is on the checkout page.
  const rival = await app.browser.newContext();
  const lr = await rival.request.post(`${app.server.url}/api/session`, { data: { phone: '13800000002', password: 'demo-password-2' } });
  assert.equal(lr.status(), 200);
  const point = village.distribution_points[0].id;
  const put = await rival.request.put(`${app.server.url}/api/orders/${crypto.randomUUID()}`, {
    data: { round_id: round, point_id: point, lines: [{ product_id: product.id, quantity: 1 }] },
  });
  assert.equal(put.status(), 201);
  await rival.close();

  await page.getByTestId('place-order').click();
  await page.getByTestId('banner-refused').waitFor();
  assert.match(await page.getByTestId('short').innerText(), /asked for 2, 1 left/);
  await page.getByTestId('adjust').click();
  await page.waitForURL((u) => u.pathname === '/cart');
  assert.equal(await page.getByTestId('cart-line').getByTestId('qty').innerText(), '1');
  await page.getByTestId('place-order').click();
  await page.getByTestId('banner-confirmed').waitFor();
  await context.close();
});

test('after the deadline the order is refused with a clear message', async () => {
  const { village, product } = await productInStock(2);
  const { page, context } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await login(page);
  await addToCart(page, product.id, 1);
  await page.getByTestId('tab-cart').click();
  await page.getByTestId('place-order').waitFor();
  // The deadline passes while the shopper looks at the cart.
  const now = Math.floor(Date.now() / 1000);
  sql(app.server, 'UPDATE distribution_round SET opens_at = ?, deadline = ? WHERE id = ?', [now - 3600, now - 60, village.open_round.round.id]);
  await page.getByTestId('place-order').click();
  await page.getByTestId('banner-refused').waitFor();
  assert.match(await page.getByTestId('refused-reason').innerText(), /This round has closed for orders/);
  assert.match(await page.getByTestId('banner-refused').innerText(), /closed at/);
  assert.equal(await page.getByTestId('adjust').count(), 1);
  await context.close();
  // Later tests have no open Liu round any more; this test runs last but one.
});

test('changing and then cancelling an order moves what it holds', async () => {
  const v = await getJson(`${app.server.url}/api/villages/song`);
  assert.ok(v.open_round, 'Song Village has a round taking orders');
  const s = v.open_round.stock.find((s) => s.remaining >= 2);
  const { page, context } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await login(page, { phone: '13800000002', password: 'demo-password-2' });
  await addToCart(page, s.product_id, 2);
  await page.getByTestId('tab-cart').click();
  await page.getByTestId('place-order').click();
  await page.getByTestId('banner-confirmed').waitFor();
  const after = await getJson(`${app.server.url}/api/products/${s.product_id}`);
  assert.equal(after.open_round.stock.remaining, s.remaining - 2);

  // Change 2 to 1 before the deadline.
  await page.getByTestId('change-order').click();
  await page.getByTestId('change').getByTestId('qty-minus').click();
  await page.getByTestId('save-changes').click();
  await page.getByTestId('order-lines').filter({ hasText: '× 1' }).waitFor();
  const changed = await getJson(`${app.server.url}/api/products/${s.product_id}`);
  assert.equal(changed.open_round.stock.remaining, s.remaining - 1);

  await page.getByTestId('cancel-order').click();
  await page.getByTestId('cancel-confirm').waitFor();
  await page.getByTestId('cancel-yes').click();
  await page.getByTestId('banner-cancelled').waitFor();
  const released = await getJson(`${app.server.url}/api/products/${s.product_id}`);
  assert.equal(released.open_round.stock.remaining, s.remaining);
  await context.close();
});

test('repeated wrong passwords lock a member login with a clear wait', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/login');
  await page.locator('input[name=phone]').fill('13800000002');
  for (let i = 0; i < 6; i++) {
    await page.locator('input[name=password]').fill(`wrong-password-${i}`);
    await page.locator('[data-testid=login-form] button[type=submit]').click();
    await page.getByTestId('form-error').waitFor();
  }
  await page.getByTestId('form-error').filter({ hasText: /请\d+分钟后再试/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.deepEqual(errors, []);
  await context.close();
});
