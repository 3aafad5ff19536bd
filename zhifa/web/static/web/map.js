/* 一张图 and the small location map on a subject's page. Plain Leaflet, no tile server needed:
 * boundaries and points are drawn on a plain background; a base-map tile layer is added only when the
 * operator configured one (settings.ZHIFA_TILE_URL). Data comes from /map/layers.json and /map/subjects.json,
 * both already scoped to the user's jurisdiction on the server. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function addTiles(map, config) {
    if (config && config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("加载失败：" + r.status); }
      return r.json();
    });
  }

  var styles = {
    district: { color: "#0a3680", weight: 3, fill: false, dashArray: null },
    street: { color: "#1565c0", weight: 1.5, fillColor: "#90caf9", fillOpacity: 0.12 },
    zone: { color: "#5c6bc0", weight: 1, dashArray: "4 4", fill: false }
  };

  // Leaflet puts a string given to bindTooltip/bindPopup into innerHTML: every name (typed by users) goes in
  // as an element whose text is set, never as a string, so a name like <img onerror=…> shows as text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function popupContent(props) {
    var box = document.createElement("div");
    var name = document.createElement("div");
    name.className = "popup-name";
    name.textContent = props.name;
    var meta = document.createElement("div");
    meta.className = "muted";
    meta.textContent = props.category_label + " · " + props.street;
    var address = document.createElement("div");
    address.className = "popup-address";
    address.textContent = props.address;
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = "查看详情 »";
    box.append(name, meta, address, link);
    return box;
  }

  function subjectMarker(feature, latlng) {
    var props = feature.properties;
    var marker = L.circleMarker(latlng, {
      radius: 6, color: "#ffffff", weight: 1.5, fillColor: props.colour, fillOpacity: 0.95
    });
    marker.bindPopup(popupContent(props), { className: "subject-popup", maxWidth: 280 });
    marker.bindTooltip(text(props.name), { direction: "top", offset: [0, -6] });
    return marker;
  }

  function boundaryLayers(data) {
    return {
      district: L.geoJSON(data.district, { style: styles.district, interactive: false }),
      streets: L.geoJSON(data.streets, {
        style: styles.street,
        onEachFeature: function (f, layer) {
          layer.bindTooltip(text(f.properties.name), { permanent: true, direction: "center", className: "street-label" });
        }
      }),
      zones: L.geoJSON(data.zones, {
        style: styles.zone,
        onEachFeature: function (f, layer) { layer.bindPopup(text(f.properties.street + " · " + f.properties.name)); }
      })
    };
  }

  function legendControl(entries) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      var title = document.createElement("b");
      title.textContent = "业态";
      div.appendChild(title);
      entries.forEach(function (entry) {
        var row = document.createElement("div");
        var dot = document.createElement("i");
        dot.style.background = entry[1];
        row.append(dot, document.createTextNode(entry[0]));
        div.appendChild(row);
      });
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control;
  }

  function districtMap(el) {
    var config = readJson("map-config");
    var focus = readJson("map-focus");
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5 });
    map.attributionControl.setPrefix("Leaflet");
    addTiles(map, config);
    var subjects = L.geoJSON(null, { pointToLayer: subjectMarker }).addTo(map);
    var complete = false;

    function openFocus() {
      if (!focus) { return; }
      var target = null;
      subjects.eachLayer(function (layer) { if (layer.feature.id === focus.id) { target = layer; } });
      if (!target) {
        // Outside the loaded box: show it anyway, it came from the scoped detail lookup.
        target = subjectMarker(focus, L.latLng(focus.geometry.coordinates[1], focus.geometry.coordinates[0]));
        target.feature = focus;
        subjects.addLayer(target);
      }
      target.openPopup();
      el.dataset.focusOpened = "true";
      focus = null;
    }

    // Only one request at a time; a move during a request asks again once it is done.
    var loading = null;
    var stale = false;

    function loadSubjects() {
      if (loading) { stale = true; return loading; }
      var url = el.dataset.subjectsUrl + "?bbox=" + encodeURIComponent(map.getBounds().toBBoxString());
      loading = getJson(url).then(function (data) {
        var openId = null;
        subjects.eachLayer(function (layer) { if (layer.isPopupOpen()) { openId = layer.feature.id; } });
        complete = data.is_complete;
        subjects.clearLayers();
        subjects.addData(data);
        el.dataset.subjectCount = String(data.features.length);
        if (openId !== null) {
          subjects.eachLayer(function (layer) { if (layer.feature.id === openId) { layer.openPopup(); } });
        }
        openFocus();
      }).finally(function () {
        loading = null;
        if (stale && !complete) { stale = false; loadSubjects(); }
      });
      return loading;
    }

    getJson(el.dataset.layersUrl).then(function (data) {
      var layers = boundaryLayers(data);
      layers.district.addTo(map);
      layers.streets.addTo(map);
      layers.zones.addTo(map);
      L.control.layers(null, {
        "区界": layers.district, "街道": layers.streets, "片区": layers.zones, "执法对象": subjects
      }, { collapsed: false }).addTo(map);
      legendControl(readJson("map-legend") || []).addTo(map);
      L.control.scale({ imperial: false }).addTo(map);
      if (focus) {
        map.setView([focus.geometry.coordinates[1], focus.geometry.coordinates[0]], 17);
      } else {
        var bounds = layers.district.getBounds();
        map.fitBounds(bounds.isValid() ? bounds : layers.streets.getBounds());
      }
      subjects.bringToFront();
      return loadSubjects().then(function () {
        // Listen only now: the first view's own moveend must not reload and close the focus popup.
        map.on("moveend", function () { if (!complete) { loadSubjects(); } });
      });
    }).catch(function (err) { el.dataset.error = String(err); });
  }

  function miniMap(el) {
    var config = readJson("map-config");
    var point = readJson("subject-point");
    var latlng = L.latLng(point.lat, point.lon);
    var map = L.map(el, { zoomControl: true, attributionControl: Boolean(config && config.tileUrl) });
    addTiles(map, config);
    map.setView(latlng, 16);
    if (el.dataset.layersUrl) {
      getJson(el.dataset.layersUrl).then(function (data) {
        var layers = boundaryLayers(data);
        layers.streets.addTo(map);
        layers.zones.addTo(map);
        marker.bringToFront();
      });
    }
    var marker = L.circleMarker(latlng, { radius: 8, color: "#ffffff", weight: 2, fillColor: "#c62828", fillOpacity: 1 })
      .addTo(map).bindTooltip(text(point.name));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var big = document.getElementById("map");
    if (big) { districtMap(big); }
    var mini = document.getElementById("minimap");
    if (mini) { miniMap(mini); }
  });
})();
