// 分析报告 (issue 17 part 3): a report asked for is made by the task worker; while any report on the page is
// 排队中 or 生成中, ask /analytics/reports/status/ for the state of those rows (every 2 s, slower after an error)
// and show each one's state, failure reason, summary and downloads when it changes. Everything from the answer is
// set as text (textContent) or as an href the server made; nothing is parsed as markup.
(function () {
  "use strict";
  var table = document.getElementById("report-list");
  if (!table) { return; }
  var url = table.getAttribute("data-status-url");
  var PENDING = { queued: true, running: true };
  var BASE_DELAY_MS = 2000;
  var MAX_DELAY_MS = 30000;
  var delay = BASE_DELAY_MS;

  function pendingRows() {
    return Array.prototype.filter.call(table.querySelectorAll("tr[data-report-id]"), function (tr) {
      return PENDING[tr.getAttribute("data-status")] === true;
    });
  }

  function span(className, text) {
    var node = document.createElement("span");
    node.className = className;
    node.textContent = String(text);
    return node;
  }

  function link(href, className, label) {
    var a = document.createElement("a");
    a.href = href;
    a.className = className;
    a.textContent = label;
    return a;
  }

  function show(tr, r) {
    tr.setAttribute("data-status", String(r.status));
    var status = tr.querySelector(".report-status");
    status.textContent = "";
    status.appendChild(span("report-state", r.status_label));
    if (r.failure_reason) {
      status.appendChild(document.createElement("br"));
      status.appendChild(span("report-reason", r.failure_reason));
    }
    if (r.summary) { tr.querySelector(".report-summary").textContent = String(r.summary); }
    if (r.generated_at) {
      var generated = tr.querySelector(".report-generated");
      generated.textContent = String(r.generated_at);
      generated.appendChild(document.createElement("br"));
      generated.appendChild(span("muted", r.generated_by || ""));
    }
    if (r.pdf_url && r.xlsx_url) {
      var files = tr.querySelector(".report-files");
      files.textContent = "";
      files.appendChild(link(r.pdf_url, "report-pdf", "PDF"));
      files.appendChild(document.createTextNode(" · "));
      files.appendChild(link(r.xlsx_url, "report-xlsx", "XLSX"));
    }
    var asked = document.getElementById("report-asked");
    if (asked && asked.getAttribute("data-report-id") === String(r.id) && !PENDING[r.status]) {
      asked.textContent = r.status === "done" ? "报告已生成，可以下载。" : "报告生成失败：" + String(r.failure_reason || "");
      asked.className = r.status === "done" ? "success" : "error-box";
    }
  }

  function poll() {
    var rows = pendingRows();
    if (!rows.length) { return; }
    var ids = rows.map(function (tr) { return tr.getAttribute("data-report-id"); }).join(",");
    fetch(url + "?ids=" + encodeURIComponent(ids), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (body) {
        delay = BASE_DELAY_MS;
        body.reports.forEach(function (r) {
          var tr = document.getElementById("report-" + String(r.id));
          if (tr && tr.getAttribute("data-status") !== r.status) { show(tr, r); }
        });
      })
      .catch(function () { delay = Math.min(delay * 2, MAX_DELAY_MS); })
      .then(function () {
        if (pendingRows().length) { window.setTimeout(poll, delay); }
      });
  }

  window.setTimeout(poll, delay);
})();
