/* The command centre's map: a layer of the standby posts live now (预判布防, issue 17 part 4), each a square
 * marker with the officer and the grid as its tooltip — text nodes only, never markup (names are typed by
 * people). command.js announces its map with the "zhifa:command-map" event; the posts come from
 * /analytics/deployment/posts.json (data-posts-url) and are read again every five minutes. */
(function () {
  "use strict";
  var REFRESH_MS = 5 * 60 * 1000;

  function label(p) {
    var span = document.createElement("span");
    span.className = "standby-tooltip";
    span.textContent = "建议点位：" + p.officer + " · " + p.grid;
    return span;
  }

  document.addEventListener("zhifa:command-map", function (ev) {
    var el = ev.target;
    var map = ev.detail.map;
    var url = el.getAttribute("data-posts-url");
    if (!url) { return; }
    var layer = L.layerGroup().addTo(map);
    var control = L.control.layers(null, { "建议点位（预判布防）": layer }, { collapsed: false, position: "topright" });
    control.addTo(map);

    function draw(posts) {
      layer.clearLayers();
      posts.forEach(function (p) {
        var marker = L.circleMarker([p.lat, p.lon], {
          radius: 7, color: "#6a1b9a", weight: 3, dashArray: "3 3", fillColor: "#e1bee7", fillOpacity: 0.8
        });
        marker.bindTooltip(label(p));
        layer.addLayer(marker);
      });
      el.setAttribute("data-posts", String(posts.length));
    }

    function load() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { posts: [] }; })
        .then(function (data) { draw(data.posts || []); })
        .catch(function () { /* the next refresh tries again */ });
    }
    load();
    window.setInterval(load, REFRESH_MS);
  });
})();
