// Quality feedback in headless Chromium at 390×844 against the real server:
// a member rates a line of a collected order and the household page shows
// it; a problem reported on a label's trace page reaches the organisers'
// problems page, the organiser records a refund and the member sees it on
// their order; a printed label's QR code decodes to its trace page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import jsQR from 'jsqr';
import { useServerAndBrowser, phonePage, getJson, yuan } from './support/harness.mjs';
import { sql } from './support/db.mjs';

const SHOTS = '/tmp/feedback-shots';
const CSRF = { 'X-Requested-With': 'storefront' };

/** Logs in over HTTP: the session cookie and a fetch that sends it. */
async function login(base, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...CSRF },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `login ${path}: ${res.status} ${await res.text()}`);
  const [name, value] = res.headers.get('set-cookie').split(';')[0].split('=');
  const cookie = `${name}=${value}`;
  return {
    name,
    value,
    fetch: (p, init = {}) => fetch(`${base}${p}`, { ...init, headers: { ...init.headers, ...CSRF, cookie, 'content-type': 'application/json' } }),
  };
}

/** The text of the first visible element of `testid` once there is one. */
async function shown(page, testid) {
  const el = page.locator(`[data-testid=${testid}]:visible`).first();
  await el.waitFor();
  return el.innerText();
}

/** A phone page in `locale` carrying `session`'s cookie. */
async function pageWith(browser, base, session, locale = 'zh-CN') {
  const p = await phonePage(browser, { locale, baseURL: base });
  if (session) await p.context.addCookies([{ name: session.name, value: session.value, url: base }]);
  return p;
}

// The member's order of two products in Liu's open round, allocated after
// its deadline and collected (paid) at the point.
const fx = {};
const app = useServerAndBrowser(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const base = app.server.url;
  const liu = await getJson(`${base}/api/villages/liu`);
  const round = liu.open_round.round.id;
  const stocked = liu.open_round.stock.filter((s) => s.remaining >= 2).slice(0, 2);
  assert.equal(stocked.length, 2, 'two products in stock');
  const member = await login(base, '/api/session', { phone: '13800000001', password: 'demo-password-1' });
  const me = await (await member.fetch('/api/me')).json();
  const id = randomUUID();
  const put = await member.fetch(`/api/orders/${id}`, {
    method: 'PUT',
    body: JSON.stringify({ round_id: round, point_id: me.default_point.id, lines: stocked.map((s) => ({ product_id: s.product_id, quantity: 1 })) }),
  });
  const text = await put.text();
  assert.equal(put.status, 201, text);
  const order = JSON.parse(text);
  const organiser = await login(base, '/api/organise/session', { login: 'liu-organiser-1', password: 'demo-organiser-1' });
  const now = Math.floor(Date.now() / 1000);
  sql(app.server, 'UPDATE distribution_round SET deadline = ? WHERE id = ?', [now - 60, round]);
  const alloc = await organiser.fetch(`/api/organise/rounds/${round}/allocation`, { method: 'POST', body: '{}' });
  assert.equal(alloc.status, 200, await alloc.text());
  // Collected and paid at the point (the pickup page has its own test).
  sql(
    app.server,
    `INSERT INTO pickup_mark (mark_uuid, order_id, state, amount_fen, method, organiser_id, marked_at, recorded_at)
     VALUES (?, ?, 'paid', ?, 'cash', (SELECT MIN(id) FROM organiser), ?, ?)`,
    [randomUUID(), order.id, order.total_fen, now, now],
  );
  const pieces = sql(
    app.server,
    'SELECT label_code, product_id, household_id FROM packed_line WHERE order_id = ? ORDER BY product_id, label_code',
    [order.id],
  );
  assert.ok(pieces.length >= 2, 'each line packed with a label');
  Object.assign(fx, { round, order, member, organiser, pieces, me });
});

test('a member rates a line of a collected order, and the household page shows it', async () => {
  const base = app.server.url;
  const [, productId, householdId] = fx.pieces[0];
  const { page, errors, context } = await pageWith(app.browser, base, fx.member);
  await page.goto(`/orders/${fx.order.id}`);
  await page.locator('[data-testid=order-pickup][data-state=paid]').waitFor();
  const line = page.locator(`[data-testid=rate-line][data-product-id="${productId}"]`);
  await line.waitFor();
  assert.equal(await line.getByTestId('my-rating').count(), 0, 'not rated yet');
  // Sending with no button chosen is refused at the line, nothing sent.
  await line.getByTestId('rate-send').click();
  assert.match(await line.getByTestId('rate-error').innerText(), /请选好、一般或不好/);
  await line.getByTestId('rate-good').click();
  assert.equal(await line.getByTestId('rate-good').getAttribute('aria-pressed'), 'true');
  const comment = `鸡蛋个个新鲜 ${randomUUID().slice(0, 6)}`;
  await line.getByTestId('rate-comment').fill(comment);
  await line.getByTestId('rate-send').click();
  await line.getByTestId('rate-saved').waitFor();
  assert.equal(await line.getByTestId('my-rating').getAttribute('data-rating'), 'good');
  await line.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/order-rate-zh.png` });
  const [[stored, storedComment]] = sql(app.server, 'SELECT rating, comment FROM rating WHERE order_id = ? AND product_id = ?', [fx.order.id, productId]);
  assert.deepEqual([stored, storedComment], ['good', comment]);

  // After a reload the saved rating is read back.
  await page.reload();
  await page.locator(`[data-testid=rate-line][data-product-id="${productId}"] [data-testid=my-rating][data-rating=good]`).waitFor();
  assert.match(await line.getByTestId('my-rating').innerText(), new RegExp(comment));

  // A photo of the piece, made on the phone (a canvas here), goes with it.
  const jpeg = Buffer.from(await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 400; c.height = 300;
    const g = c.getContext('2d');
    g.fillStyle = '#c8a26b'; g.fillRect(0, 0, 400, 300);
    g.fillStyle = '#fff'; g.beginPath(); g.ellipse(200, 150, 90, 120, 0, 0, 7); g.fill();
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }), 'base64');
  await line.getByTestId('rate-photo-input').setInputFiles({ name: 'egg.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await line.getByTestId('my-rating-photo').waitFor();
  const [[photos]] = sql(app.server, 'SELECT count(*) FROM rating_photo WHERE order_id = ? AND product_id = ?', [fx.order.id, productId]);
  assert.equal(photos, 1);
  const src = await line.getByTestId('my-rating-photo').getAttribute('src');
  assert.match(src, /^\/api\/rating-photos\/\d+\/\d+\.jpg$/);
  assert.ok(await line.getByTestId('my-rating-photo').evaluate((img) => img.complete && img.naturalWidth > 0), 'the photo loads');

  // The household's page counts it and shows the comment by "陈**" only.
  await page.goto(`/v/liu/h/${householdId}`);
  const summary = page.getByTestId('feedback-summary');
  await summary.waitFor();
  assert.match(await summary.getByTestId('feedback-count').innerText(), /\d+ 条评价 · \d+% 说好/);
  const first = summary.getByTestId('feedback-comment').first();
  assert.match(await first.innerText(), new RegExp(comment));
  assert.match(await first.innerText(), /陈\*\*/);
  await first.getByTestId('feedback-photo').waitFor();
  assert.doesNotMatch(await summary.innerText(), new RegExp(fx.me.name));
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/household-feedback-zh.png` });
  assert.deepEqual(errors, []);
  await context.close();

  const en = await pageWith(app.browser, base, null, 'en-US');
  await en.page.goto(`/v/liu/h/${householdId}`);
  await en.page.getByTestId('feedback-count').waitFor();
  assert.match(await en.page.getByTestId('feedback-count').innerText(), /\d+ ratings · \d+% good/);
  await en.page.getByTestId('feedback-summary').scrollIntoViewIfNeeded();
  await en.page.screenshot({ path: `${SHOTS}/household-feedback-en.png` });
  await en.context.close();
});

test('a label report reaches the organiser, who records a refund; the member sees it', async () => {
  const base = app.server.url;
  const [code] = fx.pieces[1];
  // Anyone with the package, no account.
  const anyone = await pageWith(app.browser, base, null);
  await anyone.page.goto(`/label/${code}`);
  await anyone.page.getByTestId('report-form').waitFor();
  await anyone.page.getByTestId('report-send').click();
  assert.match(await shown(anyone.page, 'report-error'), /请选是什么问题/);
  await anyone.page.getByTestId('problem-damaged').check();
  await anyone.page.getByTestId('report-comment').fill('盒子压扁了，里面碎了两个');
  await anyone.page.screenshot({ path: `${SHOTS}/label-report-zh.png` });
  await anyone.page.getByTestId('report-send').click();
  const done = anyone.page.getByTestId('report-done');
  await done.waitFor();
  assert.match(await done.innerText(), /问题已收到/);
  assert.ok(await done.isVisible(), 'the confirmation is in view');
  await anyone.page.screenshot({ path: `${SHOTS}/label-report-done-zh.png` });
  const [[reportId, problem]] = sql(app.server, 'SELECT id, problem FROM label_report WHERE label_code = ? ORDER BY id DESC LIMIT 1', [code.replace('-', '')]);
  assert.equal(problem, 'damaged');
  assert.match(await done.innerText(), new RegExp(`编号 ${reportId}`));

  // Reports are limited per address: the refusal is shown, in words.
  for (let i = 0; i < 4; i++) {
    const r = await fetch(`${base}/api/labels/${code}/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"problem":"other"}' });
    assert.equal(r.status, 201);
  }
  await done.getByRole('button').click();
  await anyone.page.getByTestId('problem-other').check();
  await anyone.page.getByTestId('report-send').click();
  assert.match(await shown(anyone.page, 'report-error'), /提交的问题太多了，请 \d+ 分钟后再试/);
  // A code typed by hand with a typo is named before anything is sent.
  await anyone.page.getByTestId('code-input').fill('K7QX-3MP');
  await anyone.page.getByTestId('code-go').click();
  assert.match(await shown(anyone.page, 'code-error'), /标签码有 8 个字符/);
  await anyone.page.getByTestId('code-input').fill(fx.pieces[0][0].toLowerCase());
  await anyone.page.getByTestId('code-go').click();
  await anyone.page.waitForURL((u) => u.pathname === `/label/${fx.pieces[0][0]}`);
  await anyone.page.getByTestId('label').waitFor();
  assert.deepEqual(anyone.errors, []);
  await anyone.context.close();

  // The organiser finds it on the problems page, from the village's menu.
  const org = await pageWith(app.browser, base, fx.organiser);
  await org.page.goto('/organise/v/liu');
  await org.page.getByTestId('org-problems').click();
  const card = org.page.locator(`[data-testid=problem][data-report-id="${reportId}"]`);
  await card.waitFor();
  assert.equal(await card.getAttribute('data-state'), 'open');
  const text = await card.innerText();
  assert.match(text, /压坏、破损/);
  assert.match(text, /盒子压扁了/);
  const [[householdZh]] = sql(app.server, 'SELECT h.name_zh FROM packed_line pl JOIN household h ON h.id = pl.household_id WHERE pl.label_code = ?', [code.replace('-', '')]);
  assert.match(await card.getByTestId('problem-household').innerText(), new RegExp(householdZh));
  assert.match(text, new RegExp(fx.order.number));
  assert.equal(await card.getByTestId('withdraw-link').getAttribute('href'), `/organise/rounds/${fx.round}#product-${fx.pieces[1][1]}`);
  await org.page.screenshot({ path: `${SHOTS}/org-problems-zh.png` });

  await card.getByTestId('refund-open').click();
  const form = card.getByTestId('refund-form');
  const piece = fx.order.lines.find((l) => l.product_id === fx.pieces[1][1]).total_fen;
  assert.equal(await form.getByTestId('refund-amount').inputValue(), (piece / 100).toFixed(2), 'prefilled with what the piece cost');
  // No reason: named at its field, nothing sent.
  await form.getByTestId('refund-send').click();
  await form.locator('[data-testid=field-error]').first().waitFor();
  assert.equal(sql(app.server, 'SELECT count(*) FROM refund WHERE order_id = ?', [fx.order.id])[0][0], 0);
  await form.getByTestId('refund-reason').fill('盒子压坏，退这一件');
  await org.page.screenshot({ path: `${SHOTS}/org-refund-zh.png` });
  await form.getByTestId('refund-send').click();
  // The list reloads with the refund counted.
  await org.page.locator(`[data-testid=problem][data-report-id="${reportId}"] [data-testid=problem-money]`).filter({ hasText: `已退 ${yuan(piece)}` }).waitFor();
  await org.page.locator(`[data-testid=problem][data-report-id="${reportId}"] [data-testid=resolve]`).click();
  await org.page.locator(`[data-testid=problem][data-report-id="${reportId}"][data-state=resolved]`).waitFor();
  assert.deepEqual(org.errors, []);
  await org.context.close();

  // The member's order shows it.
  const mine = await pageWith(app.browser, base, fx.member);
  await mine.page.goto(`/orders/${fx.order.id}`);
  const refund = mine.page.getByTestId('refund').filter({ hasText: '盒子压坏，退这一件' });
  await refund.waitFor();
  assert.match(await refund.innerText(), new RegExp(yuan(piece).replace('.', '\\.')));
  await refund.scrollIntoViewIfNeeded();
  await mine.page.screenshot({ path: `${SHOTS}/order-refund-zh.png` });
  await mine.context.close();

  const en = await pageWith(app.browser, base, fx.member, 'en-US');
  await en.page.goto(`/orders/${fx.order.id}`);
  await en.page.getByTestId('refund').first().waitFor();
  assert.match(await en.page.getByTestId('refunds').innerText(), /Refunds[\s\S]*refunded on/);
  await en.page.getByTestId('rate-lines').scrollIntoViewIfNeeded();
  await en.page.screenshot({ path: `${SHOTS}/order-rate-en.png` });
  await en.page.goto(`/label/${code}`);
  await en.page.getByTestId('report-form').waitFor();
  await en.page.getByTestId('report').scrollIntoViewIfNeeded();
  await en.page.screenshot({ path: `${SHOTS}/label-report-en.png` });
  await en.context.close();
});

test("a printed label's QR code decodes to its trace page", async () => {
  const base = app.server.url;
  const [code, productId, householdId] = fx.pieces[0];
  const org = await pageWith(app.browser, base, fx.organiser);
  await org.page.goto(`/organise/rounds/${fx.round}/packing`);
  await org.page.getByTestId('labels-link').click();
  await org.page.getByTestId('print-label').first().waitFor();
  await org.page.getByTestId('label-household').selectOption(String(householdId));
  const sheet = org.page.locator(`[data-testid=label-sheet][data-household-id="${householdId}"]`);
  assert.ok(await sheet.isVisible());
  assert.equal(await org.page.locator('[data-testid=label-sheet]:visible').count(), 1, 'one household\'s sheet');
  const label = sheet.locator(`[data-testid=print-label][data-code="${code}"]`);
  const [[householdZh, villageZh, productZh]] = sql(
    app.server,
    'SELECT h.name_zh, v.name_zh, p.name_zh FROM household h JOIN village v ON v.id = h.village_id, product p WHERE h.id = ? AND p.id = ?',
    [householdId, productId],
  );
  const text = await label.innerText();
  for (const want of [householdZh, villageZh, productZh, `${code.slice(0, 4)}-${code.slice(4)}`]) {
    assert.ok(text.includes(want), `the label shows ${want}: ${text}`);
  }
  await org.page.screenshot({ path: `${SHOTS}/labels-zh.png` });

  // Printed, only the labels show.
  await org.page.emulateMedia({ media: 'print' });
  assert.ok(await label.isVisible());
  for (const hidden of ['header.top', '[data-testid=print-labels]', '[data-testid=label-household]']) {
    const el = org.page.locator(hidden).first();
    if (await el.count()) assert.equal(await el.isVisible(), false, `${hidden} is not printed`);
  }
  await org.page.screenshot({ path: `${SHOTS}/labels-print-zh.png`, fullPage: true });
  await org.page.emulateMedia({ media: 'screen' });

  // The QR picture as pixels, drawn in the page, then decoded here.
  const img = label.getByTestId('label-qr');
  const pixels = await img.evaluate(async (el) => {
    await el.decode();
    const size = 400;
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(el, 0, 0, size, size);
    return { size, data: Array.from(ctx.getImageData(0, 0, size, size).data) };
  });
  const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.size, pixels.size);
  assert.ok(decoded, 'the QR code decodes');
  assert.equal(decoded.data, `${base}/label/${code}`);
  await org.context.close();

  // Scanned: the trace page of that piece.
  const phone = await pageWith(app.browser, base, null);
  await phone.page.goto(decoded.data);
  await phone.page.getByTestId('label').waitFor();
  assert.match(await phone.page.getByTestId('label').innerText(), new RegExp(`${code.slice(0, 4)}-${code.slice(4)}`));
  assert.match(await phone.page.getByTestId('label-household').innerText(), new RegExp(householdZh));
  assert.deepEqual(phone.errors, []);
  await phone.context.close();

  const en = await pageWith(app.browser, base, fx.organiser, 'en-US');
  await en.page.goto(`/organise/rounds/${fx.round}/labels?household=${householdId}`);
  await en.page.getByTestId('print-label').first().waitFor();
  assert.equal(await en.page.locator('[data-testid=label-sheet]:visible').count(), 1, 'the link picks the household');
  await en.page.screenshot({ path: `${SHOTS}/labels-en.png` });
  await en.page.goto('/organise/v/liu/problems');
  await en.page.getByTestId('problem').first().waitFor();
  await en.page.screenshot({ path: `${SHOTS}/org-problems-en.png` });
  await en.context.close();
});
