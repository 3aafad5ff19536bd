/* 巡查发现 on the phone: the position the phone found is named (nearest road number or landmark · street, from
 * /map/where.json) instead of left as a fix, a fix outside the district is said at once, and the 位置说明 field
 * suggests names from the district gazetteer (/map/places.json; homophones, pinyin, initials) as the officer
 * types. Names from the server go in as text (textContent). Offline nothing is asked and the form works as before. */
(function () {
  "use strict";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("finding-form");
    if (!form || !form.dataset.whereUrl) { return; }
    var status = form.querySelector("[data-geo-status]");
    var address = form.querySelector("[name=address]");

    function name() {
      var lon = form.querySelector("[name=lon]").value;
      var lat = form.querySelector("[name=lat]").value;
      if (!lon || !lat || !navigator.onLine) { return; }
      var fix = status.textContent;
      getJson(form.dataset.whereUrl + "?lon=" + encodeURIComponent(lon) + "&lat=" + encodeURIComponent(lat)).then(function (data) {
        if (!data.inside) {
          status.textContent = data.message || "当前位置不在辖区内";
          status.classList.add("m-error");
          form.dataset.outside = "true";
          return;
        }
        status.textContent = fix + "：" + (data.label || "辖区内");
        form.dataset.placeLabel = data.label || "";
        if (address && !address.value && data.near) { address.placeholder = data.near.replace(/附近$/, ""); }
      }).catch(function () {});
    }
    // phone.js marks the form located once the fix is in the hidden fields.
    new MutationObserver(function () { if (form.dataset.located === "true") { name(); } })
      .observe(form, { attributes: true, attributeFilter: ["data-located"] });

    if (!address || !form.dataset.placesUrl) { return; }
    var list = document.createElement("ul");
    list.className = "m-suggest";
    list.id = "place-suggestions";
    list.hidden = true;
    address.insertAdjacentElement("afterend", list);
    var timer = null;
    var asked = 0;
    address.setAttribute("autocomplete", "off");
    address.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = address.value.trim();
        if (!text || !navigator.onLine) { list.hidden = true; list.replaceChildren(); return; }
        var mine = ++asked;
        getJson(form.dataset.placesUrl + "?limit=5&q=" + encodeURIComponent(text)).then(function (data) {
          if (mine !== asked) { return; }
          list.replaceChildren();
          data.results.forEach(function (hit) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "m-suggest-item";
            button.textContent = hit.label + " · " + hit.street;
            button.addEventListener("click", function () {
              address.value = hit.label;
              list.hidden = true;
              list.replaceChildren();
            });
            item.appendChild(button);
            list.appendChild(item);
          });
          list.hidden = !data.results.length;
        }).catch(function () {});
      }, 250);
    });
  });
})();
