// The visit offer and a round's dates in the workspace, in headless
// Chromium at 390×844 against the real server: a host's price changed in
// the workspace shows in a new booking made in the shop but not in the one
// made before (en-US); a round's dates changed and the round deleted
// after a confirmation (zh-CN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { useServerAndBrowser, phonePage, getJson, yuan } from './support/harness.mjs';

const SHOTS = '/tmp/orgoffer-shots';
const ORGANISER = { login: 'liu-organiser-1', password: 'demo-organiser-1' };
const CSRF = { 'X-Requested-With': 'storefront' };

const app = useServerAndBrowser(setup);
let orgCookie;
let offer; // the public offer of liu
let days;

async function setup() {
  mkdirSync(SHOTS, { recursive: true });
  const res = await fetch(`${app.server.url}/api/organise/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...CSRF },
    body: JSON.stringify(ORGANISER),
  });
  assert.equal(res.status, 200, await res.text());
  orgCookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  offer = await getJson(`${app.server.url}/api/villages/liu/visit`);
  const month = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(d);
  const first = await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${month(new Date())}`);
  const next = new Date(`${first.today}T00:00:00Z`);
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const second = await getJson(`${app.server.url}/api/villages/liu/visit/availability?month=${month(next)}`);
  days = [...first.days, ...second.days];
  days.today = first.today;
}

async function orgFetch(path, init = {}) {
  return fetch(`${app.server.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', cookie: orgCookie, ...CSRF, ...(init.headers ?? {}) },
  });
}

async function orgJson(path) {
  const res = await orgFetch(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Open days at least 5 days ahead (clear of the free-cancel window), `count` of them. */
function openDays(count) {
  const out = days.filter((d) => d.date >= addDays(days.today, 5) && d.status === 'open').map((d) => d.date);
  assert.ok(out.length >= count, 'open days in the demo calendar');
  return out.slice(0, count);
}

async function organiserLogin(page, next) {
  await page.goto(`/organise/login?next=${encodeURIComponent(next)}`);
  const form = page.getByTestId('org-login-form');
  await form.locator('input[name=login]').fill(ORGANISER.login);
  await form.locator('input[name=password]').fill(ORGANISER.password);
  await form.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === next);
}

function nextMonth(ym) {
  const [y, m] = ym.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

async function pickArrival(page, date) {
  const want = date.slice(0, 7);
  for (let i = 0; i < 3; i++) {
    const first = page.locator('[data-testid=month-grid] [data-date]').first();
    await first.waitFor();
    const shown = (await first.getAttribute('data-date')).slice(0, 7);
    if (shown === want) break;
    await page.getByTestId('month-next').click();
    await page.locator(`[data-testid=month-grid] [data-date^="${nextMonth(shown)}"]`).first().waitFor();
  }
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

/** Books one night for 2 adults with `host` in the shop; returns the booking id. */
async function bookInShop(page, host, arrival) {
  await page.goto('/v/liu/visit');
  await pickArrival(page, arrival);
  await setStepper(page, 'nights', 1);
  await setStepper(page, 'adults', 2);
  await setStepper(page, 'children', 0);
  await page.locator(`[data-testid=host][data-host="${host.id}"]`).click();
  await page.getByTestId('visit-name').fill('Demo Visitor');
  await page.getByTestId('visit-phone').fill('139 0000 0077');
  await page.getByTestId('book').click();
  await page.getByTestId('banner-confirmed').waitFor();
  return new URL(page.url()).pathname.split('/').pop();
}

/** Waits for the form's status and fails with its words unless it says saved. */
async function savedOrSaid(form) {
  const status = form.locator('[data-testid=saved], [data-testid=save-error]').first();
  await status.waitFor();
  assert.equal(await status.getAttribute('data-testid'), 'saved', await status.innerText());
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test("a host's new price shows in a new booking but not in the one made before (en-US)", async () => {
  const fuhai = offer.hosts.find((h) => h.household.name.en === 'Liu Fuhai');
  assert.ok(fuhai, 'the demo host Liu Fuhai');
  const oldFen = fuhai.prices.adult_night_fen;
  const newFen = oldFen + 1550;
  const [firstDay, secondDay] = openDays(2);

  const shop = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  const before = await bookInShop(shop.page, fuhai, firstDay);
  const lines = shop.page.getByTestId('trip-lines');
  assert.match(await lines.innerText(), new RegExp(`adult × 2 \\(${yuan(oldFen).replace('.', '\\.')}\\)`, 'i'));
  const totalBefore = await shop.page.getByTestId('trip-total').innerText();

  // The organiser changes the price from the village's workspace home.
  const org = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await organiserLogin(org.page, '/organise/v/liu');
  await org.page.getByTestId('org-visit-offer').click();
  await org.page.waitForURL((u) => u.pathname === '/organise/v/liu/visits/offer');
  const card = org.page.locator(`[data-testid=host-card][data-household-id="${fuhai.id}"]`);
  const price = card.getByTestId('host-adult-night');
  assert.equal(await price.inputValue(), (oldFen / 100).toFixed(2));
  // A price that does not read is named and nothing is sent.
  await price.fill('80.555');
  await org.page.getByTestId('save-offer').click();
  await org.page.getByTestId('offer-errors').waitFor();
  assert.match(await card.getByTestId('field-error').first().innerText(), /amount in yuan/);
  assert.equal((await orgJson('/api/organise/villages/liu/visit')).offer.hosts.find((h) => h.household_id === fuhai.id).prices.adult_night_fen, oldFen);
  await price.fill((newFen / 100).toFixed(2));
  await org.page.getByTestId('save-offer').click();
  await savedOrSaid(org.page.getByTestId('offer-form'));
  await shot(org.page, 'offer-saved-en');
  const saved = await orgJson('/api/organise/villages/liu/visit');
  assert.equal(saved.offer.hosts.find((h) => h.household_id === fuhai.id).prices.adult_night_fen, newFen);
  const log = await orgJson('/api/organise/villages/liu/log');
  assert.equal(log.entries[0].entity, 'visit_offer');

  // A new booking gets the new price.
  await bookInShop(shop.page, fuhai, secondDay);
  assert.match(await shop.page.getByTestId('trip-lines').innerText(), new RegExp(`× 2 \\(${yuan(newFen).replace('.', '\\.')}\\)`));
  // The booking made before keeps its lines and total.
  await shop.page.goto(`/trips/${before}`);
  await shop.page.getByTestId('banner-confirmed').waitFor();
  const oldLines = await shop.page.getByTestId('trip-lines').innerText();
  assert.ok(oldLines.includes(`(${yuan(oldFen)})`), oldLines);
  assert.ok(!oldLines.includes(`(${yuan(newFen)})`), oldLines);
  assert.equal(await shop.page.getByTestId('trip-total').innerText(), totalBefore);
  await shot(shop.page, 'old-trip-en');
  assert.deepEqual(shop.errors, []);
  assert.deepEqual(org.errors, []);
  await shop.context.close();
  await org.context.close();
});

function shanghaiDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

test("an organiser changes a round's dates before it opens and deletes it after confirming (zh-CN)", async () => {
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const res = await orgFetch('/api/organise/villages/liu/rounds', {
    method: 'POST',
    body: JSON.stringify({
      opens_at: `${shanghaiDate(300)}T08:00:00+08:00`,
      deadline: `${shanghaiDate(304)}T20:00:00+08:00`,
      distribution_day: shanghaiDate(306),
      point_ids: [liu.distribution_points[0].id],
    }),
  });
  const created = await res.json();
  assert.equal(res.status, 201, JSON.stringify(created));
  const id = created.round.id;

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await organiserLogin(page, `/organise/rounds/${id}`);
  const form = page.getByTestId('dates-form');
  await form.waitFor();
  assert.equal(await form.locator('input[name=deadline]').inputValue(), `${shanghaiDate(304)}T20:00`);
  // A deadline before orders open is named on the phone.
  await form.locator('input[name=deadline]').fill(`${shanghaiDate(299)}T20:00`);
  await page.getByTestId('save-dates').click();
  await form.getByTestId('field-error').first().waitFor();
  assert.match(await form.getByTestId('field-error').first().innerText(), /晚于/);
  await form.locator('input[name=deadline]').fill(`${shanghaiDate(303)}T18:00`);
  await form.locator('input[name=distribution_day]').fill(shanghaiDate(305));
  await page.getByTestId('save-dates').click();
  await savedOrSaid(form);
  const moved = await orgJson(`/api/organise/rounds/${id}`);
  assert.equal(moved.round.distribution_day, shanghaiDate(305));
  assert.equal(new Date(moved.round.deadline).toISOString(), new Date(`${shanghaiDate(303)}T18:00:00+08:00`).toISOString());
  await shot(page, 'round-dates-zh');

  // Deleting asks first; "keep" keeps it.
  await page.getByTestId('delete-round').click();
  const confirm = page.getByTestId('delete-confirm');
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /确定删除这一轮吗/);
  await shot(page, 'round-delete-confirm-zh');
  await page.getByTestId('delete-no').click();
  assert.equal((await orgFetch(`/api/organise/rounds/${id}`)).status, 200);
  await page.getByTestId('delete-round').click();
  await page.getByTestId('delete-yes').click();
  await page.waitForURL((u) => u.pathname === '/organise/v/liu/rounds');
  assert.equal((await orgFetch(`/api/organise/rounds/${id}`)).status, 404);
  const log = await orgJson('/api/organise/villages/liu/log');
  assert.equal(log.entries[0].action, 'delete');
  assert.equal(log.entries[1].action, 'update');

  // The open round: its dates are locked, and with orders it cannot be deleted.
  const open = await orgJson(`/api/organise/rounds/${liu.open_round.round.id}`);
  await page.goto(`/organise/rounds/${open.round.id}`);
  await page.getByTestId('dates-locked').waitFor();
  assert.equal(await page.getByTestId('dates-form').count(), 0);
  if (open.order_count > 0) {
    await page.getByTestId('delete-blocked').waitFor();
    assert.equal(await page.getByTestId('delete-round').count(), 0);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
