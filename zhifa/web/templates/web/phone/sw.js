/* Service worker of the officer's phone (scope /m/). Keeps what the phone needs to work without a network;
 * the page's own script (phone.js) queues what is submitted while the phone knows it is offline.
 *
 * Pages: network first (tasks change all the time). Each phone page names the officer it was made for (the
 * X-Zhifa-User header) and is kept in that officer's own cache. When the server answers for someone else
 * (another officer signed in on the same phone, e.g. after a session ran out), or sends the sign-in page
 * (nobody is signed in), the pages kept for anyone else are deleted before anything is kept: offline, an
 * officer is shown only pages made for them. A page opened straight from the sign-in page is never answered
 * from the cache: whoever just signed in may not be the officer whose pages are kept. A page not kept for the
 * officer is answered with a short offline page built into this script (never with another page).
 * Forms: a handling report, finding, acknowledgement or arrival posted while the phone believes it is online, whose
 * request then fails, goes into phone.js's outbox (IndexedDB) for the officer whose pages these are; the
 * phone goes back to the page it came from and phone.js says it is kept, and sends it later as any queued
 * item; the form's observed_at (the moment it was submitted) is kept with it, so the server times it then.
 * Whether a lost answer means the server took it is settled when it is sent again: the services take a copy
 * of a handling report, acknowledgement or arrival that arrived as arrived, and a finding's client key makes it one.
 * Limits: only pages visited while online are available offline; data never leaves this phone until it is
 * back online; a browser that clears site data loses the queue. */
{% load static %}var VERSION = "zhifa-phone-v2";
var ASSETS_CACHE = VERSION + "-assets";
var PAGES = VERSION + "-pages-";  // + the user's id: one cache per officer, at most one kept at a time
var SHELL = {{ shell_json|safe }};
var QUEUED = {{ queued_json|safe }};
var LOGIN = {{ login_json|safe }};
var USER_HEADER = {{ user_header_json|safe }};
var OFFLINE_PAGE = {{ offline_json|safe }};
var STATIC = "{% get_static_prefix %}";
var ASSETS = ["{% static 'web/phone.css' %}", "{% static 'web/phone.js' %}", "{% static 'web/countdown.js' %}", "{% static 'web/phone-live.js' %}"];
var SCOPE = new URL(self.registration.scope).pathname;
var DB_NAME = "zhifa-phone";
var STORE = "outbox";

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    caches.open(ASSETS_CACHE).then(function (cache) { return cache.addAll(ASSETS); }),
    // The shell pages of whoever is signed in now, kept for them like any page they open.
    Promise.all(SHELL.map(function (url) {
      var request = new Request(url, { credentials: "same-origin" });
      return fetch(request).then(function (response) { return keepPage(request, response); });
    }))
  ]).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // An older version kept everyone's pages in one cache: gone, with whatever else is not of this version.
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(VERSION + "-") !== 0; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// A phone page that loaded while this worker was activating asks to be taken (phone.js): claim it now.
self.addEventListener("message", function (event) {
  if (event.data === "claim" && event.source && new URL(event.source.url).pathname.indexOf(SCOPE) === 0) {
    event.waitUntil(self.clients.claim());
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && request.mode === "navigate" && isQueued(url.pathname)) {
    event.respondWith(sendOrKeep(request));
    return;
  }
  if (request.method !== "GET") { return; }
  // The live task list (/m/stream): never kept, never answered from a cache — the network only, at once.
  if ((request.headers.get("Accept") || "").indexOf("text/event-stream") !== -1) { return; }
  var isPage = url.pathname.indexOf(SCOPE) === 0;
  if (!isPage && url.pathname.indexOf(STATIC) !== 0) { return; }  // anything else: the network only
  event.respondWith(fetch(request).then(function (response) {
    // Kept before the page is shown: a page opened offline right after must find only this officer's pages.
    var keeping = isPage ? keepPage(request, response) : keepAsset(request, response);
    return keeping.catch(function () {}).then(function () { return response; });
  }, function () {
    return isPage ? cachedPage(request) : caches.match(request, { cacheName: ASSETS_CACHE }).then(function (hit) { return hit || Response.error(); });
  }));
});

// A tap on a new task's notice (phone-live.js) opens the task, in the phone's open tab if there is one.
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  if (!url) { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (new URL(windows[i].url).pathname.indexOf(SCOPE) === 0 && "navigate" in windows[i]) {
        return windows[i].navigate(url).then(function (w) { return w && w.focus(); });
      }
    }
    return self.clients.openWindow(url);
  }));
});

// --- pages, per officer ---

function pageCaches() {
  return caches.keys().then(function (keys) { return keys.filter(function (k) { return k.indexOf(PAGES) === 0; }); });
}

// The officer whose pages are kept: the one the server last answered for (null: none, or not known).
function owner() {
  return pageCaches().then(function (keys) { return keys.length === 1 ? keys[0].slice(PAGES.length) : null; });
}

function forgetPagesExcept(user) {
  return pageCaches().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== PAGES + user; }).map(function (k) { return caches.delete(k); }));
  });
}

// The sign-in page instead of the page asked for: nobody is signed in. (A navigation's redirect is opaque;
// the phone's pages redirect only there.)
function isSignInAnswer(response) {
  return response.type === "opaqueredirect" || (response.redirected && new URL(response.url).pathname === LOGIN);
}

function keepPage(request, response) {
  if (isSignInAnswer(response)) { return forgetPagesExcept(null); }
  var user = response.headers.get(USER_HEADER);
  if (user === null) { return Promise.resolve(); }  // not a phone page (an error page): says nothing of who is signed in
  var copy = response.ok ? response.clone() : null;
  return forgetPagesExcept(user).then(function () {
    if (copy) { return caches.open(PAGES + user).then(function (cache) { return cache.put(request, copy); }); }
  });
}

function keepAsset(request, response) {
  if (!response.ok || response.type !== "basic") { return Promise.resolve(); }
  var copy = response.clone();
  return caches.open(ASSETS_CACHE).then(function (cache) { return cache.put(request, copy); });
}

function fromSignIn(request) {
  try { return new URL(request.referrer).pathname === LOGIN; } catch (e) { return false; }
}

function offlinePage() {
  return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function cachedPage(request) {
  if (fromSignIn(request)) { return Promise.resolve(offlinePage()); }
  return owner().then(function (user) {
    if (user === null) { return null; }
    // ignoreVary: the pages vary by cookie (whose they are: settled by the cache they are in) and by
    // language (one, zh-hans); a navigation's headers would otherwise miss the pages kept at install.
    return caches.open(PAGES + user).then(function (cache) { return cache.match(request, { ignoreVary: true }); });
  }).then(function (hit) { return hit || offlinePage(); });
}

// --- forms whose request fails ---

function isQueued(path) {
  // An event's form is listed with the event number 0.
  return QUEUED.indexOf(path.replace(/\/\d+\//g, "/0/")) !== -1;
}

function sendOrKeep(request) {
  var copy = request.clone();  // the body can be read once; the network gets the original
  return fetch(request).catch(function () {
    return owner().then(function (user) {
      if (user === null) { throw new Error("no officer to keep it for"); }
      return copy.formData().then(function (data) { return outboxAdd(copy.url, data, user); });
    }).then(function () {
      return Response.redirect(backTo(copy) + "#queued", 303);
    }, function () {
      return Response.redirect(backTo(copy) + "#not-queued", 303);
    });
  });
}

function backTo(request) {
  try {
    var from = new URL(request.referrer);
    // Not to an event form's own address (its refusal page, submitted again): there is no page to keep there.
    if (from.origin === self.location.origin && from.pathname.indexOf(SCOPE) === 0 && (!isQueued(from.pathname) || SHELL.indexOf(from.pathname) !== -1)) {
      return from.origin + from.pathname + from.search;
    }
  } catch (e) { /* no referrer */ }
  return new URL(SCOPE, self.location.origin).href;
}

// The same database and item shape as phone.js's outbox: phone.js shows and sends it.
function outboxAdd(url, data, user) {
  var entries = [];
  data.forEach(function (value, name) { entries.push([name, value]); });
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var db = open.result;
      var t = db.transaction(STORE, "readwrite");
      t.objectStore(STORE).add({ url: url, entries: entries, queuedAt: Date.now(), user: user });
      t.oncomplete = function () { db.close(); resolve(); };
      t.onerror = function () { db.close(); reject(t.error); };
    };
  });
}
