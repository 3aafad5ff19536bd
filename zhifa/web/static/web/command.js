/* 指挥中心: the queue sorted by the nearest running deadline, the map of events and officers, and the live
 * feed. The server sends each changed event's row already rendered (the same template partial as the page)
 * over Server-Sent Events; this script only inserts, replaces, removes and re-sorts rows. */
(function () {
  "use strict";

  var STATUS_COLOURS = { free: "#2e7d32", busy: "#e65100", off_duty: "#9e9e9e" };
  var OFFICER_REFRESH_MS = 15000;

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function byDue(a, b) {
    // Rows without a running clock (waiting for the command centre) come first: they need a decision now.
    var da = a.dataset.due ? Date.parse(a.dataset.due) : -Infinity;
    var db = b.dataset.due ? Date.parse(b.dataset.due) : -Infinity;
    return da - db || Number(a.dataset.id) - Number(b.dataset.id);
  }

  function sortQueue(tbody) {
    var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr.queue-row"));
    var inline = Array.prototype.slice.call(tbody.querySelectorAll("tr.inline-row"));
    rows.sort(byDue).forEach(function (row) { tbody.appendChild(row); });
    // An open transfer/merge form stays under its event's row.
    inline.forEach(function (tr) {
      var owner = document.getElementById("event-" + tr.dataset.for);
      if (owner) { owner.after(tr); } else { tr.remove(); }
    });
    document.getElementById("queue-count").textContent = String(rows.length);
    document.querySelector(".queue-empty").hidden = rows.length > 0;
  }

  // Leaflet puts a string given to bindTooltip/bindPopup into innerHTML: names (typed by users) go in as an
  // element whose text is set, so a name like <img onerror=…> shows as text and runs nothing.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function eventMarker(row) {
    var marker = L.circleMarker([row.lat, row.lon], {
      radius: 7, color: "#ffffff", weight: 1.5, fillColor: "#c62828", fillOpacity: 0.9
    });
    var link = document.createElement("a");
    link.href = row.url;
    link.textContent = row.public_no + " " + row.title + "（" + row.status_label + "）";
    marker.bindPopup(link);
    marker.on("click", function () {
      var tr = document.getElementById("event-" + row.id);
      if (tr) { tr.scrollIntoView({ block: "center" }); tr.classList.add("flash"); setTimeout(function () { tr.classList.remove("flash"); }, 1500); }
    });
    return marker;
  }

  function officerMarker(o) {
    var marker = L.circleMarker([o.lat, o.lon], {
      radius: 6, color: "#0d47a1", weight: 2, fillColor: STATUS_COLOURS[o.status] || "#9e9e9e", fillOpacity: 1
    });
    marker.bindTooltip(text(o.name + "（" + o.status_label + "）"));
    return marker;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("command-map");
    var tbody = document.getElementById("queue");
    var status = document.getElementById("live-status");
    var config = readJson("map-config");
    var map = L.map(el, { preferCanvas: true });
    if (config.tileUrl) { L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map); }
    var eventsLayer = L.layerGroup().addTo(map);
    var officersLayer = L.layerGroup().addTo(map);
    var markers = {};

    function upsert(row) {
      var existing = document.getElementById("event-" + row.id);
      if (markers[row.id]) { eventsLayer.removeLayer(markers[row.id]); delete markers[row.id]; }
      if (!row.is_open) {
        if (existing) { existing.remove(); }
      } else {
        var holder = document.createElement("tbody");
        holder.innerHTML = row.html.trim();  // rendered and escaped by the server's template
        var tr = holder.firstElementChild;
        if (existing) { existing.replaceWith(tr); } else { tbody.appendChild(tr); tr.classList.add("new"); }
        markers[row.id] = eventMarker(row).addTo(eventsLayer);
      }
      sortQueue(tbody);
      if (window.zhifaCountdown) { window.zhifaCountdown.tick(); }
    }

    (readJson("queue-rows") || []).forEach(function (row) { markers[row.id] = eventMarker(row).addTo(eventsLayer); });
    sortQueue(tbody);

    fetch(el.dataset.layersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var district = L.geoJSON(data.district, { style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(map);
      L.geoJSON(data.streets, { style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.1 }, interactive: false,
        onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name), { permanent: true, direction: "center", className: "street-label" }); }
      }).addTo(map);
      map.fitBounds(district.getBounds());
      var legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "map-legend");
        [["事件", "#c62828"], ["空闲", STATUS_COLOURS.free], ["忙碌", STATUS_COLOURS.busy], ["不在岗", STATUS_COLOURS.off_duty]].forEach(function (e) {
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

    function loadOfficers() {
      fetch(el.dataset.officersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        officersLayer.clearLayers();
        data.officers.forEach(function (o) { officerMarker(o).addTo(officersLayer); });
        el.dataset.officerCount = String(data.officers.length);
      }).catch(function () { /* the next refresh tries again */ });
    }
    loadOfficers();
    setInterval(loadOfficers, OFFICER_REFRESH_MS);

    // Live feed. The first connection starts from the page's render time; the browser sends the last id
    // back as Last-Event-ID when it reconnects (after the server closes the stream or a network drop).
    var source = new EventSource(el.dataset.streamUrl + "?since=" + encodeURIComponent(el.dataset.since));
    source.addEventListener("open", function () { status.textContent = "实时"; status.dataset.state = "live"; });
    source.addEventListener("error", function () { status.textContent = "重新连接中…"; status.dataset.state = "reconnecting"; });
    source.addEventListener("event", function (message) { upsert(JSON.parse(message.data)); });
    // The clock watcher's heartbeat (zhifa/web/health.py): shown while escalation has stopped, hidden once it runs.
    source.addEventListener("escalation", function (message) {
      var state = JSON.parse(message.data), banner = document.getElementById("escalation-banner");
      banner.textContent = state.message;
      banner.hidden = !state.is_stale;
    });

    // Transfer and merge open a small inline form under the row.
    tbody.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-open]");
      if (!button) { return; }
      var row = button.closest("tr");
      var open = row.nextElementSibling && row.nextElementSibling.classList.contains("inline-row") ? row.nextElementSibling : null;
      if (open) { open.remove(); if (open.dataset.kind === button.dataset.open) { return; } }
      var form = document.getElementById(button.dataset.open + "-template").content.firstElementChild.cloneNode(true);
      form.action = button.dataset.action;
      var tr = document.createElement("tr");
      tr.className = "inline-row";
      tr.dataset.kind = button.dataset.open;
      tr.dataset.for = row.dataset.id;
      var td = document.createElement("td");
      td.colSpan = 4;
      td.appendChild(form);
      tr.appendChild(td);
      row.after(tr);
      form.querySelector("select, input:not([type=hidden])").focus();
    });
  });
})();
