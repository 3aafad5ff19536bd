/* The officer's phone: GPS for arrival and patrol findings, the position sent every ~30 s while a page is
 * open, and a small offline queue. A finding, acknowledgement, arrival or handling report submitted without a
 * network is kept in IndexedDB (photos included, as Blobs) and sent when the phone is back online: here when
 * the phone knows it is offline, by the service worker (sw.js) when it believes it is online and the request
 * fails. The finding's client key makes a repeated send one event, and the server takes a handling report sent
 * again after it arrived as arrived (events.services.event_handle). An item is sent only under the account that
 * recorded it, and leaves the outbox only when the server answered about it: sent, or refused (the refusal
 * is shown); an acknowledgement or arrival sent again after it arrived is taken as arrived too
 * (event_acknowledge, event_arrive), so two taps queued offline are not shown as a refusal. An item keeps
 * the moment of the officer's tap (observed_at, taken at the tap, before a position fix or the outbox's
 * write) and is sent with the moment it is sent (sent_at), both on this
 * phone's clock: the server counts the wait back from its own clock (web.phone._acted_at), so a queued
 * acknowledgement, arrival, handling report or finding is timed when the officer made it even if the phone's clock
 * is off.
 * A send that finds no network is tried again after 2 s, doubling up to 30 s (retrySoon).
 * Limits: the queue lives in this browser only, and is sent while one of the /m/ pages is open (no
 * background sync); a queued arrival carries the position taken when it was made. */
(function () {
  "use strict";

  var POSITION_EVERY_MS = 30000;
  var RETRY_EVERY_MS = 30000;
  var DB_NAME = "zhifa-phone";  // sw.js writes to the same outbox
  var STORE = "outbox";
  var QUEUED_ALERT = "当前无网络，已保存在本机，联网后自动发送";
  var NOT_QUEUED_ALERT = "当前无网络，且无法保存在本机，请联网后重新提交";
  // What a queued step without text of its own is called when the server refuses it.
  // "check-in": the arrival's address before issue 10's renames, in an outbox kept over the upgrade (deprecated).
  var STEP_LABELS = {
    "acknowledge": "接单响应", "arrive": "到场签到", "check-in": "到场签到",
    // The joint inspection's steps (/m/inspections/<id>/…/).
    "start": "开始检查", "tick": "检查项结果", "finding": "检查隐患", "sign": "检查人员签名", "party-sign": "当事人签名", "close": "签署归档"
  };

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

  var dbOpening = null;
  function openDb() {
    // One connection per page: a connection per transaction would pile up until the page closes.
    if (!dbOpening) {
      dbOpening = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
        req.onsuccess = function () {
          var db = req.result;
          db.onversionchange = function () { db.close(); dbOpening = null; };
          resolve(db);
        };
        req.onerror = function () { dbOpening = null; reject(req.error); };
      });
    }
    return dbOpening;
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

  function currentUser() { return document.body.dataset.user || ""; }

  // An item belongs to the account that recorded it: on a phone shared by a shift, what one officer queued
  // must never be sent (and audited) as another's.
  function isMine(item) { return item.user === currentUser(); }

  function queue(form) {
    var entries = [];
    new FormData(form).forEach(function (value, name) { entries.push([name, value]); });
    return tx("readwrite", function (store) {
      return store.add({ url: form.action, entries: entries, queuedAt: Date.now(), user: currentUser() });
    });
  }

  function remove(item) { return tx("readwrite", function (store) { return store.delete(item.id); }); }

  var signedOut = false;
  function showQueued() {
    tx("readonly", function (store) { return store.getAll(); }).then(function (items) {
      var n = items.filter(isMine).length;
      var banner = document.getElementById("queued-banner");
      banner.hidden = !n;
      banner.textContent = !n ? "" : "有 " + n + " 条上报待发送" + (signedOut ? "（登录已失效，请重新登录后自动发送）" : "");
    }).catch(function () {});
  }

  function showResult(sent, refused) {
    var box = document.getElementById("outbox-result");
    var lines = [];
    if (sent) { lines.push("离线保存的 " + sent + " 条上报已发送"); }
    refused.forEach(function (r) { lines.push("离线上报未被受理：" + r); });
    if (!lines.length) { return; }
    box.className = "m-notice " + (refused.length ? "danger" : "ok");
    box.textContent = lines.join("；");
    box.hidden = false;
  }

  function send(item) {
    var data = new FormData();
    var isTimed = false;
    item.entries.forEach(function (e) {
      if (e[0] === "observed_at" && e[1]) { isTimed = true; }
      if (e[0] !== "csrfmiddlewaretoken" && e[0] !== "sent_at") { data.append(e[0], e[1]); }
    });
    data.append("csrfmiddlewaretoken", csrfToken());  // the token of this session, not of when it was queued
    // The moment of this try: with observed_at it tells the server how long the item waited (sent again
    // after a lost answer, it is a new moment; the server recognises the copy by what it repeats).
    if (isTimed) { data.append("sent_at", String(Date.now())); }
    return fetch(item.url, { method: "POST", body: data, credentials: "same-origin" });
  }

  // What the server's answer means for a queued item. Only an answer about the item itself takes it out of
  // the outbox: the login page (session expired while offline; fetch follows the redirect and sees 200) and
  // a 403 (the CSRF check of a session that is gone; the phone's views answer a refusal with 422 or 404)
  // mean "not looked at", and so does a server error.
  function verdict(response) {
    var loginUrl = document.body.dataset.loginUrl;
    if (response.redirected && loginUrl && new URL(response.url).pathname === loginUrl) { return "signed-out"; }
    if (response.ok) { return "sent"; }
    if (response.status === 403) { return "signed-out"; }
    if (response.status >= 400 && response.status < 500) { return "refused"; }
    return "later";
  }

  // The refusal as the page would have shown it, and what the item was, so the officer can record it again.
  function refusal(item, response) {
    var text = "";
    item.entries.forEach(function (e) { if ((e[0] === "description" || e[0] === "outcome") && typeof e[1] === "string") { text = e[1]; } });
    if (!text) {
      var step = new URL(item.url, location.href).pathname.split("/").filter(Boolean).pop();
      text = STEP_LABELS[step] || "";
    }
    var label = "“" + (text.length > 20 ? text.slice(0, 20) + "…" : text) + "”";
    return response.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var shown = doc.querySelector(".m-error, #task-error, .error-message");
      return label + " " + (shown ? shown.textContent.trim() : "（" + response.status + "）");
    }).catch(function () { return label + " （" + response.status + "）"; });
  }

  // A send that found no network (or a server that answered with an error) is tried again soon, 2 s then
  // doubling up to RETRY_EVERY_MS: a phone says it is online as soon as it has a link, often a moment before
  // anything can be reached through it, and the officer should not wait half a minute for that moment.
  var QUICK_RETRY_FIRST_MS = 2000;
  var quickRetryMs = 0;
  var quickRetry = null;
  function retrySoon() {
    quickRetryMs = Math.min(quickRetryMs ? quickRetryMs * 2 : QUICK_RETRY_FIRST_MS, RETRY_EVERY_MS);
    clearTimeout(quickRetry);
    quickRetry = setTimeout(flush, quickRetryMs);
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return; }
    flushing = true;
    var sent = 0;
    var refused = [];
    var stop = false;
    var unreached = false;  // the network or the server failed: try again soon
    tx("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.filter(isMine).reduce(function (chain, item) {
        return chain.then(function () {
          if (stop) { return; }
          return send(item).then(function (response) {
            var result = verdict(response);
            signedOut = result === "signed-out";
            if (result === "sent") { sent += 1; return remove(item); }
            if (result === "refused") {
              return refusal(item, response).then(function (why) { refused.push(why); return remove(item); });
            }
            stop = true;  // signed out or the server is unwell: the rest waits for the next try
            unreached = result === "later";
          }, function () { stop = true; unreached = true; });  // no network after all
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      flushing = false;
      if (unreached) { retrySoon(); } else { quickRetryMs = 0; }
      showQueued();
      showResult(sent, refused);
    });
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
      // A page that loaded while the worker was still activating is left uncontrolled (its claim of the open
      // pages came a moment too early): ask the active worker to take this page too, so that it is kept for
      // offline use now rather than from the next page on.
      navigator.serviceWorker.ready.then(function (registration) {
        if (!navigator.serviceWorker.controller && registration.active) {
          registration.active.postMessage("claim");
        }
      });
    }

    // Signing out on a shared phone: the cached pages hold this officer's tasks and name, so they go too
    // (the queue of unsent reports stays; each item is sent only under the officer who made it).
    document.querySelectorAll("form.m-logout").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!("caches" in self) || form.dataset.cleared === "true") { return; }
        e.preventDefault();
        caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); })
          .catch(function () {}).then(function () { form.dataset.cleared = "true"; form.submit(); });
      });
    });

    document.querySelectorAll("form[data-geolocate=fill]").forEach(function (form) {
      locate().then(function (pos) { fillPoint(form, pos); }).catch(function (err) {
        form.querySelector("[data-geo-status]").textContent = geoError(err);
      });
    });

    // The moment of the tap, taken at the tap: this listener (capture, on the document) runs before any
    // listener of the form itself, so before the wait for a position fix and before the outbox's write. A
    // form submitted again once the fix is there keeps it; a tap that came to nothing (no fix, the outbox
    // could not keep it) forgets it, and the officer's next tap is the moment that counts.
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (!(form instanceof HTMLFormElement) || form.dataset.offline !== "queue") { return; }
      var key = form.querySelector("[name=client_key]");
      if (key && !key.value) { key.value = self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(); }
      var at = form.querySelector("[name=observed_at]");
      if (at && !at.value) { at.value = String(Date.now()); }
    }, true);

    function forgetTap(form) {
      // reset() leaves hidden inputs as they are: without this the next finding recorded on this page would
      // carry the same key (the server would take it for a resend of this one and drop it) and the same moment.
      ["client_key", "observed_at"].forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        if (input) { input.value = ""; }
      });
    }

    document.querySelectorAll("form[data-geolocate=submit]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.dataset.located === "true") { return; }
        e.preventDefault();
        var status = form.querySelector("[data-geo-status]");
        status.textContent = "正在定位…";
        // A fresh fix: a cached one may be from before the officer walked to the event. requestSubmit, not
        // submit: the offline queue below must see this submission too.
        locate({ enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }).then(function (pos) { fillPoint(form, pos); form.requestSubmit(); }).catch(function (err) { forgetTap(form); status.textContent = geoError(err); });
      });
    });

    document.querySelectorAll("form[data-offline=queue]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (e.defaultPrevented) { return; }  // held back for a position fix; it is submitted again with one
        if (navigator.onLine) { return; }
        e.preventDefault();
        queue(form).then(function () {
          form.reset();
          forgetTap(form);
          delete form.dataset.located;  // an arrival made again takes a new position
          showQueued();
          alert(QUEUED_ALERT);
        }, function () {
          forgetTap(form);
          alert(NOT_QUEUED_ALERT);
        });
      });
    });

    // Back from the service worker, which kept (or could not keep) a submission whose request failed.
    var kept = { "#queued": QUEUED_ALERT, "#not-queued": NOT_QUEUED_ALERT }[location.hash];
    if (kept) {
      history.replaceState(null, "", location.pathname + location.search);
      alert(kept);
    }

    window.addEventListener("online", onlineState);
    window.addEventListener("offline", onlineState);
    onlineState();
    showQueued();
    // A send that failed (server down, network gone again) is tried again while the page stays open.
    setInterval(flush, RETRY_EVERY_MS);

    if (document.body.dataset.trackPosition === "1") {
      postPosition();
      setInterval(postPosition, POSITION_EVERY_MS);
    }
  });
})();
