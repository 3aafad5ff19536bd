/* 12345 hotline form: a click on the map sets the event's point (WGS-84, the map's own coordinates) into the
 * hidden lon/lat fields; the typed address is the fallback the server geocodes. No tile server needed. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("pickmap");
    if (!el) { return; }
    var config = JSON.parse(document.getElementById("map-config").textContent);
    var lon = document.getElementById("id_lon");
    var lat = document.getElementById("id_lat");
    var picked = document.getElementById("picked");
    var map = L.map(el);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var marker = null;

    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      picked.textContent = "已选位置：" + lon.value + ", " + lat.value;
      el.dataset.picked = "true";
    }

    fetch(el.dataset.layersUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var district = L.geoJSON(data.district, { style: { color: "#0a3680", weight: 3, fill: false }, interactive: false }).addTo(map);
      L.geoJSON(data.streets, {
        style: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.12 },
        interactive: false,
        onEachFeature: function (f, layer) {
          // An element with its text set, not a string: Leaflet would parse a string (a street's name) as HTML.
          var label = document.createElement("span");
          label.textContent = f.properties.name;
          layer.bindTooltip(label, { permanent: true, direction: "center", className: "street-label" });
        }
      }).addTo(map);
      map.fitBounds(district.getBounds());
      if (lon.value && lat.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
      el.dataset.ready = "true";
    });
    map.on("click", function (e) { place(e.latlng); });
  });
})();
