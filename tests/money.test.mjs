// Money after the pickup in headless Chromium at 390×844 against the real
// server: an organiser settles a round (undoes and records a household's
// payment, downloads the settlement CSV), reads the village's income by
// band and a household's chart, records what the organising share paid
// for, and anyone sees where the share went on the village page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const app = useServerAndBrowser();
const SHOTS = '/tmp/money-shots';

/** The latest demo round that went all the way, and its year. */
function loopRound() {
  const [[id, year]] = sql(app.server, `SELECT r.id, substr(r.distribution_day, 1, 4) FROM distribution_round r
    WHERE EXISTS (SELECT 1 FROM orders o JOIN pickup_mark m ON m.order_id = o.id WHERE o.round_id = r.id)
    ORDER BY r.distribution_day DESC LIMIT 1`);
  return { id, year };
}

async function organiserPage(locale = 'zh-CN') {
  const p = await phonePage(app.browser, { locale, baseURL: app.server.url });
  await p.page.goto('/organise/login');
  await p.page.locator('input[name=login]').fill('liu-organiser-2');
  await p.page.locator('input[name=password]').fill('demo-organiser-2');
  await p.page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await p.page.getByTestId('org-village').first().waitFor();
  return p;
}

async function apiJson(context, path) {
  const res = await context.request.get(`${app.server.url}${path}`);
  assert.equal(res.status(), 200, `${path}: ${res.status()}`);
  return res.json();
}

test('an organiser settles a round: the sums add up, a payment is undone and recorded, and the CSV has its columns and the BOM', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, context, errors } = await organiserPage();
  const round = loopRound();
  const settlement = await apiJson(context, `/api/organise/rounds/${round.id}/settlement`);
  await page.goto(`/organise/rounds/${round.id}/settlement`);
  await page.getByTestId('stl-reconciles').waitFor();
  assert.match(await page.getByTestId('stl-reconciles').innerText(), /账目相符/);
  const cards = page.getByTestId('stl-household');
  assert.equal(await cards.count(), settlement.households.length);
  await page.screenshot({ path: `${SHOTS}/settlement-zh.png`, fullPage: false });

  const h = settlement.households[0];
  const card = page.locator(`[data-testid=stl-household][data-household="${h.earned.household_id}"]`);
  const stored = () => sql(app.server, 'SELECT amount_fen, paid_on FROM household_payment WHERE round_id = ? AND household_id = ?', [round.id, h.earned.household_id]);
  assert.match(await card.getByTestId('stl-paid').innerText(), /已付/, 'the demo paid it');
  await card.getByTestId('stl-undo').click();
  await card.getByTestId('stl-pay-form').waitFor();
  assert.deepEqual(stored(), []);
  assert.equal(await card.getByTestId('stl-amount').inputValue(), (h.earned.total_fen / 100).toFixed(2), 'prefilled with what it is owed');

  // A typo is named under its field and nothing is sent.
  await card.getByTestId('stl-amount').fill('12,3x');
  await card.getByTestId('stl-pay').click();
  await card.getByTestId('field-error').first().waitFor();
  assert.deepEqual(stored(), []);
  await card.getByTestId('stl-amount').fill('12.34');
  await card.getByTestId('stl-pay').click();
  await card.getByTestId('stl-paid').waitFor();
  assert.match(await card.getByTestId('stl-paid').innerText(), /已付 ¥12\.34/);
  const [[amount]] = stored();
  assert.equal(amount, 1234);

  // The CSV download: a BOM, then the columns in the page's language.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('settlement-csv').click()]);
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = bytes.subarray(3).toString('utf8').trim().split('\n');
  assert.equal(lines[0], '农户,件数,数量,货值（元）,农户份额（元）,退款（元）,应付农户（元）,未付款订单中的份额（元）,已付农户（元）,付款日期');
  assert.equal(lines.length, 1 + settlement.households.length + 2);
  assert.match(lines.find((l) => l.includes('12.34')) ?? '', /12\.34/, 'the new payment is in it');

  // A round not allocated yet says so, with the way back.
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  await page.goto(`/organise/rounds/${liu.open_round.round.id}/settlement`);
  await page.getByTestId('settlement-not-allocated').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('income by band, a household chart, the ledger and the public "where the share went"', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, context, errors } = await organiserPage();
  const round = loopRound();
  const report = await apiJson(context, `/api/organise/villages/liu/income?year=${round.year}`);
  await page.goto(`/organise/v/liu/income?year=${round.year}`);
  await page.getByTestId('inc-bands').waitFor();
  assert.equal(await page.getByTestId('inc-band').count(), 4);
  assert.equal(await page.getByTestId('inc-household').count(), report.households.length);
  assert.match(await page.getByTestId('inc-poor').innerText(), /建档立卡户/);
  await page.screenshot({ path: `${SHOTS}/income-zh.png` });

  // The first household that earned: its page draws a bar per round.
  const earner = report.households.find((h) => h.year_fen > 0);
  assert.ok(earner, 'a household earned');
  const history = await apiJson(context, `/api/organise/households/${earner.household_id}/income`);
  await page.goto(`/organise/v/liu/households/${earner.household_id}`);
  await page.getByTestId('income-svg').waitFor();
  assert.equal(await page.getByTestId('income-bar').count(), history.rounds.length);
  const heights = await page.locator('[data-testid=income-bar] rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
  history.rounds.forEach((r, i) => assert.equal(heights[i] > 0, r.earned_fen > 0, `bar ${i}`));
  await page.getByTestId('income-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/household-chart-zh.png` });

  // The ledger: an entry is added for today and counted in the year.
  const before = await apiJson(context, '/api/organise/villages/liu/share-spending');
  await page.goto('/organise/v/liu/share');
  await page.getByTestId('led-figures').waitFor();
  await page.getByTestId('led-new').click();
  await page.getByTestId('led-category').selectOption('culture');
  await page.getByTestId('led-amount').fill('0');
  await page.getByTestId('led-save').click();
  await page.getByTestId('field-error').first().waitFor();
  await page.getByTestId('led-amount').fill('25');
  await page.getByTestId('led-note-zh').fill('（测试）村里放电影的租金');
  await page.getByTestId('led-save').click();
  await page.getByText('已记下').waitFor();
  const spent = `¥${((before.summary.spent_fen + 2500) / 100).toFixed(2)}`;
  await page.getByTestId('led-spent').getByText(spent).waitFor();
  assert.ok(await page.getByTestId('led-entry').filter({ hasText: '放电影' }).count() === 1);
  await page.screenshot({ path: `${SHOTS}/ledger-zh.png` });

  // Anyone: the village page says where the share went, by category, without the notes.
  const shop = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await shop.page.goto('/v/liu');
  await shop.page.getByTestId('share-spent').waitFor();
  const text = await shop.page.getByTestId('share-spent').innerText();
  assert.match(text, /Where the 1\d% went in \d{4}/);
  assert.match(text, /Cultural activities/);
  assert.doesNotMatch(text, /放电影/);
  await shop.page.getByTestId('share-spent').scrollIntoViewIfNeeded();
  await shop.page.screenshot({ path: `${SHOTS}/village-share-en.png` });
  // A village with nothing settled says so.
  await shop.page.goto('/v/song');
  await shop.page.getByTestId('share-empty').waitFor();
  assert.deepEqual(errors, []);
  assert.deepEqual(shop.errors, []);
  await shop.context.close();
  await context.close();
});
