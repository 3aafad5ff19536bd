// The command centre's wall screen (大屏, issue 17 part 2): drawn from the figures the page passed as JSON
// (json_script) and kept current without reloading — the live stream (/analytics/wall/stream, Server-Sent
// Events) brings each new or changed event at once, and the figures (1530 rate, officers, clocks, hotspots)
// are read again from /analytics/wall/data.json shortly after a change and every few seconds.
// Every name and description reaches the page as text (textContent) and the map's tooltips as text nodes:
// nothing from the data is ever parsed as markup.
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var data = readJson("wall-data");
  var outlines = readJson("wall-grids");
  var config = readJson("wall-config");
  if (!data || !config) { return; }

  // As many as the server lists (a new event pushes the oldest out).
  var MAX_EVENTS = data.events_limit;
  var events = data.events.slice();

  // ---- live events -------------------------------------------------------------------------------------

  function eventItem(e) {
    var li = el("li", "wall-event" + (e.is_urgent ? " urgent" : ""));
    li.id = "wall-event-" + e.id;
    li.dataset.id = String(e.id);
    var top = el("div", "wall-event-top");
    top.append(el("span", "time", e.time), el("span", "no", e.public_no));
    if (e.is_urgent) { top.appendChild(el("span", "urgent-tag", "紧急")); }
    top.appendChild(el("span", "status status-" + e.status, e.status_label));
    var desc = el("div", "desc", e.description);
    var place = el("div", "place", [e.street, e.address].filter(Boolean).join(" · "));
    li.append(top, desc, place);
    return li;
  }

  function drawEvents(flashId) {
    var list = document.getElementById("wall-events");
    var items = events.slice(0, MAX_EVENTS).map(eventItem);
    if (!items.length) { items = [el("li", "empty", "今日暂无事件")]; }
    list.replaceChildren.apply(list, items);
    if (flashId !== undefined) {
      var fresh = document.getElementById("wall-event-" + flashId);
      if (fresh) { fresh.classList.add("fresh"); }
    }
  }

  // A row already on the list (a change, or the stream's look-back re-sending it) is updated without the flash.
  function upsertEvent(row) {
    var known = events.some(function (e) { return e.id === row.id; });
    events = events.filter(function (e) { return e.id !== row.id; });
    if (row.on_wall) {
      events.push(row);
      events.sort(function (a, b) { return a.reported_at < b.reported_at ? 1 : a.reported_at > b.reported_at ? -1 : b.id - a.id; });
      events = events.slice(0, MAX_EVENTS);
    }
    drawEvents(row.on_wall && !known ? row.id : undefined);
  }

  // ---- figures -----------------------------------------------------------------------------------------

  function percent(rate) { return rate === null || rate === undefined ? "—" : (Math.round(rate * 1000) / 10) + "%"; }

  function drawRates(rates) {
    var box = document.getElementById("wall-rates");
    box.replaceChildren.apply(box, rates.map(function (r) {
      var cell = el("div", "wall-rate");
      cell.id = "rate-" + r.key;
      var value = el("b", "value", percent(r.rate));
      if (r.rate === null || r.rate === undefined) { value.classList.add("none"); } else if (r.rate < 0.9) { value.classList.add("low"); }
      cell.append(el("span", "label", "今日" + r.label + "达标率"), value);
      return cell;
    }));
  }

  function drawClocks(clocks) {
    var list = document.getElementById("wall-clocks");
    var items = clocks.upcoming.map(function (c) {
      var li = el("li", "wall-due" + (c.is_urgent ? " urgent" : ""));
      var count = el("span", "countdown");
      count.dataset.due = c.due_at;
      li.append(count, el("span", "clock-label", c.clock_label), el("span", "no", c.public_no), el("span", "street", [c.street, c.description].filter(Boolean).join(" · ")));
      return li;
    });
    if (!items.length) { items = [el("li", "empty", "暂无计时中的时限")]; }
    list.replaceChildren.apply(list, items);
    document.getElementById("clocks-overdue").textContent = String(clocks.overdue);
    if (window.zhifaCountdown) { window.zhifaCountdown.tick(); }
  }

  function drawHot(rows) {
    var list = document.getElementById("wall-hot");
    var items = rows.slice(0, 5).map(function (r) {
      var li = el("li", "wall-hot-row");
      li.append(el("span", "name", r.label), el("span", "street", r.street), el("b", "count", r.count));
      return li;
    });
    if (!items.length) { items = [el("li", "empty", "近" + data.hot_hours + "小时无事件")]; }
    list.replaceChildren.apply(list, items);
  }

  function drawFigures(d) {
    document.getElementById("wall-total").textContent = String(d.total);
    document.getElementById("wall-escalated").textContent = String(d.escalated);
    document.getElementById("officers-on-duty").textContent = String(d.officers.on_duty);
    document.getElementById("officers-busy").textContent = String(d.officers.busy);
    document.getElementById("officers-free").textContent = String(d.officers.free);
    drawRates(d.rates);
    drawClocks(d.clocks);
    drawHot(d.hotspots);
    shadeMap(d.hotspots);
    drawOfficers(d.officer_points);
  }

  // ---- the map: grid outlines shaded by the last hours' events, officers as dots, no tiles ---------------

  var map = null;
  var gridLayer = null;
  var officerLayer = null;
  var hot = {};
  var SHADES = ["#3a1d1d", "#7f1d1d", "#b91c1c", "#ef4444", "#fca5a5"];
  var OFFICER_COLOURS = { free: "#22c55e", busy: "#f59e0b", off_duty: "#94a3b8" };

  function shade(count, max) {
    if (!count) { return { fillColor: "#1e293b", fillOpacity: 0.35 }; }
    var i = Math.min(SHADES.length - 1, Math.floor((count / Math.max(max, 1)) * (SHADES.length - 1)));
    return { fillColor: SHADES[i], fillOpacity: 0.85 };
  }

  // Leaflet puts a string tooltip into innerHTML: the tooltip is an element whose text is set.
  function gridTip(props) {
    var count = hot[props.key] || 0;
    return el("span", "wall-tip", props.street + " · " + props.name + "：近" + data.hot_hours + "小时 " + count + " 件");
  }

  function shadeMap(rows) {
    hot = {};
    var max = 0;
    rows.forEach(function (r) { hot[r.key] = r.count; if (r.count > max) { max = r.count; } });
    if (!gridLayer) { return; }
    gridLayer.eachLayer(function (layer) {
      var key = layer.feature.properties.key;
      layer.setStyle(shade(hot[key] || 0, max));
      layer.setTooltipContent(gridTip(layer.feature.properties));
    });
  }

  function drawOfficers(points) {
    if (!officerLayer) { return; }
    officerLayer.clearLayers();
    points.forEach(function (o) {
      L.circleMarker([o.lat, o.lon], {
        radius: 7, color: "#0f172a", weight: 2, fillColor: OFFICER_COLOURS[o.status] || "#94a3b8", fillOpacity: 1
      }).bindTooltip(el("span", "wall-tip", o.name)).addTo(officerLayer);
    });
  }

  function drawMap() {
    var node = document.getElementById("wall-map");
    if (!node || typeof L === "undefined") { return; }
    map = L.map(node, { zoomControl: false, attributionControl: false, preferCanvas: false, zoomSnap: 0.25 });
    gridLayer = L.geoJSON(outlines, {
      style: function () { return { color: "#64748b", weight: 1, fillColor: "#1e293b", fillOpacity: 0.35 }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(gridTip(f.properties), { sticky: true }); }
    }).addTo(map);
    officerLayer = L.layerGroup().addTo(map);
    var bounds = gridLayer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16] }); } else { map.setView([30.3, 120.1], 12); }
  }

  // ---- keeping current ---------------------------------------------------------------------------------

  var refreshing = null;
  var again = false;
  var soon = null;

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (d) {
        data = d;
        events = d.events.slice();
        drawEvents();
        drawFigures(d);
        document.body.dataset.refreshedAt = d.now;
      })
      .catch(function () { /* the next refresh tries again */ })
      .finally(function () {
        refreshing = null;
        if (again) { again = false; refresh(); }
      });
  }

  function refreshSoon() {
    if (soon) { return; }
    soon = setTimeout(function () { soon = null; refresh(); }, 1500);
  }

  function connect() {
    var live = document.getElementById("wall-live");
    var params = new URLSearchParams(config.streamQuery || {});
    params.set("since", config.since);
    var source = new EventSource(config.streamUrl + "?" + params.toString());
    source.addEventListener("open", function () { live.textContent = "● 实时"; live.dataset.state = "live"; });
    source.addEventListener("error", function () { live.textContent = "重新连接中…"; live.dataset.state = "reconnecting"; });
    source.addEventListener("event", function (message) {
      upsertEvent(JSON.parse(message.data));
      refreshSoon();
    });
  }

  function tickClock() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    document.getElementById("wall-clock").textContent =
      now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + " " +
      pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMap();
    drawEvents();
    drawFigures(data);
    tickClock();
    setInterval(tickClock, 1000);
    connect();
    setInterval(refresh, (config.refreshSeconds || 10) * 1000);
  });
})();
