/* 三色管理: the subjects the reader may see, each a circle in its colour on a plain Leaflet map (no tile server
 * unless the operator configured one) over the district and its streets from /map/layers.json. The points come
 * from the page (json_script "colour-data"), already scoped on the server. Every name goes into Leaflet as an
 * element whose textContent is set — never as a string, which Leaflet would put into innerHTML. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
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
    var points = readJson("colour-data") || [];
    var map = L.map(el, { zoomSnap: 0.5, maxZoom: 19 });
    map.attributionControl.setPrefix("Leaflet");
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    map.createPane("colourBase").style.zIndex = "350";
    var dots = L.featureGroup().addTo(map);
    points.forEach(function (p) {
      var marker = L.circleMarker(L.latLng(p.lat, p.lon), {
        className: "colour-dot colour-" + p.colour, radius: 7, color: "#ffffff", weight: 1.5, fillColor: p.hex, fillOpacity: 0.95
      });
      marker.bindTooltip(lines(p.name, p.text), { direction: "top", offset: [0, -6] });
      dots.addLayer(marker);
    });
    el.dataset.markerCount = String(points.length);
    if (dots.getLayers().length) { map.fitBounds(dots.getBounds().pad(0.2), { maxZoom: 16 }); }
    else { map.setView([30.3, 120.15], 12); }
    fetch(el.dataset.layersUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (layers) {
        L.geoJSON(layers.district, { pane: "colourBase", style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(map);
        var streets = L.geoJSON(layers.streets, {
          pane: "colourBase",
          style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.08 },
          onEachFeature: function (f, layer) {
            var t = document.createElement("span");
            t.textContent = f.properties.name;
            layer.bindTooltip(t);
          }
        }).addTo(map);
        if (!dots.getLayers().length && streets.getBounds().isValid()) { map.fitBounds(streets.getBounds()); }
        el.dataset.layersLoaded = "true";
      })
      .catch(function () { el.dataset.layersLoaded = "failed"; });
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("colours-map");
    if (el) { setup(el); }
  });
})();
