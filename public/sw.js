// Service worker: lets the app open and show what it last saw with no
// network, so a shopper on a bad connection can still reload, see the cart
// and the orders waiting to be sent. Orders themselves are kept by the app
// in localStorage, not here.
const CACHE = 'storefront-v2';
// Public catalogue reads only; personal data (/api/me, /api/orders) is
// never cached here.
const CACHEABLE_API = /^\/api\/(villages|products|households)(\/|$)/;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
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
  // The organisers' workspace is another app (organise.html) used online;
  // caching its page under /index.html would replace the shop offline.
  if (url.pathname === '/organise' || url.pathname.startsWith('/organise/')) return;
  if (request.mode === 'navigate') {
    // Every page is the same index.html; the app routes on the client.
    event.respondWith(networkFirst(request, '/index.html'));
  } else if (url.pathname.startsWith('/api/')) {
    if (CACHEABLE_API.test(url.pathname)) event.respondWith(networkFirst(request, request));
  } else if (/-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/.test(url.pathname)) {
    // Hashed build output never changes under the same name.
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, request));
  }
});
