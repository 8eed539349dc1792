// Dianhong service worker: the app opens with the network off after one
// online visit.
//
// - One versioned cache holds the page and the content-hashed .js/.wasm/glue/
//   UI font (the list comes from the dist assembly, web/DIST-PLACEHOLDERS.md);
//   they are served cache-first. The full font is cached when first fetched
//   (and fetched once after activation) and kept across versions.
// - /api/ is network-only: sync must never be answered from a cache.
// - A new version waits (no skipWaiting on install): the page shows the update
//   prompt, flushes storage, then posts {type:'skipWaiting'}; it reloads on
//   controllerchange.
'use strict';

const VERSION = '@DH_VERSION@';
const listed = '@DH_PRECACHE@';  // comma-separated URLs relative to this file
const PRECACHE = listed[0] === '@'
  ? ['./', 'index.html', 'glue.js', 'dianhong.js', 'dianhong.wasm', 'dh-ui.otf', 'manifest.webmanifest']
  : listed.split(',').filter((s) => s.length > 0);
const FULL_FONT_NAME = '@DH_FONT_FULL@'[0] === '@' ? 'dh-full.otf' : '@DH_FONT_FULL@';
const APP_CACHE = 'dianhong-app-' + VERSION;
const FONT_CACHE = 'dianhong-fonts';

const scopeUrl = (p) => new URL(p, self.registration.scope).href;

self.addEventListener('install', (event) => {
  // Static routes (browsers with the service worker static routing API): the
  // browser answers these itself, without starting this worker or running
  // its fetch handler: the page at the scope's root and the precached files
  // from this version's cache (a miss goes to the network, as the handler
  // would), /api/ and the check-in page from the network. On a reload the
  // page then loads with no service worker at all (its start and one fetch
  // event per file were on the reload's critical path). Everything else
  // (a page address with a query, the full font) goes to the fetch handler.
  if (typeof event.addRoutes === 'function' && typeof URLPattern === 'function') {
    const cached = { cacheName: APP_CACHE };
    const path = (p) => new URL(p, self.registration.scope).pathname;
    const routes = [
      { condition: { urlPattern: new URLPattern({ pathname: path('./'), search: '' }), requestMethod: 'GET', requestMode: 'navigate' },
        source: cached },
      { condition: { urlPattern: new URLPattern({ pathname: path('api/*') }) }, source: 'network' },
      { condition: { urlPattern: new URLPattern({ pathname: path('checkin.html') }) }, source: 'network' },
    ];
    for (const p of PRECACHE) {
      if (p === './' || p === 'index.html') continue;
      routes.push({ condition: { urlPattern: new URLPattern({ pathname: path(p), search: '' }), requestMethod: 'GET' },
                    source: cached });
    }
    try {
      event.addRoutes(routes).catch((err) => console.warn('dianhong sw: static routes not added', err));
    } catch (err) {
      console.warn('dianhong sw: static routes not added', err);
    }
  }
  event.waitUntil(caches.open(APP_CACHE).then((c) => c.addAll(PRECACHE.map((p) => new Request(scopeUrl(p), { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('dianhong-app-') && name !== APP_CACHE) await caches.delete(name);
    }
    const fonts = await caches.open(FONT_CACHE);
    const fullUrl = scopeUrl(FULL_FONT_NAME);
    for (const req of await fonts.keys()) {
      if (req.url !== fullUrl) await fonts.delete(req);  // an older full font
    }
    await self.clients.claim();
    // Keep the rare-character font for offline use even if the first page
    // fetched it before this worker controlled it. Not awaited by activation.
    fonts.match(fullUrl).then((hit) => hit || fonts.add(fullUrl)).catch(() => {});
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;  // network-only

  // The QR check-in page (docs/qr-checkin.md) is its own page and needs the
  // network anyway: never answer it with the app.
  if (url.pathname.endsWith('/checkin.html')) return;
  if (req.mode === 'navigate') {
    event.respondWith(caches.open(APP_CACHE).then((c) => c.match(scopeUrl('index.html')))
      .then((hit) => hit || fetch(req)));
    return;
  }
  if (url.href === scopeUrl(FULL_FONT_NAME)) {
    event.respondWith(caches.open(FONT_CACHE).then(async (c) => {
      const hit = await c.match(url.href);
      if (hit) return hit;
      const resp = await fetch(req);
      if (resp.ok) await c.put(url.href, resp.clone());
      return resp;
    }));
    return;
  }
  event.respondWith(caches.open(APP_CACHE).then(async (c) => {
    const hit = await c.match(req, { ignoreSearch: true });
    if (hit) return hit;
    return fetch(req);
  }));
});
