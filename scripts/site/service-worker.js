// The static site's service worker: the course opens offline after the first visit.
//
// The build (course/static_site.py) puts this file at the site's root in place of JupyterLite's
// own, with the site's list of files and a version written in. It does two jobs:
//
// * Offline. On the learner's first visit it saves every file of the site in the browser's
//   cache, a few at a time, while the page opens; from then on each file is served from there,
//   so the site opens with the network cut. A file the page asks for first is saved as it
//   comes. A save cut short (the tab closed at once, the network lost) goes on at the next
//   visit. A new build has a new version: its worker saves the new files, and the old cache is
//   deleted once it takes over. (JupyterLite's pages register the worker again on the second
//   visit; the files saved already are not fetched again.)
//
//   The saving never holds up the worker's start. A page's Python starts a second or so after
//   the page registers the worker, and its files (the .../api/drive requests below) reach it
//   only once it is active: a worker that first saved 33 MB (as its install step) was still
//   installing on a slow or busy computer, and the page waited for ever at "Starting up
//   kernel...". So the worker takes over at once and saves in the background, kept alive by
//   the page's own requests while it does.
// * The learner's files. The Python of a page reads and writes the module folders with
//   requests to .../api/drive (JupyterLite's DriveFS); they are passed to the page, which keeps
//   the files in the browser's own storage, over the channel JupyterLite's pages listen on,
//   and its reply goes back to Python. JupyterLite's worker does this the same way.
"use strict";

const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `cps-course-${VERSION}`;
const channel = new BroadcastChannel("/sw-api.v1");

const AT_ONCE = 4; // files fetched at the same time: the page's own requests come first
const RETRY_AFTER_MS = 60_000; // a save that missed files tries again at most this often
let saving = null; // the save under way, if any
let savedAll = false;
let lastTry = 0;

async function saveOne(cache, file) {
  try {
    if (await cache.match(file)) {
      return true; // saved already: by an earlier visit, or as the page asked for it
    }
    const response = await fetch(new Request(file, { cache: "no-cache" }));
    if (response.ok) {
      await cache.put(file, response);
      return true;
    }
  } catch (error) {
    console.warn(`The course could not save ${file} for offline use yet`, error);
  }
  return false;
}

async function saveEveryFile() {
  const cache = await caches.open(CACHE);
  const waiting = [...FILES];
  let missed = 0;
  const worker = async () => {
    while (waiting.length > 0) {
      if (!(await saveOne(cache, waiting.shift()))) {
        missed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  return missed === 0;
}

function keepSaving(event) {
  // Called for each request the page makes: starts the save if none is under way, and keeps
  // the worker alive (event.waitUntil) until it is done.
  if (savedAll) {
    return;
  }
  if (!saving && Date.now() - lastTry > RETRY_AFTER_MS) {
    lastTry = Date.now();
    saving = saveEveryFile()
      .then((complete) => {
        savedAll = complete;
      })
      .finally(() => {
        saving = null;
      });
  }
  if (saving) {
    event.waitUntil(saving);
  }
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

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== location.origin) {
    return;
  }
  keepSaving(event);
  if (url.pathname.endsWith("/api/service-worker-heartbeat")) {
    event.respondWith(new Response("ok"));
  } else if (url.pathname.includes("/api/drive") || url.pathname.includes("/api/stdin/")) {
    event.respondWith(passToPage(event.request, url));
  } else if (event.request.method === "GET") {
    event.respondWith(fromCache(event.request));
  }
});
