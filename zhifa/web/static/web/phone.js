/* The officer's phone: GPS for check-in and patrol findings, the position sent every ~30 s while a page is
 * open, and a small offline queue. A finding or report submitted without a network is kept in IndexedDB
 * (photos included, as Blobs) and sent when the phone is back online; the finding's client key makes a
 * repeated send one event. Limits: the queue lives in this browser only, and is sent while one of the
 * /m/ pages is open (no background sync). */
(function () {
  "use strict";

  var POSITION_EVERY_MS = 30000;
  var DB_NAME = "zhifa-phone";
  var STORE = "outbox";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function locate(options) {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error("此设备不支持定位")); return; }
      navigator.geolocation.getCurrentPosition(resolve, reject, options || { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 });
    });
  }

  function geoError(err) {
    if (err && err.code === 1) { return "未获得定位权限，请在浏览器设置中允许使用位置信息"; }
    if (err && err.code === 3) { return "定位超时，请到开阔处重试"; }
    return "无法获取定位：" + (err && err.message ? err.message : "未知错误");
  }

  function fillPoint(form, pos) {
    form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
    form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
    var acc = form.querySelector("[name=accuracy]");
    if (acc) { acc.value = Math.round(pos.coords.accuracy); }
    var status = form.querySelector("[data-geo-status]");
    if (status) { status.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）"; }
    form.dataset.located = "true";
  }

  // --- offline outbox (IndexedDB) ---

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function queue(form) {
    var entries = [];
    new FormData(form).forEach(function (value, name) { entries.push([name, value]); });
    return tx("readwrite", function (store) { return store.add({ url: form.action, entries: entries, queuedAt: Date.now() }); });
  }

  function showQueued() {
    tx("readonly", function (store) { return store.count(); }).then(function (n) {
      var banner = document.getElementById("queued-banner");
      banner.hidden = !n;
      banner.textContent = n ? "有 " + n + " 条上报待发送" : "";
    }).catch(function () {});
  }

  function send(item) {
    var data = new FormData();
    item.entries.forEach(function (e) { if (e[0] !== "csrfmiddlewaretoken") { data.append(e[0], e[1]); } });
    data.append("csrfmiddlewaretoken", csrfToken());  // the token of this session, not of when it was queued
    return fetch(item.url, { method: "POST", body: data, credentials: "same-origin" });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return; }
    flushing = true;
    tx("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (response) {
            // Sent (or refused for good, e.g. invalid): either way it leaves the outbox.
            if (response.ok || (response.status >= 400 && response.status < 500)) {
              return tx("readwrite", function (store) { return store.delete(item.id); });
            }
          });
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () { flushing = false; showQueued(); });
  }

  function onlineState() {
    document.getElementById("offline-banner").hidden = navigator.onLine;
    if (navigator.onLine) { flush(); }
  }

  // --- position ---

  function postPosition() {
    locate({ enableHighAccuracy: true, timeout: 20000, maximumAge: 15000 }).then(function (pos) {
      var body = new URLSearchParams({
        lon: pos.coords.longitude.toFixed(6), lat: pos.coords.latitude.toFixed(6), accuracy: String(Math.round(pos.coords.accuracy))
      });
      return fetch(document.body.dataset.positionUrl, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
      });
    }).catch(function () { /* no fix or offline: the next tick tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(document.body.dataset.swUrl, { scope: "/m/" }).catch(function () {});
    }

    document.querySelectorAll("form[data-geolocate=fill]").forEach(function (form) {
      locate().then(function (pos) { fillPoint(form, pos); }).catch(function (err) {
        form.querySelector("[data-geo-status]").textContent = geoError(err);
      });
    });

    document.querySelectorAll("form[data-geolocate=submit]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.dataset.located === "true") { return; }
        e.preventDefault();
        var status = form.querySelector("[data-geo-status]");
        status.textContent = "正在定位…";
        // A fresh fix: a cached one may be from before the officer walked to the event.
        locate({ enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }).then(function (pos) { fillPoint(form, pos); form.submit(); }).catch(function (err) { status.textContent = geoError(err); });
      });
    });

    document.querySelectorAll("form[data-offline=queue]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        var key = form.querySelector("[name=client_key]");
        if (key && !key.value) { key.value = self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(); }
        var at = form.querySelector("[name=observed_at]");
        if (at && !at.value) { at.value = String(Date.now()); }
        if (navigator.onLine) { return; }
        e.preventDefault();
        queue(form).then(function () {
          form.reset();
          showQueued();
          alert("当前无网络，已保存在本机，联网后自动发送");
        });
      });
    });

    window.addEventListener("online", onlineState);
    window.addEventListener("offline", onlineState);
    onlineState();
    showQueued();

    if (document.body.dataset.trackPosition === "1") {
      postPosition();
      setInterval(postPosition, POSITION_EVERY_MS);
    }
  });
})();
