#!/usr/bin/env node
// Times a cold first load of a few pages on an emulated slow phone network
// (400 ms latency, 50 KB/s down, 20 KB/s up; no cache, no service worker)
// in headless Chromium at 390×844 against the release server: from the
// start of navigation until the page's content shows. A measurement, not a
// test: run after scripts/build.sh.
//   node scripts/measure-slow-load.mjs
import { startServer, launchBrowser, phonePage } from '../tests/support/harness.mjs';

const PAGES = [
  ['/', '[data-testid=village-card]'],
  ['/v/liu', '[data-testid=year-grid]'],
  ['/cart', '[data-testid=cart-empty]'],
  ['/trips', 'h1'],
];

const server = await startServer();
const browser = await launchBrowser();
try {
  for (const [path, shown] of PAGES) {
    const { page, context } = await phonePage(browser, { locale: 'zh-CN', baseURL: server.url, serviceWorkers: 'block' });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 400, downloadThroughput: 50 * 1024, uploadThroughput: 20 * 1024,
    });
    const start = Date.now();
    await page.goto(path, { waitUntil: 'commit' });
    await page.locator(shown).first().waitFor({ timeout: 120_000 });
    console.log(`${path.padEnd(10)} content after ${((Date.now() - start) / 1000).toFixed(1)} s`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  server.cleanup();
}
