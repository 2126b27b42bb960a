// Organisers' product pages in headless Chromium at 390×844 against the real
// server: logging in (and the lock-out after repeated failures), editing a
// product with a preview and seeing it in the shop in both languages,
// stored script payloads shown as text, a hidden new product published,
// and the price change on the household's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';

const app = useServerAndBrowser();

async function organiserLogin(page, login = 'liu-organiser-1', password = 'demo-organiser-1') {
  await page.goto('/organise');
  await page.getByTestId('org-login-form').waitFor();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('org-village').first().waitFor();
}

/** A page that fails the test on any script dialog (an XSS would open one). */
async function guardedPage(locale) {
  const p = await phonePage(app.browser, { locale, baseURL: app.server.url });
  p.page.on('dialog', (d) => {
    p.errors.push(`dialog opened: ${d.message()}`);
    d.dismiss();
  });
  return p;
}

const XSS_ZH = '新鲜 <script>alert("zh")</script> **每天**捡\n\n- <img src=x onerror=alert(1)>\n- 第二条';
const XSS_EN = 'Fresh <script>alert("en")</script> collected **daily**\n\n- <img src=x onerror=alert(2)>\n- second';

test('an organiser edits a product with a preview; the shop shows it in both languages with stored markup as text', async () => {
  const { page, context, errors } = await guardedPage('zh-CN');
  await organiserLogin(page);
  assert.match(await page.getByTestId('org-name').innerText(), /您好/);
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const product = liu.products[0];
  await page.goto(`/organise/v/liu/products`);
  await page.getByTestId('org-product').first().waitFor();
  await page.goto(`/organise/v/liu/products/${product.id}`);
  await page.getByTestId('product-form').waitFor();
  assert.equal(await page.getByTestId('name-en').inputValue(), product.name.en);

  await page.getByTestId('name-zh').fill('演示新名字');
  await page.getByTestId('name-en').fill('Demo New Name');
  await page.getByTestId('price').fill('41.5');
  await page.getByTestId('desc-zh').fill(XSS_ZH);
  await page.getByTestId('desc-en').fill(XSS_EN);
  // The preview shows the draft before it is saved.
  await page.getByTestId('toggle-preview').click();
  const preview = page.getByTestId('preview');
  assert.match(await preview.innerText(), /演示新名字[\s\S]*¥41\.50/);
  assert.match(await preview.innerText(), /<script>alert\("zh"\)<\/script>/);
  assert.equal(await preview.locator('strong', { hasText: '每天' }).count(), 1);
  await page.getByTestId('save-product').click();
  await page.getByTestId('saved').waitFor();

  const saved = await getJson(`${app.server.url}/api/products/${product.id}`);
  assert.equal(saved.price_fen, 4150);
  assert.equal(saved.description.en, XSS_EN);

  // As a shopper, in Chinese and then in English.
  const shop = await guardedPage('zh-CN');
  await shop.page.goto(`/p/${product.id}`);
  await shop.page.getByTestId('product').waitFor();
  assert.match(await shop.page.locator('h1').innerText(), /演示新名字/);
  assert.equal(await shop.page.getByTestId('price').innerText().then((t) => t.match(/¥[\d.]+/)[0]), '¥41.50');
  const body = await shop.page.locator('main').innerText();
  assert.match(body, /<script>alert\("zh"\)<\/script>/);
  assert.match(body, /<img src=x onerror=alert\(1\)>/);
  assert.equal(await shop.page.locator('main img[src=x], main script').count(), 0, 'no element came from the stored text');
  await shop.page.getByTestId('lang-switch').click();
  await shop.page.locator('h1', { hasText: 'Demo New Name' }).waitFor();
  assert.match(await shop.page.locator('main').innerText(), /<script>alert\("en"\)<\/script> collected daily/);
  assert.equal(await shop.page.locator('main strong', { hasText: 'daily' }).count(), 1);
  assert.equal(await shop.page.locator('main ul.rich-list li').count(), 2);

  // The price change is on the household's page.
  const hh = saved.households[0];
  await shop.page.goto(`/v/liu/h/${hh.id}`);
  await shop.page.getByTestId('price-history').waitFor();
  assert.match(await shop.page.getByTestId('price-history').innerText(), /Demo New Name[\s\S]*→ ¥41\.50/);
  await shop.page.waitForTimeout(300);
  assert.deepEqual(shop.errors, []);
  await shop.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new product stays hidden until published; bad input is named by field', async () => {
  const { page, context, errors } = await guardedPage('en-US');
  await organiserLogin(page);
  await page.goto('/organise/v/liu/products/new');
  await page.getByTestId('product-form').waitFor();
  await page.getByTestId('save-product').click();
  await page.getByTestId('product-errors').waitFor();
  const form = await page.getByTestId('product-form').innerText();
  assert.match(form, /Please give a name/);
  assert.match(form, /Give an amount like 38 or 38\.50/);
  assert.match(form, /Choose at least one household/);

  await page.getByTestId('name-zh').fill('演示蜂蜜');
  await page.getByTestId('name-en').fill('Demo Honey');
  await page.getByTestId('price').fill('68');
  await page.getByTestId('all-year').uncheck();
  for (const m of [5, 6, 7]) await page.getByTestId(`month-${m}`).click();
  await page.getByTestId('household').first().check();
  await page.getByTestId('save-product').click();
  await page.waitForURL((u) => /\/organise\/v\/liu\/products\/\d+$/.test(u.pathname));
  await page.getByTestId('saved').waitFor();
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  let village = await getJson(`${app.server.url}/api/villages/liu`);
  assert.ok(!village.products.some((p) => p.id === id), 'hidden from shoppers');

  await page.getByTestId('published').check();
  await page.getByTestId('save-product').click();
  await page.getByTestId('saved').waitFor();
  village = await getJson(`${app.server.url}/api/villages/liu`);
  const shown = village.products.find((p) => p.id === id);
  assert.ok(shown, 'published');
  assert.equal(shown.price_fen, 6800);
  assert.deepEqual(shown.season, { kind: 'months', months: [5, 6, 7] });
  assert.deepEqual(errors, []);
  await context.close();
});

test('repeated wrong passwords lock the organiser login with a clear wait', async () => {
  const { page, context, errors } = await guardedPage('zh-CN');
  await page.goto('/organise/login');
  await page.locator('input[name=login]').fill('liu-organiser-3');
  for (let i = 0; i < 6; i++) {
    await page.locator('input[name=password]').fill(`wrong-password-${i}`);
    await page.locator('[data-testid=org-login-form] button[type=submit]').click();
    await page.locator('[data-testid=org-login-form] .field-error').waitFor();
  }
  await page.locator('[data-testid=org-login-form] .field-error', { hasText: '分钟后再试' }).waitFor();
  // Even the right password waits now.
  await page.locator('input[name=password]').fill('demo-organiser-3');
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.locator('[data-testid=org-login-form] .field-error', { hasText: '分钟后再试' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/organise/login');
  // Another organiser's pages stay closed to a visitor without a session.
  await page.goto('/organise/v/liu/products');
  await page.waitForURL((u) => u.pathname === '/organise/login');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an organiser uploads a photo with progress; the shop shows it with srcset and lazy loading; bad files get a clear message', async () => {
  const { page, context, errors } = await guardedPage('en-US');
  await organiserLogin(page);
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const product = liu.products[1];
  await page.goto(`/organise/v/liu/products/${product.id}`);
  await page.getByTestId('photos').waitFor();
  // A real JPEG, drawn by the browser.
  const jpeg = Buffer.from(await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 900; c.height = 600;
    const g = c.getContext('2d');
    g.fillStyle = '#2f6b3a'; g.fillRect(0, 0, 900, 600);
    g.fillStyle = '#f5d76e'; g.beginPath(); g.arc(450, 300, 200, 0, 7); g.fill();
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }), 'base64');
  // A slow uplink, so the progress bar has time to show.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: 40 * 1024 });
  await page.getByTestId('photo-file').setInputFiles({ name: 'eggs.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.getByTestId('upload-progress').waitFor();
  await page.getByTestId('photo-done').waitFor({ timeout: 20_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  assert.equal(await page.getByTestId('photo').count(), 1);

  const detail = await getJson(`${app.server.url}/api/products/${product.id}`);
  assert.equal(detail.photos.length, 1);
  const widths = detail.photos[0].versions.map((v) => v.width);
  assert.ok(widths.includes(320) && widths.includes(640) && widths.includes(900), `versions ${widths}`);

  const shop = await guardedPage('zh-CN');
  await shop.page.goto(`/p/${product.id}`);
  const img = shop.page.locator('[data-testid=gallery] img').first();
  await img.waitFor();
  assert.equal(await img.getAttribute('loading'), 'lazy');
  assert.match(await img.getAttribute('srcset'), /\/api\/photos\/\d+\/320\.jpg 320w, .*640\.jpg 640w/);
  assert.equal(await img.getAttribute('alt'), product.name.zh);
  await shop.page.waitForFunction(() => document.querySelector('[data-testid=gallery] img').naturalWidth > 0);
  // The village page's card shows it as a thumbnail.
  await shop.page.goto('/v/liu');
  const thumb = shop.page.locator(`[data-testid=product-card] a[href="/p/${product.id}"] img.thumb`);
  await thumb.waitFor({ state: 'attached' });
  assert.equal(await thumb.getAttribute('loading'), 'lazy');
  assert.match(await thumb.getAttribute('srcset'), /320\.jpg 320w/);
  await shop.context.close();

  // Text named .jpg: refused by what it is, with the server's reason.
  await page.getByTestId('photo-file').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are not the bytes of a photo') });
  await page.getByTestId('photo-error').waitFor();
  assert.match(await page.getByTestId('photo-error').innerText(), /This photo cannot be used \(.+\)/);
  // Over 10 MB: refused on the phone before a long upload.
  await page.getByTestId('photo-file').setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg, Buffer.alloc(10 * 1024 * 1024)]) });
  await page.getByTestId('photo-error').filter({ hasText: 'at most 10 MB' }).waitFor();
  assert.equal((await getJson(`${app.server.url}/api/products/${product.id}`)).photos.length, 1, 'nothing added');

  // Removing it takes it off the shop page.
  await page.getByTestId('remove-photo').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=photo]').length === 0);
  assert.equal((await getJson(`${app.server.url}/api/products/${product.id}`)).photos.length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the workspace is its own bundle: shoppers never download it, and links between the two apps load the other one', async () => {
  const { page, context, errors } = await guardedPage('en-US');
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto('/');
  await page.getByTestId('village-card').first().waitFor();
  assert.ok(requested.some((p) => /^\/storefront-[0-9a-f]+_bg\.wasm$/.test(p)), 'the shop bundle');
  assert.ok(!requested.some((p) => p.startsWith('/organise')), `nothing of the workspace: ${requested}`);

  await page.getByTestId('organiser-link').click();
  await page.getByTestId('org-login-form').waitFor();
  assert.equal(new URL(page.url()).pathname, '/organise/login');
  assert.ok(requested.some((p) => /^\/organise\/organise-[0-9a-f]+_bg\.wasm$/.test(p)), 'the workspace bundle');
  // The workspace's foot links to the shop, not to the workspace itself.
  assert.equal(await page.getByTestId('organiser-link').count(), 0);
  assert.equal(await page.getByTestId('shop-link').getAttribute('href'), '/');
  // It says what the workspace is for, not the shoppers' slogan.
  const foot = await page.locator('footer.foot').innerText();
  assert.match(foot, /Organisers' workspace/);
  assert.doesNotMatch(foot, /Know the family who grows your food/);

  // Back to the shop through the header.
  await page.locator('a.brand').click();
  await page.getByTestId('village-card').first().waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the workspace is three bundles: product pages and rounds load their own, and Back returns', async () => {
  const { page, context, errors } = await guardedPage('zh-CN');
  const wasm = [];
  page.on('request', (r) => {
    const m = new URL(r.url()).pathname.match(/^\/organise\/(?:app\/\w+\/)?(\w+)-[0-9a-f]+_bg\.wasm$/);
    if (m) wasm.push(m[1]);
  });
  await organiserLogin(page);
  assert.deepEqual(wasm, ['organise']);
  await page.getByTestId('org-village').first().click();
  await page.getByTestId('org-products').click();
  await page.getByTestId('org-product').first().waitFor();
  assert.deepEqual(wasm, ['organise', 'organise_products']);
  await page.goBack({ waitUntil: 'commit', timeout: 10_000 });
  await page.getByTestId('org-rounds').click();
  await page.waitForURL((u) => u.pathname.endsWith('/rounds'));
  await page.locator('a[href^="/organise/rounds/"]').first().waitFor();
  assert.deepEqual(wasm.slice(-1), ['organise_rounds']);
  assert.ok(!wasm.includes('storefront'), 'no shop bundle in the workspace');
  assert.deepEqual(errors, []);
  await context.close();
});
