// Screenshots of every page at 390×844 in both languages, for a person to
// look at (not a test). Run through scripts/screenshots.sh.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, phonePage, getJson, ROOT } from './harness.mjs';

const out = join(ROOT, 'tests', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
try {
  const liu = await getJson(`${server.url}/api/villages/liu`);
  const hh = liu.households[0];
  const product = liu.products.find((p) => p.category === 'eggs') ?? liu.products[0];
  const pages = [
    ['home', '/', '[data-testid=village-card]'],
    ['village', '/v/liu', '[data-testid=calendar]'],
    ['household', `/v/liu/h/${hh.id}`, '[data-testid=household]'],
    ['product', `/p/${product.id}`, '[data-testid=breakdown]'],
    ['not-found', '/v/nowhere', '[data-testid=not-found]'],
  ];
  for (const locale of ['zh-CN', 'en-US']) {
    const { page, context } = await phonePage(browser, { locale, baseURL: server.url });
    for (const [name, path, ready] of pages) {
      await page.goto(path);
      await page.locator(ready).first().waitFor();
      const file = join(out, `${name}-${locale}.png`);
      await page.screenshot({ path: file });
      await page.screenshot({ path: join(out, `${name}-${locale}-full.png`), fullPage: true });
      console.log(file);
    }
    await context.close();
  }
  // The error state: the API gone.
  const { page, context } = await phonePage(browser, { locale: 'zh-CN', baseURL: server.url });
  await page.goto('/');
  await page.locator('[data-testid=village-card]').first().waitFor();
  await server.stop();
  await page.locator('[data-testid=village-card] a').nth(1).click();
  await page.locator('[data-testid=error]').waitFor();
  await page.screenshot({ path: join(out, 'error-zh-CN.png') });
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  server.cleanup();
}
