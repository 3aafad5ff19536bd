/* Live countdowns: every element with data-due (an ISO time) shows the time left, ticking each second,
 * and turns red (class "overdue") once the deadline has passed. Used on the command centre and event pages. */
(function () {
  "use strict";

  function format(ms) {
    var sign = ms < 0 ? "超时 " : "";
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    // Coordination deadlines run for working days: past a day, days and hours read better than 119:57:32.
    if (h >= 24) { return sign + Math.floor(h / 24) + "天" + (h % 24) + "小时"; }
    return sign + (h ? h + ":" + pad(m) : m) + ":" + pad(sec);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) { return; }
      var left = due - now;
      el.textContent = format(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 60000);
    });
  }

  window.zhifaCountdown = { tick: tick, format: format };
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
