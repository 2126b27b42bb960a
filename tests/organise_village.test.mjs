// The village's own administration in headless Chromium at 390×844
// against the real server: an organiser adds a household with a photo and
// the shop shows it (household page and the village's household card,
// img with srcset); edits the village tagline and sees it in the shop;
// adds a pickup point and closes it, in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';

const app = useServerAndBrowser();

async function organiserLogin(page) {
  await page.goto('/organise');
  await page.getByTestId('org-login-form').waitFor();
  await page.locator('input[name=login]').fill('liu-organiser-2');
  await page.locator('input[name=password]').fill('demo-organiser-2');
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('org-village').first().waitFor();
}

/** A small real JPEG, drawn by the browser. */
async function drawnJpeg(page) {
  return Buffer.from(await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1600; c.height = 1200;
    const g = c.getContext('2d');
    g.fillStyle = '#7a4b2a'; g.fillRect(0, 0, 1600, 1200);
    g.fillStyle = '#f0e6c8'; g.fillRect(400, 300, 800, 600);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }), 'base64');
}

test('an organiser adds a household with a photo; the shop shows it on its page and its card', async () => {
  const { page, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await organiserLogin(page);
  await page.getByTestId('org-village').first().click();
  await page.getByTestId('org-households').click();
  await page.getByTestId('org-household').first().waitFor();
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  // Nothing typed: each field says what is wrong, nothing is sent.
  await page.getByTestId('save-household').click();
  await page.getByTestId('field-error').first().waitFor();
  assert.match(await page.getByTestId('household-form').innerText(), /中文姓名 \(不能为空\)/);
  await page.getByTestId('name-zh').fill('王秀英（示例）');
  await page.getByTestId('name-en').fill('Wang Xiuying (demo)');
  await page.getByTestId('story-zh').fill('养了三十只土鸡。');
  await page.getByTestId('story-en').fill('Keeps thirty hens.');
  await page.getByTestId('joined-year').fill('2016');
  await page.getByTestId('household-product').first().check();
  await page.getByTestId('registered-poor').check();
  await page.getByTestId('save-household').click();
  await page.waitForURL(/\/organise\/v\/liu\/households\/\d+\?saved=1/);
  await page.getByTestId('photos').waitFor();
  await page.getByTestId('saved').waitFor();
  const id = Number(new URL(page.url()).pathname.split('/').pop());

  const jpeg = await drawnJpeg(page);
  await page.getByTestId('photo-file').setInputFiles({ name: 'hens.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.getByTestId('photo-done').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('photo').count(), 1);

  const detail = await getJson(`${app.server.url}/api/households/${id}`);
  assert.equal(detail.photos.length, 1);
  assert.deepEqual(detail.photos[0].versions.map((v) => v.width), [320, 640, 1280]);
  assert.ok(!JSON.stringify(detail).includes('poor'), 'the flag stays in the workspace');

  // The shop: the household's page and its card on the village page.
  const shop = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await shop.page.goto(`/v/liu/h/${id}`);
  await shop.page.getByTestId('household').waitFor();
  assert.match(await shop.page.locator('h1').innerText(), /王秀英（示例）/);
  const img = shop.page.locator('[data-testid=household] img[data-testid=household-photo]');
  assert.match(await img.getAttribute('srcset'), /\/api\/village-photos\/\d+\/320\.jpg 320w, .*640\.jpg 640w, .*1280\.jpg 1280w/);
  await shop.page.waitForFunction(() => {
    const i = document.querySelector('[data-testid=household] img');
    return i && i.complete && i.naturalWidth > 0;
  });
  await shop.page.goto('/v/liu');
  const card = shop.page.locator(`a[href="/v/liu/h/${id}"]`);
  await card.waitFor();
  assert.match(await card.locator('img').getAttribute('srcset'), /\/api\/village-photos\/\d+\/320\.jpg 320w/);
  assert.deepEqual(shop.errors, []);
  assert.deepEqual(errors, []);
  await shop.context.close();
});

test('in English, an organiser edits the tagline, adds a pickup point and closes it', async () => {
  const { page, context, errors } = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await organiserLogin(page);
  await page.getByTestId('org-village').first().click();
  await page.getByTestId('org-village-page').click();
  await page.getByTestId('village-form').waitFor();
  assert.match(await page.locator('h1').innerText(), /Village page and pickup points/);

  // A percent out of range is named, and nothing is saved.
  await page.getByTestId('percent').fill('25');
  await page.getByTestId('save-village').click();
  await page.getByTestId('field-error').first().waitFor();
  assert.match(await page.getByTestId('village-form').innerText(), /10 to 20/);
  await page.getByTestId('percent').fill('15');
  await page.getByTestId('tagline-en').fill('Eggs from the hens we know by name');
  await page.getByTestId('tagline-zh').fill('认得名字的鸡下的蛋');
  await page.getByTestId('save-village').click();
  await page.getByTestId('saved').waitFor();

  const shop = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await shop.page.goto('/v/liu');
  await shop.page.locator('.tagline', { hasText: 'Eggs from the hens we know by name' }).waitFor();

  // The demo rounds ahead are served by every point (none chosen), so a
  // new point would serve them too; they are given today's points first.
  const ahead = await getJson(`${app.server.url}/api/villages/liu`);
  const pointIds = ahead.distribution_points.map((p) => p.id);
  for (const r of ahead.upcoming_rounds) {
    const status = await page.evaluate(async ({ id, ids }) => (await fetch(`/api/organise/rounds/${id}/points`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'storefront' },
      body: JSON.stringify({ point_ids: ids }),
    })).status, { id: r.id, ids: pointIds });
    assert.equal(status, 200, `round ${r.id}`);
  }

  // A new point: a window backwards is refused, then it is saved.
  const points = page.getByTestId('org-point');
  const before = await points.count();
  await page.getByTestId('new-point').click();
  const form = page.getByTestId('point-form');
  await form.getByTestId('point-name-zh').fill('望京小区（示例）');
  await form.getByTestId('point-name-en').fill('Wangjing estate (demo)');
  await form.getByTestId('point-address-zh').fill('北京朝阳区望京西路 1 号');
  await form.getByTestId('point-address-en').fill('1 Wangjing West Rd, Beijing');
  await form.getByTestId('pickup-from').fill('11:00');
  await form.getByTestId('pickup-to').fill('09:00');
  await form.getByTestId('save-point').click();
  await form.getByTestId('field-error').waitFor();
  assert.match(await form.innerText(), /must be later than the start/);
  await form.getByTestId('pickup-to').fill('12:30');
  await form.getByTestId('save-point').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=org-point]').length === n + 1, before);
  const added = points.filter({ hasText: 'Wangjing estate (demo)' });
  assert.match(await added.innerText(), /11:00–12:30/);
  let village = await getJson(`${app.server.url}/api/villages/liu`);
  assert.ok(village.distribution_points.some((p) => p.name.en === 'Wangjing estate (demo)'));

  // Closed, after a confirmation: kept in the list, gone from the shop.
  await added.getByTestId('edit-point').click();
  await added.getByTestId('close-point').click();
  await added.getByTestId('close-confirm').waitFor();
  assert.match(await added.getByTestId('close-confirm').innerText(), /no new round, member or order/);
  await added.getByTestId('close-yes').click();
  await page.locator('[data-testid=org-point][data-closed=true]', { hasText: 'Wangjing estate (demo)' }).getByTestId('point-closed').waitFor();
  village = await getJson(`${app.server.url}/api/villages/liu`);
  assert.ok(!village.distribution_points.some((p) => p.name.en === 'Wangjing estate (demo)'));

  // A point the open round uses cannot close: the message names the round.
  const inUse = village.open_round.point_ids[0];
  const used = village.distribution_points.find((p) => p.id === inUse);
  const row = points.filter({ hasText: used.name.en });
  await row.getByTestId('edit-point').click();
  await row.getByTestId('close-point').click();
  await row.getByTestId('close-yes').click();
  await row.getByTestId('save-error').or(row.getByTestId('field-error')).first().waitFor();
  assert.match(await row.innerText(), new RegExp(village.open_round.round.distribution_day));

  // The change log names what was changed, in words.
  await page.goto('/organise/v/liu/log');
  await page.locator('[data-testid=log-entry][data-entity=point]', { hasText: 'Pickup point' }).first().waitFor();
  assert.match(await page.locator('[data-testid=log-entry][data-entity=village]').first().innerText(), /Village page/);
  assert.deepEqual(errors, []);
  await shop.context.close();
  await context.close();
});
