// A village started from nothing, in headless Chromium at 390×844 against
// the real server with no demo data (STOREFRONT_DEMO=0): the admin command
// makes the village and its organiser, who changes the one-time password
// and then gives it, from the workspace only, a pickup point, a household,
// a product and a round with the household's supply. The shop then shows
// them, and a shopper could order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useServerAndBrowser, phonePage, getJson, ROOT } from './support/harness.mjs';

const app = useServerAndBrowser(undefined, { env: { STOREFRONT_DEMO: '0' } });

/** 'YYYY-MM-DD' in Asia/Shanghai, `days` from today. */
function shanghaiDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);
}

test('an empty storefront: a village made by the admin command gets its first point, household, product and round from the workspace', async () => {
  // Nothing at all to start with.
  assert.deepEqual(await getJson(`${app.server.url}/api/villages`), []);

  const out = execFileSync(join(ROOT, 'target', 'release', 'api'), [
    'admin', 'create-village', '--slug', 'qingshan', '--name-zh', '青山村', '--name-en', 'Qingshan', '--organiser', 'qingshan-1',
  ], { env: { ...process.env, STOREFRONT_DB: join(app.server.dir, 'test.sqlite3'), RUST_LOG: 'warn' } }).toString();
  const password = out.match(/^password: (\S+)$/m)?.[1];
  assert.ok(password, out);

  const { page, context, errors } = await phonePage(app.browser, { locale: 'zh-CN', baseURL: app.server.url });
  await page.goto('/organise/v/qingshan');
  await page.getByTestId('org-login-form').waitFor();
  await page.locator('input[name=login]').fill('qingshan-1');
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-testid=org-login-form] button[type=submit]').click();
  const pw = page.getByTestId('password-form');
  await pw.waitFor();
  await pw.locator('input[name=new_password]').fill('qingshan hills 2026');
  await pw.locator('input[name=repeat]').fill('qingshan hills 2026');
  await page.getByTestId('password-submit').click();
  await page.waitForURL((u) => u.pathname === '/organise/v/qingshan');

  // The village page: its story and a pickup point.
  await page.getByTestId('org-village-page').click();
  await page.getByTestId('village-form').waitFor();
  // The command left the texts empty: saving names what is missing.
  await page.getByTestId('save-village').click();
  await page.getByTestId('field-error').first().waitFor();
  await page.getByTestId('tagline-zh').fill('山里的核桃和土鸡蛋');
  await page.getByTestId('tagline-en').fill('Walnuts and eggs from the hills');
  await page.getByTestId('region-zh').fill('河北太行山区（示例）');
  await page.getByTestId('region-en').fill('Taihang Mountains, Hebei (demo)');
  await page.getByTestId('story-zh').fill('一个示例村子，十几户人家。');
  await page.getByTestId('story-en').fill('A demo village of a dozen households.');
  await page.getByTestId('save-village').click();
  await page.getByTestId('saved').waitFor();
  await page.getByTestId('new-point').click();
  const point = page.getByTestId('point-form');
  await point.getByTestId('point-name-zh').fill('朝阳社区中心（示例）');
  await point.getByTestId('point-name-en').fill('Chaoyang community centre (demo)');
  await point.getByTestId('point-address-zh').fill('北京朝阳区示例路 8 号');
  await point.getByTestId('point-address-en').fill('8 Demo Rd, Chaoyang, Beijing');
  await point.getByTestId('pickup-from').fill('09:00');
  await point.getByTestId('pickup-to').fill('11:30');
  await point.getByTestId('save-point').click();
  await page.getByTestId('org-point').filter({ hasText: '朝阳社区中心（示例）' }).waitFor();

  // A household, which has no products yet.
  await page.goto('/organise/v/qingshan/households');
  await page.getByTestId('no-households').waitFor();
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  await page.getByTestId('name-zh').fill('赵春梅（示例）');
  await page.getByTestId('name-en').fill('Zhao Chunmei (demo)');
  await page.getByTestId('story-zh').fill('家里有二十棵核桃树。');
  await page.getByTestId('story-en').fill('Twenty walnut trees behind the house.');
  await page.getByTestId('joined-year').fill('2026');
  await page.getByTestId('save-household').click();
  await page.waitForURL(/\/organise\/v\/qingshan\/households\/\d+/);
  await page.getByTestId('saved').waitFor();
  const householdId = Number(new URL(page.url()).pathname.split('/').pop());

  // A product made by that household, published.
  await page.goto('/organise/v/qingshan/products/new');
  await page.getByTestId('product-form').waitFor();
  await page.getByTestId('name-zh').fill('山核桃（示例）');
  await page.getByTestId('name-en').fill('Hill walnuts (demo)');
  await page.getByTestId('price').fill('45');
  await page.locator(`[data-testid=household][data-household="${householdId}"]`).check();
  await page.getByTestId('published').check();
  await page.getByTestId('save-product').click();
  await page.waitForURL((u) => /\/organise\/v\/qingshan\/products\/\d+$/.test(u.pathname));
  await page.getByTestId('saved').waitFor();
  const productId = Number(new URL(page.url()).pathname.split('/').pop());

  // A round open now, served by the new point, with the household's supply.
  await page.goto('/organise/v/qingshan/rounds');
  await page.getByTestId('new-round-open').click();
  const form = page.getByTestId('new-round-form');
  await form.locator('input[type=checkbox]').first().waitFor();
  await form.locator('input[name=opens_at]').fill(`${shanghaiDate(-1)}T08:00`);
  await form.locator('input[name=deadline]').fill(`${shanghaiDate(3)}T20:00`);
  await form.locator('input[name=distribution_day]').fill(shanghaiDate(5));
  await form.locator('input[type=checkbox]').first().check();
  await page.getByTestId('create-round').click();
  await page.waitForURL((u) => /^\/organise\/rounds\/\d+$/.test(u.pathname));
  const card = page.locator(`[data-testid=round-product][data-product-id="${productId}"]`);
  await card.waitFor();
  await card.locator(`[data-household-id="${householdId}"]`).fill('12');
  await page.getByTestId('save-supplies').click();
  await page.getByTestId('saved').waitFor();
  assert.deepEqual(errors, []);

  // The shop shows all of it.
  const village = await getJson(`${app.server.url}/api/villages/qingshan`);
  assert.equal(village.tagline.zh, '山里的核桃和土鸡蛋');
  assert.deepEqual(village.households.map((h) => h.id), [householdId]);
  assert.deepEqual(village.products.map((p) => p.id), [productId]);
  assert.equal(village.open_round.round.distribution_day, shanghaiDate(5));
  const shop = await phonePage(app.browser, { locale: 'en-US', baseURL: app.server.url });
  await shop.page.goto('/');
  await shop.page.locator('a[href="/v/qingshan"]').first().click();
  await shop.page.getByText('Walnuts and eggs from the hills').waitFor();
  await shop.page.getByText('Hill walnuts (demo)').first().waitFor();
  await shop.page.getByText('Zhao Chunmei (demo)').first().waitFor();
  await shop.page.goto(`/p/${productId}`);
  await shop.page.getByTestId('price').waitFor();
  assert.match(await shop.page.getByTestId('price').innerText(), /¥45\.00/);
  assert.deepEqual(shop.errors, []);
  await shop.context.close();
  await context.close();
});
