// Visit booking in headless Chromium at 390×844 against the real server:
// the whole flow in both languages, a full day that cannot be chosen, a
// booking made offline and sent once, and cancelling within and outside
// the cancellation policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useServerAndBrowser, phonePage, getJson, yuan } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const app = useServerAndBrowser(setup);
let offer;
let days; // every day of this month and the next two, from the server
const DEMO = { phone: '13800000001', password: 'demo-password-1', name: '陈晓梅' };
const taken = new Set(); // dates one test fills or books, kept apart

async function setup() {
  offer = await getJson(`${app.server.url}/api/villages/liu/visit`);
  const first = await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${monthOf(new Date())}`);
  days = [...first.days];
  for (let i = 1; i <= 2; i++) {
    const d = new Date(`${first.today}T00:00:00Z`);
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + i);
    days.push(...(await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${monthOf(d)}`)).days);
  }
  days.today = first.today;
}

function monthOf(d) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(d);
}

function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The first arrival at least `fromDays` after today whose `nights` nights are all open and untouched. */
function openStay(fromDays, nights) {
  for (const d of days) {
    if (d.date < addDays(days.today, fromDays)) continue;
    const stay = Array.from({ length: nights }, (_, i) => addDays(d.date, i));
    const ok = stay.every((s) => {
      const a = days.find((x) => x.date === s);
      return a && a.status === 'open' && !taken.has(s);
    });
    if (ok) {
      stay.forEach((s) => taken.add(s));
      return d.date;
    }
  }
  throw new Error('no open stay in the demo calendar');
}

async function login(page) {
  await page.goto('/login');
  await page.locator('input[name=phone]').fill(DEMO.phone);
  await page.locator('input[name=password]').fill(DEMO.password);
  await page.locator('[data-testid=login-form] button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/');
}

function nextMonth(ym) {
  const [y, m] = ym.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Pages the visit calendar forward to the month of `date`, waiting for each month to load. */
async function showMonth(page, date) {
  const want = date.slice(0, 7);
  for (let i = 0; i < 4; i++) {
    const first = page.locator('[data-testid=month-grid] [data-date]').first();
    await first.waitFor();
    const shown = (await first.getAttribute('data-date')).slice(0, 7);
    if (shown === want) return;
    await page.getByTestId('month-next').click();
    await page.locator(`[data-testid=month-grid] [data-date^="${nextMonth(shown)}"]`).first().waitFor();
  }
  throw new Error(`month ${want} not reached`);
}

/** Opens the month of `date` on the visit page and taps the day. */
async function pickArrival(page, date) {
  await showMonth(page, date);
  await page.locator(`[data-date="${date}"]`).click();
}

async function setStepper(page, testid, value) {
  const row = page.getByTestId(testid);
  for (let i = 0; i < 10; i++) {
    const now = Number(await row.getByTestId('qty').innerText());
    if (now === value) return;
    await row.getByTestId(now < value ? 'qty-plus' : 'qty-minus').click();
  }
  assert.equal(Number(await row.getByTestId('qty').innerText()), value);
}

const host = (name) => offer.hosts.find((h) => h.household.name.en === name);

test('zh: a visitor without an account books a stay with a chosen host and meals, sees it in My trips, and cancels it for free', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  const arrival = openStay(14, 2);
  const fuhai = host('Liu Fuhai');
  await page.goto('/v/liu');
  await page.getByTestId('visit-link').click();
  await page.waitForURL((u) => u.pathname === '/v/liu/visit');
  assert.match(await page.locator('h1').innerText(), /预约探访/);
  assert.match(await page.getByTestId('policy').innerText(), /免费取消/);

  await pickArrival(page, arrival);
  await setStepper(page, 'nights', 2);
  await setStepper(page, 'adults', 2);
  await setStepper(page, 'children', 1);
  assert.match(await page.getByTestId('stay-line').innerText(), /入住.*离开/);
  await page.locator(`[data-testid=host][data-host="${fuhai.id}"]`).click();
  assert.match(await page.locator(`[data-testid=host][data-host="${fuhai.id}"]`).innerText(), /还剩6张床/);
  await page.getByTestId(`meal-${arrival}-dinner`).click();
  // Price from the domain crate: 2 nights × (2 adults + 1 child) and one dinner for 3.
  const expected = 2 * (2 * fuhai.prices.adult_night_fen + fuhai.prices.child_night_fen)
    + 2 * fuhai.prices.meal_adult_fen + fuhai.prices.meal_child_fen;
  assert.equal(await page.getByTestId('price-total').innerText(), yuan(expected));
  assert.match(await page.getByTestId('price-summary').innerText(), /住宿 · 大人 × 4/);

  // Bad input is caught on the phone, with words for the field.
  await page.getByTestId('book').click();
  await page.getByTestId('visit-errors').waitFor();
  assert.match(await page.getByTestId('visit-form').innerText(), /请填写姓名/);
  await page.getByTestId('visit-name').fill('演示访客');
  await page.getByTestId('visit-phone').fill('12345');
  await page.getByTestId('book').click();
  assert.match(await page.getByTestId('visit-form').innerText(), /11位手机号/);
  await page.getByTestId('visit-phone').fill('139 0000 0031');
  await page.getByTestId('book').click();

  await page.getByTestId('banner-confirmed').waitFor();
  const id = new URL(page.url()).pathname.split('/').pop();
  const ref = (await page.getByTestId('booking-reference').innerText()).match(/[A-Z0-9]{6,}/)[0];
  assert.match(await page.getByTestId('trip-host').innerText(), /刘富海/);
  assert.match(await page.getByTestId('trip-party').innerText(), /大人2位，孩子1位/);
  assert.equal(await page.getByTestId('trip-total').innerText().then((t) => t.match(/¥[\d.]+/)[0]), yuan(expected));
  assert.match(await page.getByTestId('policy').innerText(), /到达前3天/);

  const booked = await getJson(`${app.server.url}/api/bookings/${id}?ref=${ref}`);
  assert.equal(booked.status, 'confirmed');
  assert.equal(booked.total_fen, expected);
  assert.equal(booked.host.id, fuhai.id);
  assert.deepEqual(booked.meals.map((m) => [m.date, m.dinner]), [[arrival, true]]);

  // My trips, from the phone's copy.
  await page.getByTestId('to-trips').click();
  const row = page.getByTestId('trip-row').first();
  assert.match(await row.innerText(), /刘村[\s\S]*2晚 · 3人[\s\S]*已确认/);
  await row.locator('a').click();

  // Within the policy: cancel, confirm, and it is cancelled on the server.
  await page.getByTestId('cancel-booking').click();
  await page.getByTestId('cancel-yes').click();
  await page.getByTestId('banner-cancelled').waitFor();
  assert.equal((await getJson(`${app.server.url}/api/bookings/${id}?ref=${ref}`)).status, 'cancelled');
  await page.goto('/trips');
  assert.match(await page.getByTestId('trip-row').first().innerText(), /已取消/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('en: a member books "any host" with name and phone filled in, and My trips lists it from the server', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await login(page);
  const arrival = openStay(20, 1);
  await page.goto('/v/liu/visit');
  await page.getByTestId('month-grid').waitFor();
  assert.equal(await page.getByTestId('visit-name').inputValue(), DEMO.name);
  assert.equal(await page.getByTestId('visit-phone').inputValue(), DEMO.phone);
  await pickArrival(page, arrival);
  await setStepper(page, 'adults', 3);
  // Any host is the default; the price is a range over the hosts with room.
  assert.match(await page.getByTestId('price-total').innerText(), /¥[\d.]+ – ¥[\d.]+/);
  await page.getByTestId(`meal-${addDays(arrival, 1)}-breakfast`).click();
  await page.getByTestId('book').click();
  await page.getByTestId('banner-confirmed').waitFor();
  assert.match(await page.getByTestId('booking-reference').innerText(), /^Reference [A-Z0-9]+$/);
  assert.match(await page.getByTestId('trip-party').innerText(), /3 adults, 0 children/);
  assert.match(await page.getByTestId('policy').innerText(), /Free cancellation until the end of the day 3 days before arrival/);
  const id = new URL(page.url()).pathname.split('/').pop();

  // Another phone of the same member (nothing kept locally) sees it too.
  await page.evaluate(() => localStorage.removeItem('storefront.trips.v1'));
  await page.goto('/trips');
  await page.getByTestId('trip-row').first().waitFor();
  const rows = await page.getByTestId('trip-row').allInnerTexts();
  assert.ok(rows.some((r) => /Liu Village[\s\S]*1 nights · 3 people[\s\S]*Confirmed/.test(r)), rows.join('\n'));
  await page.goto(`/trips/${id}`);
  await page.getByTestId('banner-confirmed').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a full day cannot be chosen as arrival', async () => {
  const full = openStay(25, 1);
  // Fill every host's beds that night through the API, as other families would.
  for (const h of offer.hosts) {
    const res = await fetch(`${app.server.url}/api/bookings/${randomUUID()}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ village_slug: 'liu', arrival: full, nights: 1, adults: h.beds, children: 0, host_id: h.id, meals: [], name: 'Demo Family', phone: '13900000041' }),
    });
    assert.equal(res.status, 201, await res.text());
  }
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/v/liu/visit');
  await page.getByTestId('month-grid').waitFor();
  await showMonth(page, full);
  const day = page.locator(`[data-date="${full}"]`);
  assert.equal(await day.getAttribute('data-status'), 'full');
  assert.ok(await day.isDisabled(), 'a full day is disabled');
  assert.match(await day.getAttribute('aria-label'), /已满/);
  await day.click({ force: true });
  assert.equal(await page.getByTestId('stay-line').count(), 0, 'no arrival was chosen');
  // Closed days are not choosable either.
  const closed = page.locator('[data-testid=month-grid] [data-status=closed]').first();
  assert.ok(await closed.isDisabled());
  assert.deepEqual(errors, []);
  await context.close();
});

test('a booking made offline waits on the phone and is sent exactly once when back online', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url, serviceWorkers: 'block' });
  const arrival = openStay(30, 1);
  const liuChunhua = host('Liu Chunhua');
  await page.goto('/v/liu/visit');
  await page.getByTestId('month-grid').waitFor();
  await pickArrival(page, arrival);
  await page.locator(`[data-testid=host][data-host="${liuChunhua.id}"]`).click();
  // Liu Chunhua serves no lunch: that meal cannot be picked.
  assert.ok(await page.getByTestId(`meal-${arrival}-lunch`).isDisabled());
  await page.getByTestId('visit-name').fill('Offline Demo');
  await page.getByTestId('visit-phone').fill('13900000051');

  await context.setOffline(true);
  await page.getByTestId('book').click();
  await page.getByTestId('banner-waiting').waitFor();
  assert.match(await page.getByTestId('banner-waiting').innerText(), /waiting to send/i);
  const id = new URL(page.url()).pathname.split('/').pop();
  // Kept on the phone before any answer.
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('storefront.trips.v1')));
  assert.equal(kept.filter((t) => t.id === id).length, 1);
  // Tapping "send now" while offline fails again without booking anything.
  await page.getByTestId('send-now').click();
  await page.getByTestId('to-trips').click();
  assert.match(await page.getByTestId('trip-row').first().innerText(), /Waiting to send/);
  assert.equal(sql(app.server, 'SELECT count(*) FROM booking WHERE id = ?', [id])[0][0], 0);

  // Back online: the sender goes at once (the browser's online event).
  await context.setOffline(false);
  await page.getByTestId('trip-state').filter({ hasText: 'Confirmed' }).first().waitFor({ timeout: 20_000 });
  await page.goto(`/trips/${id}`);
  await page.getByTestId('banner-confirmed').waitFor();
  await page.reload();
  await page.getByTestId('banner-confirmed').waitFor();
  assert.equal(sql(app.server, 'SELECT count(*) FROM booking WHERE id = ?', [id])[0][0], 1);
  assert.equal(sql(app.server, "SELECT count(*) FROM booking WHERE phone = '13900000051'")[0][0], 1, 'booked once');
  assert.match(await page.getByTestId('trip-host').innerText(), /Liu Chunhua/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('outside the cancellation policy the app explains instead of cancelling', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  // Arriving within 3 days: free cancellation is already over.
  const arrival = openStay(1, 1);
  assert.ok(arrival <= addDays(days.today, 3), `an open night within 3 days (got ${arrival})`);
  await page.goto('/v/liu/visit');
  await page.getByTestId('month-grid').waitFor();
  await pickArrival(page, arrival);
  await setStepper(page, 'adults', 1);
  await page.getByTestId('visit-name').fill('演示访客二');
  await page.getByTestId('visit-phone').fill('13900000061');
  await page.getByTestId('book').click();
  await page.getByTestId('banner-confirmed').waitFor();
  assert.equal(await page.getByTestId('cancel-booking').count(), 0);
  assert.match(await page.getByTestId('cancel-closed').innerText(), /免费取消已于.*截止.*联系村里的组织者/);
  // The server agrees: a 409 that says why.
  const id = new URL(page.url()).pathname.split('/').pop();
  const ref = (await page.getByTestId('booking-reference').innerText()).match(/[A-Z0-9]{6,}/)[0];
  const res = await fetch(`${app.server.url}/api/bookings/${id}?ref=${ref}`, { method: 'DELETE' });
  assert.equal(res.status, 409);
  assert.match((await res.json()).error, /free cancellation ended/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an organiser cancels a booking with a reason; the visitor reads it in My trips', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  const arrival = openStay(35, 1);
  await page.goto('/v/liu/visit');
  await page.getByTestId('month-grid').waitFor();
  await pickArrival(page, arrival);
  await page.getByTestId('visit-name').fill('演示访客三');
  await page.getByTestId('visit-phone').fill('13900000071');
  await page.getByTestId('book').click();
  await page.getByTestId('banner-confirmed').waitFor();
  const id = new URL(page.url()).pathname.split('/').pop();

  // The organiser cancels it, through the API their pages use.
  const headers = { 'content-type': 'application/json', 'x-requested-with': 'storefront' };
  const login = await fetch(`${app.server.url}/api/organise/session`, {
    method: 'POST', headers, body: JSON.stringify({ login: 'liu-organiser-2', password: 'demo-organiser-2' }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const reason = '暴雨，山路不通';
  const cancel = await fetch(`${app.server.url}/api/organise/bookings/${id}/cancel`, {
    method: 'POST', headers: { ...headers, cookie }, body: JSON.stringify({ reason }),
  });
  assert.equal(cancel.status, 200, await cancel.text());

  await page.goto('/trips');
  const row = page.getByTestId('trip-row').filter({ hasText: '已取消' }).first();
  await row.getByTestId('trip-cancel-reason').waitFor();
  assert.match(await row.innerText(), new RegExp(`原因：${reason}`));
  await row.locator('a').click();
  await page.getByTestId('banner-cancelled').waitFor();
  assert.match(await page.getByTestId('banner-cancelled').innerText(), /组织者取消了[\s\S]*暴雨，山路不通/);
  assert.deepEqual(errors, []);
  await context.close();
});
