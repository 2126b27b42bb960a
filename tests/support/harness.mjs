// Shared set-up for the browser tests: the real API server (release build,
// serving dist/) on a temporary SQLite file, and Debian's headless Chromium
// at a phone viewport.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const API_BIN = join(ROOT, 'target', 'release', 'api');
const DIST = join(ROOT, 'dist');
export const CHROMIUM = '/usr/bin/chromium';

// Without these, Chromium running as root here stalls reaching the network.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Starts the API on `addr` (default: a free port) with its database in
 * `dbDir` (default: a fresh temp folder), `env` added to its environment.
 */
export async function startServer({ addr = '127.0.0.1:0', dbDir, env = {} } = {}) {
  if (!existsSync(API_BIN)) throw new Error(`${API_BIN} is missing: run scripts/build.sh first`);
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/index.html is missing: run scripts/build.sh first');
  const dir = dbDir ?? mkdtempSync(join(tmpdir(), 'storefront-test-'));
  const child = spawn(API_BIN, [], {
    env: { ...process.env, STOREFRONT_ADDR: addr, STOREFRONT_DB: join(dir, 'test.sqlite3'), STOREFRONT_DIST: DIST, RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${out}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, dir, child, stop, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A test file's server and browser: started before its first test, stopped
 * after its last; `setup`, if given, runs once both are up. Read
 * `app.server` and `app.browser` inside tests and `setup` (they are unset
 * until then). A file's own top-level `before` may run first, so set-up
 * that needs the server goes in `setup`. `env` is added to the server's
 * environment.
 */
export function useServerAndBrowser(setup, { env } = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ env });
    browser = await launchBrowser();
    await setup?.();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });
  return {
    get server() { return server; },
    get browser() { return browser; },
  };
}

/**
 * A phone-sized page (390×844) whose browser prefers `locale`. Chromium's
 * offline emulation does not stop requests that pass through a service
 * worker, so tests that must be sure nothing leaves while "offline" pass
 * `serviceWorkers: 'block'`.
 */
export async function phonePage(browser, { locale = 'zh-CN', baseURL, serviceWorkers = 'allow' } = {}) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
    baseURL,
    serviceWorkers,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A shop page arrives drawn by the server, and the app then mounts over
  // it; tests act on the app's page, so a load waits for the mount (unless
  // the test sets `page.withoutApp` to look at the server's copy alone).
  for (const name of ['goto', 'reload']) {
    const load = page[name].bind(page);
    page[name] = async (...args) => {
      const res = await load(...args);
      if (!page.withoutApp) await page.waitForFunction(() => !document.querySelector('#boot[data-path]'));
      return res;
    };
  }
  return { context, page, errors };
}

export async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** The current month (1–12) in Asia/Shanghai. */
export function shanghaiMonth(now = new Date()) {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', month: 'numeric' }).format(now));
}

export function yuan(fen) {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
