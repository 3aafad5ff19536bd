// The leaders' view's hotspots (issue 17 part 1): the hour-of-week heatmap (ECharts) and the map of grids
// shaded by their events (Leaflet, no tiles: the grids' own outlines on a plain background), drawn from the
// figures the page passed as JSON (json_script). Names reach the heatmap as data and every tooltip as a text
// node, never as markup; a click on a cell or a grid opens the records behind it.
(function () {
  "use strict";
  var node = document.getElementById("hotspot-data");
  if (!node) { return; }
  var hot = JSON.parse(node.textContent);

  function text(className, value) {
    var box = document.createElement("div");
    box.className = className;
    box.textContent = value;
    return box;
  }

  function heatmap() {
    var el = document.getElementById("chart-weekhour");
    if (!el || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(el);
    var cells = [];
    hot.week_hours.forEach(function (hours, d) {
      hours.forEach(function (n, h) { cells.push([h, d, n]); });
    });
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push((h < 10 ? "0" : "") + h + "时"); }
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return text("analytics-tooltip hotspot-tooltip", hot.weekdays[p.value[1]] + " " + hours[p.value[0]] + "：" + p.value[2] + " 件");
        }
      },
      grid: { left: 50, right: 20, top: 10, bottom: 70 },
      xAxis: { type: "category", data: hours, splitArea: { show: true }, axisLabel: { interval: 1 } },
      yAxis: { type: "category", data: hot.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0, max: Math.max(hot.max_slot, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0,
        itemHeight: 200, inRange: { color: ["#f7fbff", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"] }
      },
      series: [{ type: "heatmap", data: cells, cursor: "pointer", emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
    });
    chart.on("click", function (p) {
      if (p.value && p.value[2] > 0) {
        window.location.assign(hot.weekhour_url + encodeURIComponent((p.value[1] + 1) + "-" + p.value[0]));
      }
    });
    return chart;
  }

  var SHADES = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function shade(count) {
    if (!count) { return "#e8ecf2"; }
    var i = Math.min(SHADES.length - 1, Math.floor((count / Math.max(hot.max_grid, 1)) * (SHADES.length - 1)));
    return SHADES[i];
  }

  function gridMap() {
    var el = document.getElementById("hotspot-map");
    if (!el || typeof L === "undefined") { return null; }
    var rows = {};
    hot.grids.forEach(function (r) { rows[r.key] = r; });
    var map = L.map(el, { preferCanvas: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Leaflet");
    var layer = L.geoJSON(hot.outlines, {
      style: function (f) {
        var row = rows[f.properties.key];
        return { color: "#5c6b80", weight: 1, fillColor: shade(row ? row.count : 0), fillOpacity: 0.85 };
      },
      onEachFeature: function (f, grid) {
        var row = rows[f.properties.key] || { count: 0 };
        // Leaflet writes a string tooltip as HTML: an element whose text is set instead.
        grid.bindTooltip(text("hotspot-tip", f.properties.street + " · " + f.properties.name + "：" + row.count + " 件"), { sticky: true });
        if (row.url && row.count) { grid.on("click", function () { window.location.assign(row.url); }); }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([30.3, 120.1], 12); }
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "hotspot-legend");
      div.appendChild(text("", "事件数（最多 " + hot.max_grid + " 件）"));
      SHADES.forEach(function (colour, i) {
        var row = document.createElement("div");
        var swatch = document.createElement("i");
        swatch.style.background = colour;
        row.append(swatch, document.createTextNode(i === 0 ? "少" : i === SHADES.length - 1 ? "多" : ""));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
    return map;
  }

  var chart = heatmap();
  gridMap();
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
})();
