// The pages under the server's Content-Security-Policy: headless Chromium
// at 390×844 opens every bundle's pages, as a visitor, a member and an
// organiser, and none reports a violation. The policy is strict (no inline
// script but the page's own, by hash), so a page that worked only because
// of a loose policy would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, phonePage, getJson } from './support/harness.mjs';

const app = useServerAndBrowser();

async function visit(page, path, violations) {
  const response = await page.goto(path);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/, `${path}: ${csp}`);
  // The wasm started: the app replaced the loading shell.
  await page.waitForFunction(() => !document.getElementById('boot'), null, { timeout: 20_000 });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(violations.splice(0), [], path);
}

async function watched(options) {
  const p = await phonePage(app.browser, { baseURL: app.server.url, ...options });
  const violations = [];
  await p.page.exposeFunction('reportViolation', (v) => violations.push(v));
  await p.page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  p.page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { ...p, violations };
}

test('every bundle opens under the strict policy with no violation', async () => {
  const liu = await getJson(`${app.server.url}/api/villages/liu`);
  const product = liu.products[0].id;
  const household = liu.households[0].id;

  const visitor = await watched({ locale: 'zh-CN' });
  for (const path of ['/', '/v/liu', `/p/${product}`, `/v/liu/h/${household}`, '/no/such/page', '/login', '/v/liu/visit']) {
    await visit(visitor.page, path, visitor.violations);
  }
  assert.deepEqual(visitor.errors, []);

  const member = await watched({ locale: 'en-US' });
  const login = await member.context.request.post(`${app.server.url}/api/session`, {
    data: { phone: '13800000001', password: 'demo-password-1' },
  });
  assert.equal(login.status(), 200);
  for (const path of ['/orders', '/cart', '/me', '/trips', `/v/liu/h/${household}`]) {
    await visit(member.page, path, member.violations);
  }
  assert.deepEqual(member.errors, []);

  const organiser = await watched({ locale: 'zh-CN' });
  const orgLogin = await organiser.context.request.post(`${app.server.url}/api/organise/session`, {
    headers: { 'X-Requested-With': 'storefront' },
    data: { login: 'liu-organiser-1', password: 'demo-organiser-1' },
  });
  assert.equal(orgLogin.status(), 200, await orgLogin.text());
  const rounds = await (await organiser.context.request.get(`${app.server.url}/api/organise/villages/liu/rounds`)).json();
  for (const path of [
    '/organise', '/organise/v/liu', '/organise/v/liu/products', `/organise/v/liu/products/${product}`,
    '/organise/v/liu/rounds', `/organise/rounds/${rounds[0].round.id}`, '/organise/v/liu/households',
    '/organise/v/liu/village', '/organise/v/liu/members', '/organise/v/liu/visits', '/organise/v/liu/log',
  ]) {
    await visit(organiser.page, path, organiser.violations);
  }
  assert.deepEqual(organiser.errors, []);
});
