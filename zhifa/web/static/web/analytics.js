// The leaders' view (issue 17): draws the charts from the figures the page passed as JSON (json_script).
// Every name in the data (a street, a kind, an officer) reaches the chart as data and its tooltip as text
// (textContent), never as markup; a click on a bar or a slice opens the records behind it.
(function () {
  "use strict";
  var node = document.getElementById("analytics-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);

  // A tooltip built as DOM nodes: ECharts shows the element as is, so no name is parsed as HTML.
  function tooltip(params) {
    var box = document.createElement("div");
    box.className = "analytics-tooltip";
    var p = Array.isArray(params) ? params[0] : params;
    var row = (p && p.data && p.data.row) || {};
    box.textContent = String(row.label || p.name || "") + "：" + String(p.value && p.value.value !== undefined ? p.value.value : p.value) + " 件";
    return box;
  }

  function points(rows) {
    return rows.map(function (r) { return { value: r.count, name: r.label, row: r }; });
  }

  function open(params) {
    var row = params && params.data && params.data.row;
    if (row && row.url) { window.location.assign(row.url); }
  }

  // ``dense``: 24 hours do not fit one label each; ECharts then shows every few.
  function bar(id, rows, horizontal, dense) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el);
    var names = rows.map(function (r) { return r.label; });
    var category = { type: "category", data: names, axisLabel: { interval: dense ? "auto" : 0, rotate: horizontal || dense ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "item", formatter: tooltip },
      grid: { left: horizontal ? 120 : 40, right: 20, top: 20, bottom: horizontal ? 30 : 70 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: [{ type: "bar", data: points(rows), cursor: "pointer" }]
    });
    chart.on("click", open);
    return chart;
  }

  function pie(id, rows) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item", formatter: tooltip },
      series: [{ type: "pie", radius: ["35%", "65%"], data: points(rows.filter(function (r) { return r.count > 0; })),
                 label: { formatter: "{b}" } }]
    });
    chart.on("click", open);
    return chart;
  }

  var charts = [
    bar("chart-source", data.by_source, false),
    pie("chart-kind", data.by_kind),
    bar("chart-hour", data.by_hour, false, true),
    bar("chart-place", data.by_street.length > 1 ? data.by_street : data.by_zone, true)
  ];
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { if (c) { c.resize(); } });
  });
})();
