/* The phone's live task list (issue 16: "the officer is never told"). A task dispatched to this officer
 * reaches the open list at once over Server-Sent Events (/m/stream, the command centre's mechanism): the
 * server sends the task's card already rendered and escaped (the same partial the page renders first), and
 * this script inserts, replaces or removes cards — the page is never reloaded. A new task is announced with
 * a short tone made by WebAudio (no sound file), a vibration and, where the browser allows it, a system
 * notification; an urgent one (紧急) says so in each. Browsers allow sound and a notification permission only
 * after the officer's tap: the page asks with a button when it has to.
 *
 * Receipts (送达 / 查看): the page tells the server which tasks it holds (/m/receipt/), once when they are
 * shown, and once more when the page is in front of the officer (visible); the server keeps the first of
 * each on the officer's assignment, so the event page shows when the task reached the phone and was seen.
 *
 * 预判布防 (issue 17 part 4): the same stream sends a "standby" message when a plan naming this officer is
 * stored or replaced; the post card is replaced and a new post announced (zhifa/web/phone_standby.py). */
(function () {
  "use strict";

  var audio = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- alerts ---

  function audioContext() {
    if (audio) { return audio; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    try { audio = new Ctx(); } catch (e) { audio = null; }
    return audio;
  }

  // Two short tones (three, higher, for an urgent task), made here: nothing is downloaded.
  function tone(isUrgent) {
    var ctx = audioContext();
    if (!ctx || ctx.state !== "running") { return false; }
    var count = isUrgent ? 3 : 2;
    var freq = isUrgent ? 1320 : 880;
    for (var i = 0; i < count; i += 1) {
      var start = ctx.currentTime + i * 0.25;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.2);
    }
    return true;
  }

  function vibrate(isUrgent) {
    if (!navigator.vibrate) { return false; }
    try { return navigator.vibrate(isUrgent ? [300, 120, 300, 120, 300] : [200, 100, 200]); } catch (e) { return false; }
  }

  function systemNotice(task) {
    var title = (task.is_urgent ? "【紧急】" : "") + "新任务 " + task.public_no;
    var options = { body: task.title + "：" + task.text, tag: "task-" + task.id, renotify: true, data: { url: task.url } };
    return showNotice(title, options);
  }

  function showNotice(title, options) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return Promise.resolve(false); }
    function direct() {
      try { new Notification(title, options); return true; } catch (e) { return false; }
    }
    // A phone's browser shows notifications only through the service worker (new Notification throws there).
    if (!("serviceWorker" in navigator)) { return Promise.resolve(direct()); }
    return navigator.serviceWorker.getRegistration().then(function (reg) {
      if (!reg) { return direct(); }
      return reg.showNotification(title, options).then(function () { return true; });
    }).catch(direct);
  }

  function announce(task) {
    var banner = document.getElementById("new-task-banner");
    banner.textContent = (task.is_urgent ? "紧急任务！" : "新任务：") + task.public_no + " " + task.title + "（点击查看）";
    banner.dataset.url = task.url;
    banner.hidden = false;
    var shown = { sound: tone(task.is_urgent), vibration: vibrate(task.is_urgent) };
    systemNotice(task).then(function (ok) {
      shown.notification = ok;
      document.body.dataset.lastAlert = JSON.stringify(shown);  // what this browser allowed (read by tests)
    });
  }

  // 预判布防: a new standby plan's post replaces the card (rendered and escaped by the server's template,
  // tasks.html#standby-card; parsed, never run as script), and the notice the plan wrote for the officer is
  // shown and announced like a task, without the urgency.
  function standby(change) {
    var slot = document.getElementById("standby-slot");
    var doc = new DOMParser().parseFromString(change.html || "", "text/html");
    var card = doc.body.firstElementChild;
    slot.replaceChildren();
    if (card) {
      card = document.importNode(card, true);
      slot.appendChild(card);
    }
    if (!change.notice) { return; }
    if (card) { card.classList.add("new"); }
    var banner = document.getElementById("standby-banner");
    banner.textContent = change.notice;
    banner.hidden = false;
    var shown = { sound: tone(false), vibration: vibrate(false) };
    showNotice("预判布防", { body: change.notice, tag: "standby-post", renotify: true, data: { url: location.pathname } })
      .then(function (ok) {
        shown.notification = ok;
        document.body.dataset.lastStandbyAlert = JSON.stringify(shown);  // what this browser allowed (read by tests)
      });
  }

  function alertsNeedTap() {
    var ctx = audioContext();
    var sound = !ctx || ctx.state === "running";
    var notice = !("Notification" in window) || Notification.permission !== "default";
    return !(sound && notice);
  }

  function setUpAlerts() {
    var box = document.getElementById("alerts-box");
    box.hidden = !alertsNeedTap();
    document.getElementById("alerts-enable").addEventListener("click", function () {
      var ctx = audioContext();
      var steps = [];
      if (ctx && ctx.state !== "running") { steps.push(ctx.resume().catch(function () {})); }
      if ("Notification" in window && Notification.permission === "default") {
        steps.push(Promise.resolve(Notification.requestPermission()).catch(function () {}));
      }
      Promise.all(steps).then(function () {
        tone(false);  // the officer hears what a new task sounds like
        box.hidden = !alertsNeedTap();
      });
    });
    // Any tap on the page unlocks the sound as well — on the click, not the pointerdown: hiding the box between
    // the press and the release moved what was under the finger, and the tap (on the new-task banner, say) then
    // clicked nothing.
    document.addEventListener("click", function () {
      var ctx = audioContext();
      if (ctx && ctx.state !== "running") { ctx.resume().then(function () { box.hidden = !alertsNeedTap(); }, function () {}); }
    }, { once: true, capture: true });
  }

  // --- receipts ---

  var delivered = {};  // event id → true once the server was told the page holds it
  var seen = {};

  function isVisible() { return document.visibilityState === "visible"; }

  function sendReceipt(url) {
    var visible = isVisible();
    var ids = Array.prototype.map.call(document.querySelectorAll("#task-list .task"), function (a) { return a.dataset.id; })
      .filter(function (id) { return !delivered[id] || (visible && !seen[id]); });
    if (!ids.length) { return; }
    var body = new URLSearchParams();
    ids.forEach(function (id) { body.append("event", id); });
    body.append("seen", visible ? "1" : "0");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (r) {
        if (!r.ok) { return; }
        ids.forEach(function (id) { delivered[id] = true; if (visible) { seen[id] = true; } });
      }).catch(function () { /* offline: the next change or visibility sends it again */ });
  }

  // --- the list ---

  function byDue(a, b) {
    var da = a.dataset.due ? Date.parse(a.dataset.due) : Infinity;
    var db = b.dataset.due ? Date.parse(b.dataset.due) : Infinity;
    return (da - db) || (Number(a.dataset.id) - Number(b.dataset.id));
  }

  function refreshList(list) {
    var cards = Array.prototype.slice.call(list.querySelectorAll(".task"));
    cards.sort(byDue).forEach(function (card) { list.appendChild(card); });
    document.getElementById("task-count").textContent = String(cards.length);
    document.getElementById("tasks-empty").hidden = cards.length > 0;
    if (window.zhifaCountdown) { window.zhifaCountdown.tick(); }
  }

  function upsert(list, task) {
    var existing = document.getElementById("task-" + task.id);
    if (!task.is_task) {
      if (existing) { existing.remove(); }
      refreshList(list);
      return;
    }
    // Rendered and escaped by the server's template (tasks.html#task-card); parsed, never run as script.
    var doc = new DOMParser().parseFromString(task.html, "text/html");
    var card = doc.body.firstElementChild;
    if (!card) { return; }
    card = document.importNode(card, true);
    if (existing) { existing.replaceWith(card); } else { list.prepend(card); }
    refreshList(list);
    if (!existing && task.is_new) {
      card.classList.add("new");
      announce(task);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("task-list");
    if (!list || !window.EventSource) { return; }
    var status = document.getElementById("live-status");
    setUpAlerts();
    // The banner of the newest task opens it (a tap is what an officer with a phone in one hand can do).
    document.getElementById("new-task-banner").addEventListener("click", function (e) {
      if (e.currentTarget.dataset.url) { location.href = e.currentTarget.dataset.url; }
    });
    var receipt = function () { sendReceipt(list.dataset.receiptUrl); };
    receipt();
    document.addEventListener("visibilitychange", receipt);

    // From the page's render time; the browser sends the last id back as Last-Event-ID on a reconnect.
    var source = new EventSource(list.dataset.streamUrl + "?since=" + encodeURIComponent(list.dataset.since));
    source.addEventListener("open", function () { status.textContent = "实时"; status.dataset.state = "live"; });
    source.addEventListener("error", function () { status.textContent = "重新连接中…"; status.dataset.state = "reconnecting"; });
    source.addEventListener("task", function (message) {
      upsert(list, JSON.parse(message.data));
      receipt();
    });
    source.addEventListener("standby", function (message) { standby(JSON.parse(message.data)); });
  });
})();
