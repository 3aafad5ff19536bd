/* 当场处罚 on the phone (templates/web/phone/penalty.html): the party's signature drawn on a canvas and posted as
 * a PNG data URL (the hidden "signature" field), and the verdicts of APL 51 / APL 68 asked of the server on
 * every change of the form (its fragment replaces #verdict; the server escapes what it renders). Without this
 * script the form still posts and the server shows its verdict and refusal. */
(function () {
  "use strict";

  function signaturePad(form) {
    var canvas = document.getElementById("signature-pad");
    var field = form.querySelector("input[name=signature]");
    var clear = document.getElementById("signature-clear");
    if (!canvas || !field) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 4;
      ctx.lineCap = ctx.lineJoin = "round";
    }
    function point(e) {
      var box = canvas.getBoundingClientRect();
      return { x: (e.clientX - box.left) * canvas.width / box.width, y: (e.clientY - box.top) * canvas.height / box.height };
    }
    reset();
    // A page sent back after a refusal keeps the signature the party made: drawn again from the field.
    if (field.value.indexOf("data:image/png;base64,") === 0) {
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0, canvas.width, canvas.height); drawn = true; };
      img.src = field.value;
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
      drawn = true;
      e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      e.preventDefault();
    });
    function stop() {
      if (!drawing) { return; }
      drawing = false;
      field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    if (clear) {
      clear.addEventListener("click", function () { reset(); drawn = false; field.value = ""; });
    }
    form.addEventListener("submit", function () {
      if (drawn && !field.value) { field.value = canvas.toDataURL("image/png"); }
    });
  }

  function verdicts(form) {
    var url = form.dataset.checkUrl;
    var box = document.getElementById("verdict");
    if (!url || !box) { return; }
    var timer = null;
    var asked = 0;
    function ask() {
      var data = new FormData(form);
      data.delete("signature");  // not needed for the verdict, and large
      var mine = ++asked;
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          // Only the latest answer: an earlier one arriving late must not overwrite it.
          if (html === null || mine !== asked) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("verdict");
          if (fresh) { box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes)); }
        })
        .catch(function () {});
    }
    function later(e) {
      if (e.target && e.target.name === "signature") { return; }
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("penalty-form");
    if (form) {
      signaturePad(form);
      verdicts(form);
    }
    var error = document.getElementById("penalty-error");
    if (error) { error.focus(); error.scrollIntoView({ block: "center" }); }
  });
})();
