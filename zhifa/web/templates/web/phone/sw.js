/* Service worker of the officer's phone (scope /m/). Keeps the pages' shell so that the task list and the
 * finding form open without a network; the page's own script (phone.js) queues what is submitted offline.
 * Limits: only pages already visited while online are available offline; data never leaves this phone
 * until it is back online; a browser that clears site data loses the queue. */
var CACHE = "zhifa-phone-v1";
var SHELL = {{ shell_json|safe }};
{% load static %}var ASSETS = ["{% static 'web/phone.css' %}", "{% static 'web/phone.js' %}", "{% static 'web/countdown.js' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL.concat(ASSETS)); }).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// Network first (tasks change all the time); the cached copy only when the network fails.
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || caches.match(SHELL[0]); });
  }));
});
