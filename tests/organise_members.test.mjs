// A village's people in headless Chromium at 390×844 against the real
// server: an organiser makes an invitation code and a new family joins
// with it (listed with a masked phone); a suspended member's order is
// refused with a clear message; and a village made by `api admin
// create-village` has its organiser change the one-time password first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useServerAndBrowser, phonePage, getJson, ROOT } from './support/harness.mjs';

const app = useServerAndBrowser();

async function organiserLogin(page, login = 'liu-organiser-2', password = 'demo-organiser-2') {
  await page.goto('/organise');
  await page.getByTestId('org-login-form').waitFor();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('org-village').first().waitFor();
}

test('an organiser makes an invitation code, a new family joins with it and is listed with a masked phone', async () => {
  const org = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await organiserLogin(org.page);
  await org.page.goto('/organise/v/liu');
  await org.page.getByTestId('org-members').click();
  await org.page.getByTestId('code-form').waitFor();
  // Nothing typed: the note is named.
  await org.page.getByTestId('code-submit').click();
  await org.page.getByTestId('field-error').first().waitFor();
  await org.page.getByTestId('code-note').fill('孙家，住五号楼');
  await org.page.getByTestId('code-submit').click();
  const made = org.page.getByTestId('made-code');
  await made.waitFor();
  const code = await made.getAttribute('data-code');
  assert.match(code, /^[A-Z2-9]{8}$/);
  await org.page.locator(`[data-testid=code-row][data-code="${code}"]`).waitFor();

  const family = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await family.page.goto(`/join?code=${code}`);
  await family.page.locator('input[name=name]').fill('孙小红');
  await family.page.locator('input[name=phone]').fill('139 1111 4321');
  await family.page.locator('select[name=default_point_id] option').first().waitFor({ state: 'attached' });
  await family.page.locator('input[name=password]').fill('sun-family-pw');
  await family.page.locator('[data-testid=join-form] button[type=submit]').click();
  await family.page.waitForURL((u) => u.pathname === '/');

  await org.page.reload();
  const row = org.page.getByTestId('member').filter({ hasText: '孙小红' });
  await row.waitFor();
  assert.equal(await row.getByTestId('member-phone').innerText(), '*******4321');
  assert.doesNotMatch(await org.page.locator('main').innerText(), /13911114321/);
  const codeRow = org.page.locator(`[data-testid=code-row][data-code="${code}"]`);
  assert.equal(await codeRow.getAttribute('data-status'), 'used');
  assert.deepEqual([...org.errors, ...family.errors], []);
  await org.context.close();
  await family.context.close();
});

test('a suspended member cannot order: the order is refused saying why, and so is their login', async () => {
  const village = await getJson(`${app.server.url}/api/villages/liu`);
  const stock = village.open_round.stock.find((s) => s.remaining >= 2);
  assert.ok(stock, 'some product has stock');
  const shopper = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await shopper.page.goto('/login');
  await shopper.page.locator('input[name=phone]').fill('13800000003');
  await shopper.page.locator('input[name=password]').fill('demo-password-3');
  await shopper.page.locator('[data-testid=login-form] button[type=submit]').click();
  await shopper.page.waitForURL((u) => u.pathname === '/');
  await shopper.page.goto(`/p/${stock.product_id}`);
  await shopper.page.getByTestId('add-to-cart').click();
  await shopper.page.getByTestId('tab-cart').click();
  await shopper.page.getByTestId('place-order').waitFor();

  // Meanwhile an organiser suspends her, after confirming.
  const org = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await organiserLogin(org.page);
  await org.page.goto('/organise/v/liu/members');
  const row = org.page.getByTestId('member').filter({ hasText: '*******0003' });
  await row.getByTestId('suspend-open').click();
  await row.getByTestId('member-confirm').waitFor();
  assert.match(await row.getByTestId('member-confirm').innerText(), /past orders stay/);
  await row.getByTestId('suspend-reason').fill('never collects');
  await row.getByTestId('member-confirm-yes').click();
  await org.page.getByTestId('saved').waitFor();
  await org.page.getByTestId('member').filter({ hasText: '*******0003' }).getByTestId('member-suspended').waitFor();

  await shopper.page.getByTestId('place-order').click();
  await shopper.page.getByTestId('banner-refused').waitFor();
  // The outbox keeps a 403 as refused, with the server's words.
  assert.match(await shopper.page.getByTestId('banner-refused').innerText(), /membership of the circle is suspended/);

  await shopper.page.goto('/login');
  await shopper.page.locator('input[name=phone]').fill('13800000003');
  await shopper.page.locator('input[name=password]').fill('demo-password-3');
  await shopper.page.locator('[data-testid=login-form] button[type=submit]').click();
  await shopper.page.getByTestId('form-error').filter({ hasText: /suspended/i }).waitFor();
  await shopper.context.close();
  await org.context.close();
});

test('a village made by the admin command: its organiser changes the one-time password before anything else', async () => {
  const out = execFileSync(join(ROOT, 'target', 'release', 'api'), [
    'admin', 'create-village', '--slug', 'shanhua', '--name-zh', '山花村', '--name-en', 'Shanhua', '--organiser', 'shanhua-1',
  ], { env: { ...process.env, STOREFRONT_DB: join(app.server.dir, 'test.sqlite3'), RUST_LOG: 'warn' } }).toString();
  const password = out.match(/^password: (\S+)$/m)?.[1];
  assert.ok(password, out);

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/organise/v/shanhua');
  await page.getByTestId('org-login-form').waitFor();
  await page.locator('input[name=login]').fill('shanhua-1');
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  await page.getByTestId('must-change-password').waitFor();
  assert.equal(await page.getByTestId('org-login-form').isVisible(), false);
  const form = page.getByTestId('password-form');
  await form.locator('input[name=new_password]').fill('shanhua own password');
  await form.locator('input[name=repeat]').fill('shanhua own pasword');
  await page.getByTestId('password-submit').click();
  await form.getByTestId('field-error').filter({ hasText: '不一样' }).waitFor();
  await form.locator('input[name=repeat]').fill('shanhua own password');
  await page.getByTestId('password-submit').click();
  await page.waitForURL((u) => u.pathname === '/organise/v/shanhua');
  await page.getByTestId('org-members').waitFor();

  // The one-time password no longer works; the new one does.
  const old = await fetch(`${app.server.url}/api/organise/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'storefront' },
    body: JSON.stringify({ login: 'shanhua-1', password }),
  });
  assert.equal(old.status, 401);
  assert.deepEqual(errors, []);
  await context.close();
});
