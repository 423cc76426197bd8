// The static site's service worker: the course opens offline after the first visit.
//
// The build (course/static_site.py) puts this file at the site's root in place of JupyterLite's
// own, with the site's list of files and a version written in. It does two jobs:
//
// * Offline. When the worker is installed, on the learner's first visit, it saves every file
//   of the site in the browser's cache; from then on each file is served from there, so the
//   site opens with the network cut. A file that could not be saved then is saved the first
//   time a page asks for it. A new build has a new version: its worker saves the new files,
//   and the old cache is deleted once it takes over. (JupyterLite's pages register the worker
//   again on the second visit; the files saved already are not fetched again.)
// * The learner's files. The Python of a page reads and writes the module folders with
//   requests to .../api/drive (JupyterLite's DriveFS); they are passed to the page, which keeps
//   the files in the browser's own storage, over the channel JupyterLite's pages listen on,
//   and its reply goes back to Python. JupyterLite's worker does this the same way.
"use strict";

const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `cps-course-${VERSION}`;
const channel = new BroadcastChannel("/sw-api.v1");

async function saveEveryFile() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    FILES.map(async (file) => {
      try {
        if (await cache.match(file)) {
          return; // saved already by this version's worker, installed again by the page
        }
        const response = await fetch(new Request(file, { cache: "no-cache" }));
        if (response.ok) {
          await cache.put(file, response);
        }
      } catch (error) {
        console.warn(`The course could not save ${file} for offline use yet`, error);
      }
    }),
  );
}

async function dropOldCaches() {
  const names = await caches.keys();
  await Promise.all(
    names.filter((name) => name.startsWith("cps-course-") && name !== CACHE).map((name) => caches.delete(name)),
  );
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const saved = await cache.match(request, { ignoreSearch: true });
  if (saved) {
    return saved;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

async function passToPage(request, url) {
  const message = await request.json();
  const reply = new Promise((resolve) => {
    const listen = (event) => {
      const data = event.data;
      if (data.browsingContextId !== message.browsingContextId || data.requestId !== message.requestId) {
        return;
      }
      channel.removeEventListener("message", listen);
      resolve(new Response(JSON.stringify(data.response)));
    };
    channel.addEventListener("message", listen);
  });
  message.pathname = url.pathname;
  channel.postMessage(message);
  return await reply;
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(saveEveryFile());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== location.origin) {
    return;
  }
  if (url.pathname.endsWith("/api/service-worker-heartbeat")) {
    event.respondWith(new Response("ok"));
  } else if (url.pathname.includes("/api/drive") || url.pathname.includes("/api/stdin/")) {
    event.respondWith(passToPage(event.request, url));
  } else if (event.request.method === "GET") {
    event.respondWith(fromCache(event.request));
  }
});
