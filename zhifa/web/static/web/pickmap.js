/* The pick map: where an event is (hotline form 12345 受理, 更正位置 on the event page).
 *
 * Markup: a container [data-pick] inside a form holding the form's lon/lat (hidden, WGS-84) and optionally
 * address inputs (named by data-lon / data-lat / data-address), a search box .pick-q with its list
 * .pick-results, the map .pickmap, and the lines .pick-note (base map), .pick-status (the chosen place),
 * .pick-error (a refused pick).
 *
 * - The base map: tiles when the operator configured a tile server (ZHIFA_TILE_URL); otherwise the page says
 *   so, and draws the district, its streets and the gazetteer's roads (/map/roads.json) to click on.
 * - A click outside the district is refused here at once (the district outline from /map/layers.json, and
 *   /map/where.json confirms), with the reason, and the fields keep the last good pick; the services refuse
 *   such a point anyway (point_outside_district).
 * - The chosen place is shown by name — the nearest road number or landmark and the street (/map/where.json)
 *   — never as raw coordinates.
 * - The search box asks /map/places.json (fuzzy spelling, pinyin, initials, house numbers along the road);
 *   choosing a result moves the pin there and fills the address.
 * Every name from the server goes into the page as text (textContent, Leaflet tooltips as elements). */
(function () {
  "use strict";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("加载失败：" + r.status); }
      return r.json();
    });
  }

  function textEl(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) { el.className = className; }
    return el;
  }

  // Ray casting over a GeoJSON Polygon / MultiPolygon (lon/lat rings); holes count as outside.
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (((yi > y) !== (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) { inside = !inside; }
    }
    return inside;
  }
  function inPolygon(rings, x, y) {
    if (!inRing(rings[0], x, y)) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(rings[k], x, y)) { return false; } }
    return true;
  }
  function inDistrict(collection, x, y) {
    var features = (collection && collection.features) || [];
    if (!features.length) { return true; }  // no outline to test against: leave it to the server
    return features.some(function (f) {
      var g = f.geometry;
      if (!g) { return false; }
      if (g.type === "Polygon") { return inPolygon(g.coordinates, x, y); }
      if (g.type === "MultiPolygon") { return g.coordinates.some(function (p) { return inPolygon(p, x, y); }); }
      return false;
    });
  }

  function setup(box) {
    var form = box.closest("form");
    var config = JSON.parse(document.getElementById("map-config").textContent || "{}");
    var el = box.querySelector(".pickmap");
    var lon = form.querySelector("[name=" + (box.dataset.lon || "lon") + "]");
    var lat = form.querySelector("[name=" + (box.dataset.lat || "lat") + "]");
    var address = box.dataset.address ? form.querySelector("[name=" + box.dataset.address + "]") : null;
    var status = box.querySelector(".pick-status");
    var error = box.querySelector(".pick-error");
    var note = box.querySelector(".pick-note");
    var q = box.querySelector(".pick-q");
    var results = box.querySelector(".pick-results");
    var districtName = box.dataset.districtName || "本区";
    var outline = null;
    var marker = null;
    var asked = 0;

    var map = L.map(el, { zoomSnap: 0.5 });
    map.attributionControl.setPrefix("Leaflet");
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
      el.dataset.tiles = "true";
    } else {
      el.dataset.tiles = "false";
      note.textContent = "未配置底图服务（ZHIFA_TILE_URL），地图只显示区界、街道和地名地址库中的道路；可在上方输入地址查找，或在道路附近点选。";
      note.hidden = false;
    }

    function refuse(message) {
      error.textContent = message;
      error.hidden = false;
      el.dataset.refused = "true";
    }

    function show(label) {
      status.textContent = "已选位置：" + label;
      el.dataset.label = label;
    }

    // Name the point from the server; a later pick wins over an earlier answer still on its way.
    function describe(latlng, known) {
      var mine = ++asked;
      if (known) { show(known); }
      else { status.textContent = "已选位置（正在查询地名…）"; }
      var url = box.dataset.whereUrl + "?lon=" + latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7);
      return getJson(url).then(function (data) {
        if (mine !== asked) { return; }
        if (!data.inside) { clear(); refuse(data.message || ("所选位置不在" + districtName + "辖区内，请在辖区范围内选点")); return; }
        if (!known) { show(data.label || "辖区内（附近没有登记的地名）"); }
        else if (data.street) { show(known + " · " + data.street); }
      }).catch(function () { if (mine === asked && !known) { show("辖区内（地名查询失败）"); } });
    }

    function clear() {
      if (marker) { map.removeLayer(marker); marker = null; }
      lon.value = "";
      lat.value = "";
      delete el.dataset.picked;
      status.textContent = "尚未选择位置";
    }

    function place(latlng, known) {
      error.hidden = true;
      delete el.dataset.refused;
      if (outline && !inDistrict(outline, latlng.lng, latlng.lat)) {
        refuse("所选位置不在" + districtName + "辖区内，请在辖区范围内重新选点");
        return;
      }
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      lon.value = latlng.lng.toFixed(7);
      lat.value = latlng.lat.toFixed(7);
      el.dataset.picked = "true";
      describe(latlng, known);
    }

    getJson(box.dataset.layersUrl).then(function (data) {
      outline = data.district;
      var district = L.geoJSON(data.district, { style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(map);
      L.geoJSON(data.streets, {
        style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.12 },
        interactive: false,
        onEachFeature: function (f, layer) {
          layer.bindTooltip(textEl("span", f.properties.name), { permanent: true, direction: "center", className: "street-label" });
        }
      }).addTo(map);
      map.fitBounds(district.getBounds());
      if (!config.tileUrl && box.dataset.roadsUrl) {
        getJson(box.dataset.roadsUrl).then(function (roads) {
          var named = {};
          L.geoJSON(roads, {
            style: { color: "#8d6e63", weight: 4, opacity: 0.8 },
            interactive: false,
            onEachFeature: function (f, layer) {
              // A road numbered by sides is two lines: one label.
              if (named[f.properties.name]) { return; }
              named[f.properties.name] = true;
              layer.bindTooltip(textEl("span", f.properties.name), { permanent: true, direction: "center", className: "road-label" });
            }
          }).addTo(map);
          el.dataset.roads = String(roads.features.length);
        });
      }
      if (lon.value && lat.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
      el.dataset.ready = "true";
    }).catch(function (err) { el.dataset.error = String(err); });
    map.on("click", function (e) { place(e.latlng); });
    // A map inside a closed <details> (更正位置) was drawn 0 px wide: size it again when it opens.
    var details = box.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        map.invalidateSize();
        if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16)); }
        else if (outline) { map.fitBounds(L.geoJSON(outline).getBounds()); }
      });
    }

    // --- the gazetteer search ------------------------------------------------------------------------
    if (!q) { return; }
    var timer = null;
    var searched = 0;

    function choose(hit) {
      results.replaceChildren();
      results.hidden = true;
      var latlng = L.latLng(hit.lat, hit.lon);
      map.setView(latlng, Math.max(map.getZoom(), 16));
      if (address) { address.value = hit.label; }
      var label = hit.label + (hit.number_in_range === false ? "（门牌号超出该路已登记范围，位置为道路端点，请核实）" : "");
      place(latlng, label);
    }

    function list(hits) {
      results.replaceChildren();
      if (!hits.length) {
        results.appendChild(textEl("li", "地名地址库中没有找到，请换个写法或在地图上点选", "pick-empty"));
      }
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pick-hit";
        // A number beyond the road's registered range sits at the road's end, which may be in another street
        // than the road's own: the list does not name a street for it (issue 16).
        var where = hit.number_in_range === false ? "门牌号超出已登记范围，请在地图上选点" : hit.street;
        button.append(textEl("b", hit.label), textEl("span", " " + hit.kind_label + " · " + where, "muted"));
        button.addEventListener("click", function () { choose(hit); });
        item.appendChild(button);
        results.appendChild(item);
      });
      results.hidden = false;
    }

    function search() {
      var text = q.value.trim();
      if (!text) { results.replaceChildren(); results.hidden = true; return; }
      var mine = ++searched;
      getJson(box.dataset.placesUrl + "?q=" + encodeURIComponent(text)).then(function (data) {
        if (mine === searched) { list(data.results); }
      }).catch(function () { if (mine === searched) { list([]); } });
    }

    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    q.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();  // Enter in the search box looks up the place; it does not submit the form
      clearTimeout(timer);
      var first = results.querySelector(".pick-hit");
      if (first && !results.hidden) { first.click(); } else { search(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pick]").forEach(setup);
  });
})();
