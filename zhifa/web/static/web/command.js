/* 指挥中心: one page of the queue (the server sorts and filters it: urgent first, then the nearest deadline),
 * the map of the queue's events (clustered; fetched from /command/events.json under the same filters) and of
 * the officers, and the live feed.
 *
 * The filters, the pages and the row actions are HTMX requests answered with server-rendered HTML: the
 * filter form swaps the results, an action swaps its row (or takes it away when the event left the queue).
 * The stream sends each changed event's row, rendered by the same template partial, with whether it is in
 * this page's queue (``matches``) and whether it is new to the page (``is_new``): a new one goes on top of
 * the first page, highlighted, with a short tone (WebAudio, nothing downloaded); a changed one is replaced
 * where it is; one that left the queue (closed, dispatched out of a "待处理" view…) is taken away. */
(function () {
  "use strict";

  var STATUS_COLOURS = { free: "#2e7d32", busy: "#e65100", off_duty: "#9e9e9e" };
  var EVENT_COLOUR = "#ef6c00";
  var URGENT_COLOUR = "#c62828";
  var OFFICER_REFRESH_MS = 15000;
  var SOUND_KEY = "zhifa.command.sound";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Leaflet puts a string given to bindTooltip/bindPopup into innerHTML: names (typed by users) go in as an
  // element whose text is set, so a name like <img onerror=…> shows as text and runs nothing.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  // --- the tone -------------------------------------------------------------------------------------------
  // Browsers start an AudioContext only after a user gesture: it is created (or resumed) at the first click or
  // key on the page, and a tone before that is silently skipped by the browser, never an error.
  var audio = null;
  function audioContext() {
    var Ctor = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctor) { try { audio = new Ctor(); } catch (e) { audio = null; } }
    if (audio && audio.state === "suspended") { audio.resume().catch(function () {}); }
    return audio;
  }
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () { audioContext(); }, { once: true, capture: true });
  });

  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) !== "off"; } catch (e) { return true; }
  }

  // One short beep for an event, two higher ones for an urgent event.
  function tone(isUrgent) {
    var queue = document.getElementById("queue");
    if (queue) {
      queue.dataset.tones = String(Number(queue.dataset.tones || 0) + 1);
      queue.dataset.lastTone = isUrgent ? "urgent" : "normal";
    }
    if (!soundOn()) { return; }
    var ctx = audioContext();
    if (!ctx) { return; }
    var start = ctx.currentTime + 0.02;
    (isUrgent ? [988, 1319] : [740]).forEach(function (frequency, i) {
      var at = start + i * 0.2;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.18);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("command-map");
    var status = document.getElementById("live-status");
    var soundButton = document.getElementById("sound-toggle");
    var config = readJson("map-config");
    // maxZoom: the clusters need one even without a tile layer (a deployment without a tile server).
    var map = L.map(el, { preferCanvas: true, maxZoom: 19 });
    if (config.tileUrl) { L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map); }
    // Other layers (deployment.js: the standby posts) add themselves to this map.
    el.dispatchEvent(new CustomEvent("zhifa:command-map", { bubbles: true, detail: { map: map } }));

    function results() { return document.getElementById("queue-results"); }
    function tbody() { return document.getElementById("queue"); }

    // --- sound switch ---------------------------------------------------------------------------------------
    function showSound() {
      var on = soundOn();
      soundButton.setAttribute("aria-pressed", on ? "true" : "false");
      soundButton.textContent = on ? "提示音：开" : "提示音：关";
    }
    soundButton.addEventListener("click", function () {
      try { window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      showSound();
    });
    showSound();

    // --- markers ---------------------------------------------------------------------------------------------
    var statuses = {};
    var markers = {};
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      disableClusteringAtZoom: 18,
      // A cluster holding an urgent event is red. The icon's HTML is a number only.
      iconCreateFunction: function (cluster) {
        var children = cluster.getAllChildMarkers();
        var count = children.length;
        var urgent = children.some(function (m) { return m.options.isUrgent; });
        var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
        return L.divIcon({
          html: "<div><span>" + String(Number(count)) + "</span></div>",
          className: "marker-cluster marker-cluster-" + size + (urgent ? " has-urgent" : ""),
          iconSize: L.point(40, 40)
        });
      }
    }).addTo(map);
    var officersLayer = L.layerGroup().addTo(map);

    // point: {id, lon, lat, public_no, status, is_urgent, title}
    function eventMarker(point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: point.is_urgent ? 8 : 6, color: "#ffffff", weight: 1.5,
        fillColor: point.is_urgent ? URGENT_COLOUR : EVENT_COLOUR, fillOpacity: 0.9, isUrgent: point.is_urgent
      });
      marker.bindPopup(function () {
        var link = document.createElement("a");
        link.href = "/events/" + encodeURIComponent(point.id) + "/";
        link.textContent = point.public_no + " " + point.title + "（" + (statuses[point.status] || point.status) + "）";
        return link;
      });
      marker.on("click", function () {
        var tr = document.getElementById("event-" + point.id);
        if (tr) {
          tr.scrollIntoView({ block: "center" });
          tr.classList.add("flash");
          setTimeout(function () { tr.classList.remove("flash"); }, 1500);
        }
      });
      return marker;
    }

    function setMarker(point) {
      if (markers[point.id]) { clusters.removeLayer(markers[point.id]); }
      markers[point.id] = eventMarker(point);
      clusters.addLayer(markers[point.id]);
      el.dataset.eventCount = String(Object.keys(markers).length);
    }

    function dropMarker(id) {
      if (!markers[id]) { return; }
      clusters.removeLayer(markers[id]);
      delete markers[id];
      el.dataset.eventCount = String(Object.keys(markers).length);
    }

    var markersQuery = null;
    function loadMarkers(query) {
      markersQuery = query;
      fetch(el.dataset.eventsUrl + (query ? "?" + query : ""), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (query !== markersQuery) { return; }  // the filters changed again meanwhile
          statuses = data.statuses;
          clusters.clearLayers();
          markers = {};
          var layers = data.events.map(function (e) {
            var point = { id: e[0], lon: e[1], lat: e[2], public_no: e[3], status: e[4], is_urgent: e[5] === 1, title: data.titles[e[6]] };
            markers[point.id] = eventMarker(point);
            return markers[point.id];
          });
          clusters.addLayers(layers);
          el.dataset.eventCount = String(layers.length);
          el.dataset.truncated = data.is_truncated ? "true" : "false";
        })
        .catch(function () { /* the next change of filters tries again */ });
    }

    fetch(el.dataset.layersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var district = L.geoJSON(data.district, { style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(map);
      L.geoJSON(data.streets, { style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.1 }, interactive: false,
        onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name), { permanent: true, direction: "center", className: "street-label" }); }
      }).addTo(map);
      map.fitBounds(district.getBounds());
      var legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "map-legend");
        [["紧急事件", URGENT_COLOUR], ["事件", EVENT_COLOUR], ["空闲", STATUS_COLOURS.free], ["忙碌", STATUS_COLOURS.busy], ["不在岗", STATUS_COLOURS.off_duty]].forEach(function (e) {
          var row = document.createElement("div");
          var dot = document.createElement("i");
          dot.style.background = e[1];
          row.append(dot, document.createTextNode(e[0]));
          div.appendChild(row);
        });
        return div;
      };
      legend.addTo(map);
    });

    function officerMarker(o) {
      var marker = L.circleMarker([o.lat, o.lon], {
        radius: 6, color: "#0d47a1", weight: 2, fillColor: STATUS_COLOURS[o.status] || "#9e9e9e", fillOpacity: 1
      });
      marker.bindTooltip(text(o.name + "（" + o.status_label + "）"));
      // A click opens the officer's card with their work phone as a tel: link (one tap to call), as text.
      marker.bindPopup(function () {
        var card = document.createElement("div");
        card.className = "officer-card";
        card.appendChild(text(o.name + "（" + o.status_label + "）"));
        card.appendChild(document.createElement("br"));
        if (o.tel_url) {
          var call = document.createElement("a");
          call.className = "tel-link officer-phone";
          call.href = o.tel_url;
          call.textContent = "拨打 " + o.phone;
          card.appendChild(call);
        } else {
          card.appendChild(text("未登记手机"));
        }
        return card;
      });
      return marker;
    }

    function loadOfficers() {
      fetch(el.dataset.officersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        officersLayer.clearLayers();
        data.officers.forEach(function (o) { officerMarker(o).addTo(officersLayer); });
        el.dataset.officerCount = String(data.officers.length);
      }).catch(function () { /* the next refresh tries again */ });
    }
    loadOfficers();
    setInterval(loadOfficers, OFFICER_REFRESH_MS);

    // --- the queue -------------------------------------------------------------------------------------------
    function addToCount(delta) {
      var count = document.getElementById("queue-count");
      var value = Math.max(0, Number(count.textContent) + delta);
      count.textContent = String(value);
      showEmpty();
    }

    function showEmpty() {
      var empty = document.querySelector(".queue-empty");
      if (empty) { empty.hidden = tbody().querySelector("tr.queue-row") !== null; }
    }

    function removeRow(tr) {
      var next = tr.nextElementSibling;
      if (next && next.classList.contains("inline-row")) { next.remove(); }
      tr.remove();
    }

    function rowFromHtml(html) {
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();  // rendered and escaped by the server's template
      return holder.firstElementChild;
    }

    function upsert(row) {
      var existing = document.getElementById("event-" + row.id);
      if (!row.matches) {
        dropMarker(row.id);
        if (existing) { removeRow(existing); addToCount(-1); }
        return;
      }
      setMarker({ id: row.id, lon: row.lon, lat: row.lat, public_no: row.public_no, status: row.status, is_urgent: row.is_urgent, title: row.title });
      statuses[row.status] = row.status_label;
      var tr = rowFromHtml(row.html);
      if (existing) {
        if (existing.classList.contains("new")) { tr.classList.add("new"); }
        existing.replaceWith(tr);
      } else if (row.is_new) {
        addToCount(1);
        if (results().dataset.page !== "1") { return; }  // only the first page takes new events
        tr.classList.add("new");
        tbody().prepend(tr);
        tone(row.is_urgent);
      } else {
        return;  // a change to an event on another page
      }
      htmx.process(tr);
      showEmpty();
      if (window.zhifaCountdown) { window.zhifaCountdown.tick(); }
    }

    // Looked at: a new row keeps its highlight until the pointer passes over it or it takes the focus.
    function seen(e) {
      var tr = e.target.closest && e.target.closest("tr.new");
      if (tr) { tr.classList.remove("new"); }
    }
    el.closest(".command-grid").addEventListener("mouseover", seen);
    el.closest(".command-grid").addEventListener("focusin", seen);

    // --- the live feed ---------------------------------------------------------------------------------------
    // The first connection starts from the results' render time; the browser sends the last id back as
    // Last-Event-ID when it reconnects (after the server closes the stream or a network drop). New filters
    // mean a new stream, from the new results' render time.
    var source = null;
    var streamQuery = null;
    function connect() {
      var r = results();
      streamQuery = r.dataset.query;
      if (source) { source.close(); }
      var url = el.dataset.streamUrl + "?since=" + encodeURIComponent(r.dataset.since) + (streamQuery ? "&" + streamQuery : "");
      source = new EventSource(url);
      source.addEventListener("open", function () { status.textContent = "实时"; status.dataset.state = "live"; });
      source.addEventListener("error", function () { status.textContent = "重新连接中…"; status.dataset.state = "reconnecting"; });
      source.addEventListener("event", function (message) { upsert(JSON.parse(message.data)); });
      // The clock watcher's heartbeat (zhifa/web/health.py): shown while escalation has stopped, hidden once it runs.
      source.addEventListener("escalation", function (message) {
        var state = JSON.parse(message.data), banner = document.getElementById("escalation-banner");
        banner.textContent = state.message;
        banner.hidden = !state.is_stale;
      });
    }
    connect();
    loadMarkers(results().dataset.query);

    // New results (filters or page): the map and the stream follow the filters.
    document.body.addEventListener("htmx:afterSettle", function () {
      var query = results().dataset.query;
      if (query !== streamQuery) { connect(); }
      if (query !== markersQuery) { loadMarkers(query); }
      showEmpty();
    });

    // An action refused by a rule (404 for an unknown merge target, 409, 422) still answers with the row and
    // the Chinese message: swap it in. Any other error answer is an error page, never swapped into the queue.
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      var xhr = e.detail.xhr;
      if (xhr.status >= 400 && xhr.getResponseHeader("X-Command-Answer") === "row") {
        e.detail.shouldSwap = true;
        e.detail.isError = false;
      }
    });

    // A transfer or merge done: its inline form goes with it.
    document.body.addEventListener("htmx:afterRequest", function (e) {
      var form = e.detail.elt;
      var inline = form && form.closest && form.closest("tr.inline-row");
      // (A refused one, swapped in all the same, keeps its form to be completed: it is judged by the status.)
      if (inline && e.detail.xhr && e.detail.xhr.status < 400) { inline.remove(); }
    });

    // Transfer and merge open a small inline form under the row.
    el.closest(".command-grid").addEventListener("click", function (e) {
      var button = e.target.closest("#queue button[data-open]");
      if (!button) { return; }
      var row = button.closest("tr");
      var open = row.nextElementSibling && row.nextElementSibling.classList.contains("inline-row") ? row.nextElementSibling : null;
      if (open) { open.remove(); if (open.dataset.kind === button.dataset.open) { return; } }
      var form = document.getElementById(button.dataset.open + "-template").content.firstElementChild.cloneNode(true);
      form.action = button.dataset.action;
      form.setAttribute("hx-post", button.dataset.inPlace);
      form.setAttribute("hx-target", "#event-" + row.dataset.id);
      form.setAttribute("hx-swap", "outerHTML");
      var tr = document.createElement("tr");
      tr.className = "inline-row";
      tr.dataset.kind = button.dataset.open;
      tr.dataset.for = row.dataset.id;
      var td = document.createElement("td");
      td.colSpan = 4;
      td.appendChild(form);
      tr.appendChild(td);
      row.after(tr);
      htmx.process(tr);
      form.querySelector("select, input:not([type=hidden])").focus();
    });
  });
})();
