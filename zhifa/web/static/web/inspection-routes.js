/* 检查路线: each crew's route of the day drawn on a plain Leaflet map (no tile server unless the operator
 * configured one): the district and its streets from /map/layers.json, the gazetteer's roads from
 * /map/roads.json, then per crew its start point, a line through its stops in order and back, and a numbered
 * marker per stop; visits not fitted are grey markers. The routes come from the page (json_script
 * "route-data"), already scoped on the server. Every name goes into Leaflet as an element whose textContent is
 * set — never as a string, which Leaflet would put into innerHTML. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("加载失败：" + r.status); }
      return r.json();
    });
  }

  function text(value, className) {
    var span = document.createElement("span");
    span.textContent = value;
    if (className) { span.className = className; }
    return span;
  }

  function lines() {
    var box = document.createElement("div");
    for (var i = 0; i < arguments.length; i++) {
      var row = document.createElement("div");
      row.textContent = arguments[i];
      box.appendChild(row);
    }
    return box;
  }

  function setup(el) {
    var config = readJson("map-config") || {};
    var data = readJson("route-data") || { crews: [], unfitted: [] };
    document.querySelectorAll(".crew-swatch[data-colour]").forEach(function (swatch) {
      swatch.style.background = swatch.dataset.colour;
    });

    var map = L.map(el, { zoomSnap: 0.5 });
    map.attributionControl.setPrefix("Leaflet");
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    // Boundaries and roads in their own pane below the routes' (overlayPane, 400), whenever they arrive.
    map.createPane("routeBase").style.zIndex = "350";
    var base = L.layerGroup().addTo(map);
    var routes = L.featureGroup().addTo(map);
    var markers = 0;

    data.crews.forEach(function (crew) {
      var start = L.latLng(crew.start[1], crew.start[0]);
      // The line first, so that the markers lie on top of it (hovering a stop shows the stop, not the line).
      if (crew.stops.length) {
        var path = [start].concat(crew.stops.map(function (stop) { return L.latLng(stop.lat, stop.lon); }), [start]);
        var line = L.polyline(path, { className: "route-line", color: crew.colour, weight: 3, opacity: 0.85 });
        line.bindTooltip(text(crew.label), { sticky: true });
        routes.addLayer(line);
      }
      var home = L.circleMarker(start, { className: "route-start", radius: 7, color: crew.colour, weight: 3, fillColor: "#ffffff", fillOpacity: 1 });
      home.bindTooltip(lines(crew.startLabel, crew.label));
      routes.addLayer(home);
      crew.stops.forEach(function (stop) {
        var marker = L.circleMarker(L.latLng(stop.lat, stop.lon), {
          className: "route-stop", radius: 8, color: "#ffffff", weight: 1.5, fillColor: crew.colour, fillOpacity: 0.95
        });
        marker.bindTooltip(lines(stop.order + ". " + stop.name, stop.text), { direction: "top", offset: [0, -6] });
        marker.bindPopup(lines(stop.name, stop.text));
        routes.addLayer(marker);
        markers += 1;
      });
    });
    data.unfitted.forEach(function (visit) {
      var marker = L.circleMarker(L.latLng(visit.lat, visit.lon), {
        className: "route-unfitted", radius: 6, color: "#616161", weight: 1.5, dashArray: "2 2", fillColor: "#bdbdbd", fillOpacity: 0.9
      });
      marker.bindTooltip(lines("未排入：" + visit.name, visit.text), { direction: "top", offset: [0, -6] });
      routes.addLayer(marker);
      markers += 1;
    });
    el.dataset.routeCount = String(data.crews.filter(function (c) { return c.stops.length; }).length);
    el.dataset.markerCount = String(markers);

    function fit(fallback) {
      if (routes.getLayers().length) { map.fitBounds(routes.getBounds().pad(0.15)); }
      else if (fallback && fallback.isValid()) { map.fitBounds(fallback); }
      else { map.setView([30.3, 120.15], 12); }
    }
    fit(null);

    getJson(el.dataset.layersUrl).then(function (layers) {
      L.geoJSON(layers.district, { pane: "routeBase", style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(base);
      var streets = L.geoJSON(layers.streets, {
        pane: "routeBase",
        style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.08 },
        onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name)); }
      }).addTo(base);
      if (!routes.getLayers().length) { fit(streets.getBounds()); }
      el.dataset.layersLoaded = "true";
    }).catch(function () { el.dataset.layersLoaded = "failed"; });
    if (!config.tileUrl) {
      getJson(el.dataset.roadsUrl).then(function (roads) {
        L.geoJSON(roads, {
          pane: "routeBase",
          style: { color: "#9e9e9e", weight: 1.5, opacity: 0.8 },
          onEachFeature: function (f, layer) { layer.bindTooltip(text(f.properties.name), { sticky: true }); }
        }).addTo(base);
      }).catch(function () { /* the routes stand without roads */ });
    }
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("routes-map");
    if (el) { setup(el); }
  });
})();
