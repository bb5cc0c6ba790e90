/* gridgov field app service worker: keeps the shell, the worker's pages and today's
   work usable offline. Pages are network-first (fresh when online, the last copy when
   not); static files cache-first. Writes never go through here: the pages keep them
   in an IndexedDB outbox (field.js) and replay them when the network returns. */
"use strict";

const VERSION = "gridgov-field-v1";
const SHELL = [
  "/field",
  "/static/css/app.css",
  "/static/css/crisis.css",
  "/static/js/field.js",
  "/static/vendor/htmx/htmx.min.js",
  "/static/favicon.svg",
  "/manifest.webmanifest",
];
// Pages kept for offline use: the field home, check-in lists, case lists and cases.
const PAGES = [/^\/field$/, /^\/$/, /^\/regions\/\d+$/, /^\/crisis\/\d+\/checkins$/, /^\/crisis\/\d+\/board$/, /^\/cases$/, /^\/cases\/\d+$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) =>
      Promise.all(
        SHELL.map((url) =>
          fetch(url, { credentials: "same-origin", redirect: "manual" })
            .then((response) => (response.ok ? cache.put(url, response) : null))
            .catch(() => null)
        )
      )
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    // Logging out: personal data leaves the device (the outbox stays in IndexedDB).
    event.waitUntil(caches.delete(VERSION));
  } else if (event.data && Array.isArray(event.data.prefetch)) {
    // The field home names today's work (the grid, check-in lists, cases): keep a copy.
    const urls = event.data.prefetch
      .map((href) => new URL(href, self.location.origin))
      .filter((url) => url.origin === self.location.origin && isPage(url))
      .slice(0, 20);
    event.waitUntil(
      caches.open(VERSION).then((cache) =>
        Promise.all(
          urls.map((url) =>
            fetch(url, { credentials: "same-origin" })
              .then((response) => (response.ok && !response.redirected ? cache.put(url, response) : null))
              .catch(() => null)
          )
        )
      )
    );
  }
});

function isPage(url) {
  return PAGES.some((pattern) => pattern.test(url.pathname));
}

async function networkFirst(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = (await cache.match(request)) || (await cache.match(request, { ignoreSearch: true }));
    if (cached) return cached;
    if (request.mode === "navigate") {
      const home = await cache.match("/field");
      if (home) return home;
    }
    throw error;
  }
}

async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => null));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(request, event));
  } else if (isPage(url) || url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request));
  }
});
