// The organisers' rounds, supplies, withdrawals, visits and change log in
// headless Chromium at 390×844 against the real server: creating a round
// (zh-CN), setting supplies and being refused below what is ordered,
// withdrawing a product and the member seeing it (en-US), cancelling a
// booking and closing a day, and the change log showing all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';

const SHOTS = '/tmp/orgui-shots';
const ORGANISER = { login: 'liu-organiser-1', password: 'demo-organiser-1' };
const MEMBER = { phone: '13800000001', password: 'demo-password-1' };
const CSRF = { 'X-Requested-With': 'storefront' };

const app = useServerAndBrowser(setup);
let orgCookie; // organiser session for checks through the API
let memberCookie;
let openRound; // the seeded open round of liu, as organisers see it
let supplyProduct; // a product with two or more households
let withdrawProduct; // another product, ordered by the member
let memberOrderId;
let bookingCancelled; // { id, reference, reason }
let closedDate;

async function setup() {
  mkdirSync(SHOTS, { recursive: true });
  orgCookie = await sessionCookie('/api/organise/session', { ...ORGANISER }, CSRF);
  memberCookie = await sessionCookie('/api/session', { ...MEMBER });
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  assert.ok(liu.open_round, 'liu has an open round in the demo data');
  openRound = await orgJson(`/api/organise/rounds/${liu.open_round.round.id}`);
  const stock = new Map(liu.open_round.stock.map((s) => [s.product_id, s]));
  const usable = openRound.products.filter((p) => p.published && !p.withdrawal && (stock.get(p.product_id)?.remaining ?? 0) >= 3);
  supplyProduct = usable.find((p) => p.supplies.length >= 2);
  withdrawProduct = usable.find((p) => p !== supplyProduct);
  assert.ok(supplyProduct && withdrawProduct, 'two orderable products, one made by two households');
}

async function sessionCookie(path, body, headers = {}) {
  const res = await fetch(`${app.server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function orgJson(path) {
  const res = await fetch(`${app.server.url}${path}`, { headers: { cookie: orgCookie } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

/** The member orders `lines` of the open round, for its first point, through the API. */
async function placeMemberOrder(id, lines) {
  const res = await fetch(`${app.server.url}/api/orders/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie: memberCookie },
    body: JSON.stringify({ round_id: openRound.round.id, point_id: openRound.points[0].id, lines }),
  });
  assert.equal(res.status, 201, await res.text());
}

function shanghaiDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

async function organiserLogin(page, next) {
  await page.goto(`/organise/login?next=${encodeURIComponent(next)}`);
  const form = page.getByTestId('org-login-form');
  await form.locator('input[name=login]').fill(ORGANISER.login);
  await form.locator('input[name=password]').fill(ORGANISER.password);
  await form.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === next);
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  await page.screenshot({ path: `${SHOTS}/${name}-viewport.png` });
}

test('an organiser creates a round with two points (zh-CN), and the form shows field errors', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await organiserLogin(page, '/organise/v/liu/rounds');
  await page.getByTestId('round-list').waitFor();
  const before = await page.getByTestId('round-row').count();
  assert.ok(before >= 1, 'the seeded rounds are listed');
  await page.getByTestId('new-round-open').click();
  const form = page.getByTestId('new-round-form');
  await form.locator('input[type=checkbox]').first().waitFor();

  // A deadline before orders open and no point: refused on the phone, nothing sent.
  await form.locator('input[name=opens_at]').fill(`${shanghaiDate(20)}T08:00`);
  await form.locator('input[name=deadline]').fill(`${shanghaiDate(19)}T20:00`);
  await form.locator('input[name=distribution_day]').fill(shanghaiDate(22));
  await page.getByTestId('create-round').click();
  await page.getByTestId('round-errors').waitFor();
  const fieldErrors = await form.getByTestId('field-error').allInnerTexts();
  assert.ok(fieldErrors.some((t) => t.includes('截单时间必须晚于开始接单时间')), fieldErrors.join('\n'));
  assert.ok(fieldErrors.some((t) => t.includes('至少选择一个取货点')), fieldErrors.join('\n'));
  await shot(page, 'rounds-errors-zh');
  assert.equal((await orgJson('/api/organise/villages/liu/rounds')).length, before, 'nothing was created');

  await form.locator('input[name=opens_at]').fill(`${shanghaiDate(15)}T08:00`);
  await form.locator('input[name=deadline]').fill(`${shanghaiDate(19)}T20:00`);
  const boxes = form.locator('input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByTestId('create-round').click();
  await page.waitForURL((u) => /^\/organise\/rounds\/\d+$/.test(u.pathname));
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  await page.getByTestId('round-created').waitFor();
  await page.getByTestId('supply-form').waitFor();
  assert.match(await page.getByTestId('round-title').innerText(), /配送/);
  await shot(page, 'round-new-zh');

  const created = await orgJson(`/api/organise/rounds/${id}`);
  assert.equal(created.points.length, 2);
  assert.equal(created.round.distribution_day, shanghaiDate(22));
  // 20:00 in Shanghai whatever the browser's zone.
  assert.equal(new Date(created.round.deadline).toISOString(), new Date(`${shanghaiDate(19)}T20:00:00+08:00`).toISOString());
  assert.equal(created.phase, 'not_yet_open');

  await page.goto('/organise/v/liu/rounds');
  await page.getByTestId('round-list').waitFor();
  assert.equal(await page.getByTestId('round-row').count(), before + 1);
  await page.locator(`[data-testid=round-row][data-round-id="${id}"]`).waitFor();
  // Rounds to come, soonest first: the open round leads. Past rounds follow,
  // latest first, under their own heading.
  const ahead = await page.getByTestId('round-list').getByTestId('round-row')
    .evaluateAll((els) => els.map((e) => e.dataset.day));
  assert.deepEqual(ahead, [...ahead].sort(), 'rounds to come, soonest first');
  assert.ok(ahead.every((d) => d >= shanghaiDate(0)), ahead.join(' '));
  assert.equal(await page.getByTestId('round-list').getByTestId('round-phase').first().innerText(), '接单中');
  const past = await page.getByTestId('past-round-list').getByTestId('round-row')
    .evaluateAll((els) => els.map((e) => e.dataset.day));
  assert.ok(past.length >= 1, 'the seeded past rounds are listed');
  assert.deepEqual(past, [...past].sort().reverse(), 'past rounds, latest first');
  assert.ok(past.every((d) => d < shanghaiDate(0)), past.join(' '));
  await shot(page, 'rounds-zh');
  assert.deepEqual(errors, []);
  await context.close();
});

test("the village's workspace page leads straight to the round at hand (en-US)", async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  // On a slow network the card's place is held, so the menu does not jump
  // under a finger when it arrives.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/organise/villages/liu/rounds', async (route) => {
    await held;
    await route.continue();
  });
  await organiserLogin(page, '/organise/v/liu');
  const atHand = page.getByTestId('round-at-hand');
  await atHand.locator('.skeleton').waitFor();
  const menuTop = async () => (await page.getByTestId('org-products').boundingBox()).y;
  const before = await menuTop();
  release();
  await atHand.getByTestId('round-row').waitFor();
  // A few pixels of font metrics aside: without the placeholder it moves a whole card.
  assert.ok(Math.abs((await menuTop()) - before) <= 12, `the menu stayed put: ${before} then ${await menuTop()}`);
  // The seeded open round, not the round of three weeks ahead made above.
  assert.equal(await atHand.getByTestId('round-row').count(), 1);
  assert.equal(Number(await atHand.getByTestId('round-row').getAttribute('data-round-id')), openRound.round.id);
  assert.equal(await atHand.getByTestId('round-phase').innerText(), 'Taking orders');
  await atHand.locator('a').click();
  await page.waitForURL((u) => u.pathname === `/organise/rounds/${openRound.round.id}`);
  await page.getByTestId('supply-form').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('with no round ahead the workspace offers to plan one; when rounds cannot load the menu still leads there (zh-CN)', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  // Every demo village has a round ahead, so the answers are made up here:
  // first only a past round, then a server failure.
  const past = (await orgJson('/api/organise/villages/liu/rounds')).filter((r) => r.round.distribution_day < shanghaiDate(0));
  assert.ok(past.length >= 1, 'the seeded past rounds exist');
  let answer = { json: past.slice(0, 1) };
  await page.route('**/api/organise/villages/liu/rounds', (route) => route.fulfill(answer));
  await organiserLogin(page, '/organise/v/liu');
  const atHand = page.getByTestId('round-at-hand');
  const none = atHand.getByTestId('no-round-ahead');
  await none.waitFor();
  assert.equal(await atHand.getByTestId('round-row').count(), 0, 'a past round is not at hand');
  assert.match(await none.innerText(), /还没有待配送的轮次/);
  await shot(page, 'round-at-hand-none-zh');
  await none.getByRole('link', { name: /新建一轮/ }).click();
  await page.waitForURL((u) => u.pathname === '/organise/v/liu/rounds');
  await page.getByTestId('new-round-open').waitFor();

  answer = { status: 500, json: { error: 'database is locked' } };
  await page.goto('/organise/v/liu');
  await page.getByTestId('org-products').waitFor();
  // The card steps aside once the answer fails; the menu is whole.
  await page.waitForFunction(() => !document.querySelector('[data-testid="round-at-hand"]'));
  assert.equal(await page.locator('.skeleton').count(), 0, 'no placeholder left waiting');
  await page.getByTestId('org-rounds').click();
  await page.waitForURL((u) => u.pathname === '/organise/v/liu/rounds');
  assert.deepEqual(errors, []);
  await context.close();
});

test('supplies update capacity, cannot go below what is ordered, and a withdrawal reaches the member (en-US)', async () => {
  // The member orders both products of the open round through the API.
  memberOrderId = randomUUID();
  await placeMemberOrder(memberOrderId, [
    { product_id: supplyProduct.product_id, quantity: 3 },
    { product_id: withdrawProduct.product_id, quantity: 1 },
  ]);
  // And a second order of nothing but the product that will be withdrawn.
  const onlyWithdrawnId = randomUUID();
  await placeMemberOrder(onlyWithdrawnId, [{ product_id: withdrawProduct.product_id, quantity: 1 }]);
  const now = await orgJson(`/api/organise/rounds/${openRound.round.id}`);
  const ordered = now.products.find((p) => p.product_id === supplyProduct.product_id).ordered;
  assert.ok(ordered >= 3);

  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await organiserLogin(page, `/organise/rounds/${openRound.round.id}`);
  const card = page.locator(`[data-testid=round-product][data-product-id="${supplyProduct.product_id}"]`);
  await card.waitFor();
  const inputs = card.getByTestId('supply-input');
  const [h1, h2] = supplyProduct.supplies;
  const others = supplyProduct.supplies.slice(2).reduce((s, x) => s + x.quantity, 0);
  const a = ordered + 10;
  const b = 7;
  await card.locator(`[data-household-id="${h1.household_id}"]`).fill(String(a));
  await card.locator(`[data-household-id="${h2.household_id}"]`).fill(String(b));
  await page.getByTestId('save-supplies').click();
  await page.getByTestId('saved').filter({ hasText: 'Supplies saved' }).waitFor();
  assert.equal(await page.getByRole('status').filter({ hasText: 'Supplies saved' }).count(), 1);
  const capacity = a + b + others;
  assert.match(await card.getByTestId('capacity').innerText(), new RegExp(`Ordered ${ordered} of ${capacity}\\b`));
  let api = (await orgJson(`/api/organise/rounds/${openRound.round.id}`)).products.find((p) => p.product_id === supplyProduct.product_id);
  assert.equal(api.capacity, capacity);
  assert.equal(api.supplies.find((s) => s.household_id === h1.household_id).quantity, a);
  await shot(page, 'round-supplies-en');

  // Below what is ordered: refused, the ordered quantity shown, nothing changed.
  for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill('0');
  await page.getByTestId('save-supplies').click();
  const below = card.getByTestId('below-ordered');
  await below.waitFor();
  assert.match(await below.innerText(), new RegExp(`Already ordered ${ordered}\\b.*cannot go below`));
  const refusal = await page.getByTestId('save-error').innerText();
  assert.match(refusal, /nothing was changed/);
  assert.ok(refusal.includes(`(ordered ${ordered})`), refusal);
  api = (await orgJson(`/api/organise/rounds/${openRound.round.id}`)).products.find((p) => p.product_id === supplyProduct.product_id);
  assert.equal(api.capacity, capacity, 'nothing changed');
  await shot(page, 'round-below-ordered-en');

  // Withdraw the other product with a reason.
  const reason = 'Food-safety worry: <b>eggs</b> from one coop';
  const wcard = page.locator(`[data-testid=round-product][data-product-id="${withdrawProduct.product_id}"]`);
  await wcard.getByTestId('withdraw-open').click();
  await wcard.getByTestId('withdraw-confirm').click();
  await wcard.getByTestId('field-error').waitFor(); // a reason is required
  await wcard.getByTestId('withdraw-reason').fill(reason);
  await shot(page, 'round-withdraw-box-en');
  await wcard.getByTestId('withdraw-confirm').click();
  await wcard.getByTestId('withdrawn-badge').waitFor();
  assert.match(await wcard.getByTestId('saved').innerText(), /Withdrawn\. Orders affected: [1-9]\d*\./);
  const shown = await wcard.getByTestId('withdrawn-reason').innerText();
  assert.ok(shown.startsWith(`Reason: ${reason} (`), shown);
  assert.equal(await wcard.locator('b').count(), 0, 'the reason is text, not markup');
  await shot(page, 'round-withdrawn-en');
  assert.equal(await page.getByTestId('packing-link').getAttribute('href'), `/organise/rounds/${openRound.round.id}/packing`);
  assert.deepEqual(errors, []);
  await context.close();

  // The member, in another browser context, sees the notice.
  const m = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await m.page.goto('/login');
  await m.page.locator('input[name=phone]').fill(MEMBER.phone);
  await m.page.locator('input[name=password]').fill(MEMBER.password);
  await m.page.locator('[data-testid=login-form] button[type=submit]').click();
  await m.page.waitForURL((u) => u.pathname === '/');
  await m.page.goto(`/orders/${memberOrderId}`);
  const notice = m.page.getByTestId('withdrawn');
  await notice.waitFor();
  assert.ok((await notice.innerText()).includes(reason), await notice.innerText());
  assert.match(await m.page.getByTestId('collect-at').innerText(), /Collect/, 'still to collect');
  // The order that had only the withdrawn product is cancelled, and says why.
  await m.page.goto(`/orders/${onlyWithdrawnId}`);
  await m.page.getByTestId('banner-cancelled').waitFor();
  assert.match(await m.page.getByTestId('all-withdrawn').innerText(), /nothing to collect/);
  assert.ok((await m.page.getByTestId('withdrawn').innerText()).includes(reason));
  assert.equal(await m.page.getByTestId('collect-at').count(), 0, 'nothing to collect');
  await shot(m.page, 'order-all-withdrawn-en');
  await m.page.goto('/orders');
  await m.page.getByTestId('withdrawn-badge').first().waitFor();
  assert.deepEqual(m.errors, []);
  await m.context.close();
});

test('visits: an organiser cancels a booking with a reason and closes a day (zh-CN)', async () => {
  // A family books a night within the next two weeks.
  const days = [];
  for (const month of new Set([shanghaiDate(2).slice(0, 7), shanghaiDate(12).slice(0, 7)])) {
    days.push(...(await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${month}`)).days);
  }
  const bookable = days.filter((d) => d.date >= shanghaiDate(2) && d.date <= shanghaiDate(12) && d.status === 'open');
  assert.ok(bookable.length >= 2, 'two open nights ahead');
  const arrival = bookable[0].date;
  closedDate = bookable[bookable.length - 1].date;
  const id = randomUUID();
  const res = await fetch(`${app.server.url}/api/bookings/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ village_slug: 'liu', arrival, nights: 1, adults: 2, children: 1, host_id: null, meals: [], name: 'Demo Family', phone: '13900000042' }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  const booking = JSON.parse(text);

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await organiserLogin(page, '/organise/v/liu/visits');
  const night = page.locator(`[data-testid=night][data-date="${arrival}"]`);
  await night.waitFor();
  const row = night.locator(`[data-testid=booking][data-booking-id="${id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Demo Family[\s\S]*13900000042[\s\S]*2 成人 1 儿童/);
  assert.ok((await row.innerText()).includes(booking.reference));
  await shot(page, 'visits-zh');

  const reason = '村里那天停电，抱歉';
  await row.getByTestId('cancel-open').click();
  await row.getByTestId('cancel-reason-input').fill(reason);
  await shot(page, 'visits-cancel-box-zh');
  await row.getByTestId('cancel-confirm').click();
  await page.getByTestId('saved').filter({ hasText: '已取消 Demo Family 的预订' }).waitFor();
  await page.locator(`[data-testid=cancelled-bookings] [data-booking-id="${id}"]`).waitFor();
  const after = await getJson(`${app.server.url}/api/bookings/${id}?ref=${booking.reference}`);
  assert.equal(after.status, 'cancelled');
  assert.equal(after.cancel_reason, reason);
  bookingCancelled = { id, reason };

  const closing = page.locator(`[data-testid=night][data-date="${closedDate}"]`);
  await closing.getByTestId('close-day').click();
  await page.getByTestId('saved').filter({ hasText: /已关闭.*当晚仍有 \d+ 个预订/ }).waitFor();
  await closing.getByTestId('night-closed').waitFor();
  await closing.getByTestId('reopen-day').waitFor();
  const month = await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${closedDate.slice(0, 7)}`);
  assert.equal(month.days.find((d) => d.date === closedDate).status, 'closed');
  await shot(page, 'visits-closed-zh');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the change log shows the round, supply, withdrawal, booking and closed day (en-US)', async () => {
  assert.ok(bookingCancelled && closedDate, 'runs after the tests above');
  // More changes than one page of the log holds: a far day closed and reopened.
  const far = shanghaiDate(60);
  for (let i = 0; i < 51; i++) {
    const res = await fetch(`${app.server.url}/api/organise/villages/liu/closed-days`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: orgCookie, ...CSRF },
      body: JSON.stringify({ date: far, closed: i % 2 === 0 }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await organiserLogin(page, '/organise/v/liu/log');
  await page.getByTestId('log-entry').first().waitFor();
  const entities = async () => page.getByTestId('log-entry').evaluateAll((els) => els.map((e) => e.dataset.entity));
  const want = ['round', 'supply', 'withdrawal', 'booking', 'closed_day'];
  let seen = await entities();
  const firstPage = seen.length;
  let older = 0;
  for (let i = 0; i < 20 && !want.every((w) => seen.includes(w)); i++) {
    older++;
    if ((await page.getByTestId('log-older').count()) === 0) break;
    await page.getByTestId('log-older').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=log-entry]').length > n, seen.length);
    seen = await entities();
  }
  for (const w of want) assert.ok(seen.includes(w), `log has ${w}: ${seen.join(',')}`);
  assert.ok(older >= 1 && seen.length > firstPage, `paged back with "older" (${firstPage} then ${seen.length})`);
  // Newest first: closing the far day was the last change made.
  assert.equal(seen[0], 'closed_day');
  assert.ok((await page.getByTestId('log-entry').first().innerText()).includes(far));
  const first = page.getByTestId('log-entry').first();
  assert.match(await first.innerText(), /Closed day · closed/);
  assert.match(await first.getByTestId('log-who').innerText(), /\S/);
  const booking = page.locator('[data-testid=log-entry][data-entity=booking]').first();
  assert.ok((await booking.getByTestId('log-change').innerText()).includes(bookingCancelled.reason));
  const withdrawal = page.locator('[data-testid=log-entry][data-entity=withdrawal]').first();
  assert.ok((await withdrawal.getByTestId('log-change').innerText()).includes('<b>eggs</b>'), 'markup shows as text');
  assert.equal(await withdrawal.locator('b').count(), 0);
  await shot(page, 'log-en');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an organiser of Liu only cannot open a round or the visits of Song', async () => {
  const song = await getJson(`${app.server.url}/api/villages/song`);
  const roundId = song.open_round?.round.id ?? song.upcoming_rounds[0]?.id;
  assert.ok(roundId, 'song has a round');
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await page.goto(`/organise/login?next=${encodeURIComponent(`/organise/rounds/${roundId}`)}`);
  const form = page.getByTestId('org-login-form');
  await form.locator('input[name=login]').fill('liu-organiser-2');
  await form.locator('input[name=password]').fill('demo-organiser-2');
  await form.locator('button[type=submit]').click();
  await page.getByTestId('not-your-village').waitFor();
  assert.equal(await page.getByTestId('supply-form').count(), 0);
  await page.goto('/organise/v/song/visits');
  await page.getByTestId('not-your-village').waitFor();
  assert.equal(await page.getByTestId('nights').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
