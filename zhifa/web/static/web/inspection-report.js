// 检查报告 (issue 12 part 8): the trend chart of high-frequency problems — findings per checklist matter per week —
// drawn from the figures the page passed as JSON (json_script). A matter's name reaches the chart as data and its
// tooltip as text (textContent), never as markup; a click on a line opens the findings behind it.
(function () {
  "use strict";
  var node = document.getElementById("inspection-report-data");
  var el = document.getElementById("chart-trend");
  if (!node || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);

  function tooltip(params) {
    var box = document.createElement("div");
    box.className = "analytics-tooltip";
    var rows = Array.isArray(params) ? params : [params];
    rows.forEach(function (p, i) {
      var line = document.createElement("div");
      var series = (data.series[p.seriesIndex] || {});
      line.textContent = (i === 0 ? "第" + String(p.dataIndex + 1) + "周（" + String(p.name) + "起）" + " " : "") +
        String(series.label || "") + "：" + String(p.value) + " 个";
      box.appendChild(line);
    });
    return box;
  }

  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item", formatter: tooltip },
    legend: { type: "scroll", top: 0, data: data.series.map(function (s) { return s.label; }) },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.weeks },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { type: "line", name: s.label, data: s.counts, cursor: "pointer", symbolSize: 8 };
    })
  });
  chart.on("click", function (params) {
    var s = data.series[params.seriesIndex];
    if (s && s.url) { window.location.assign(s.url); }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
