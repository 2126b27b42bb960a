// Service worker: lets the app open and show what it last saw with no
// network, so a shopper on a bad connection can still reload, see the cart
// and the orders waiting to be sent. Orders themselves are kept by the app
// in localStorage, not here.
//
// The shop is three wasm bundles (browsing, orders and account, visits; see
// domain::bundle). Once a page has loaded, it asks this worker to fetch the
// other bundles in the background, so moving between them works offline
// and costs no wait later.
const CACHE = 'storefront-v3';
// Public catalogue reads only; personal data (/api/me, /api/orders) is
// never cached here.
const CACHEABLE_API = /^\/api\/(villages|products|households)(\/|$)/;
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/;

// The page of each shop bundle, by its routes: Bundle::routes in
// domain/src/bundle.rs, whose tests check that this list is the same.
// `:name` stands for any one segment; any other path is the browsing
// bundle's (its 404 page). tests/bundles.test.mjs checks that the server
// answers the same page.
const BUNDLE_ROUTES = {
  '/index.html': ['/', '/v/:slug', '/v/:slug/h/:id', '/p/:id'],
  '/app/account/index.html': ['/cart', '/orders', '/orders/:id', '/login', '/join', '/me', '/label/:code'],
  '/app/visit/index.html': ['/v/:slug/visit', '/trips', '/trips/:id'],
};
const BUNDLE_PAGES = Object.keys(BUNDLE_ROUTES);
// The one workspace page used where there may be no signal: the pickup
// list at a distribution point (Bundle::OrganiseRounds; domain/src/bundle.rs
// checks this table). Its bundle's page and files are kept here once an
// organiser has opened it, so a reload with no network still works; its
// data is kept by the app in localStorage. The rest of the workspace is
// used online and left alone.
const OFFLINE_WORKSPACE = {
  '/organise/app/rounds/index.html': ['/organise/rounds/:id/pickup'],
};
const segments = (path) => path.split('/').filter((x) => x);
function bundlePage(path) {
  const s = segments(path);
  const fits = (route) => {
    const r = segments(route);
    return r.length === s.length && r.every((x, i) => x.startsWith(':') || x === s[i]);
  };
  return BUNDLE_PAGES.find((page) => BUNDLE_ROUTES[page].some(fits)) ?? '/index.html';
}
function routeFits(path) {
  const s = segments(path);
  return (route) => {
    const r = segments(route);
    return r.length === s.length && r.every((x, i) => x.startsWith(':') || x === s[i]);
  };
}
// The kept workspace page of a path, or null.
function workspacePage(path) {
  const fits = routeFits(path);
  return Object.keys(OFFLINE_WORKSPACE).find((page) => OFFLINE_WORKSPACE[page].some(fits)) ?? null;
}
// Where a kept workspace page's files are served from.
const workspaceDir = (page) => page.slice(0, page.lastIndexOf('/') + 1);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The hashed files a page uses: its links, and the paths its loader
// script names (the browsing page imports its app itself). Release pages
// are minified, so attribute values may be unquoted.
function hashedFiles(html) {
  const files = [];
  for (const [, q, bare, named] of html.matchAll(/(?:href|src)=(?:"([^"]+)"|([^\s"'>]+))|'(\/[^'\s]+)'/g)) {
    const path = new URL(q || bare || named, self.location.origin).pathname;
    if (HASHED.test(path)) files.push(path);
  }
  return files;
}

// Fetches each page and whatever of its files is not cached yet.
async function keep(cache, pages, wanted) {
  for (const page of pages) {
    const response = await fetch(page, { cache: 'no-cache' });
    if (!response.ok) continue;
    const html = await response.clone().text();
    await cache.put(page, response);
    for (const path of hashedFiles(html)) {
      wanted.add(path);
      if (!(await cache.match(path))) {
        const asset = await fetch(path);
        if (asset.ok) await cache.put(path, asset);
      }
    }
  }
}

// Fetches every shop bundle's page and its files (with `workspace`, the
// kept workspace pages instead), then drops hashed files no kept page uses
// (older builds).
async function precache(workspace) {
  const cache = await caches.open(CACHE);
  const wanted = new Set();
  const pages = workspace ? Object.keys(OFFLINE_WORKSPACE) : BUNDLE_PAGES;
  await keep(cache, pages, wanted);
  const others = workspace ? BUNDLE_PAGES : Object.keys(OFFLINE_WORKSPACE);
  for (const page of others) {
    const kept = await cache.match(page);
    if (kept) for (const path of hashedFiles(await kept.text())) wanted.add(path);
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !wanted.has(path)) await cache.delete(request);
  }
}

let precaching = null;
self.addEventListener('message', (event) => {
  if (event.data !== 'precache' && event.data !== 'precache-workspace') return;
  const workspace = event.data === 'precache-workspace';
  // One run at a time; a failed run (offline) is tried again next load.
  precaching ??= precache(workspace).catch(() => {}).finally(() => { precaching = null; });
  event.waitUntil(precaching);
});

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(cacheKey);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The organisers' workspace is used online, but for the pickup page.
  if (url.pathname === '/organise' || url.pathname.startsWith('/organise/')) {
    const page = request.mode === 'navigate' && workspacePage(url.pathname);
    if (page) {
      event.respondWith(networkFirst(request, page));
    } else if (HASHED.test(url.pathname)
      && Object.keys(OFFLINE_WORKSPACE).some((p) => url.pathname.startsWith(workspaceDir(p)))) {
      event.respondWith(cacheFirst(request));
    }
    return;
  }
  if (request.mode === 'navigate') {
    // Every page of a bundle is the same HTML; the app routes on the client.
    event.respondWith(networkFirst(request, bundlePage(url.pathname)));
  } else if (url.pathname.startsWith('/api/')) {
    if (CACHEABLE_API.test(url.pathname)) event.respondWith(networkFirst(request, request));
  } else if (HASHED.test(url.pathname)) {
    // Hashed build output never changes under the same name.
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, request));
  }
});
