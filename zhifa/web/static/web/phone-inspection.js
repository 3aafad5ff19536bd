/* The party's signature on the officer's phone (/m/inspections/<id>/): a canvas the party draws on with a
 * finger; after every stroke its PNG (a data URL) is put in the form's hidden "signature" field, so the form
 * posts — or goes into the offline outbox (phone.js) — with the signature as drawn. "当事人拒绝签字" hides the
 * pad and asks for what happened instead. Nothing here inserts markup. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("signature-pad");
    if (!canvas) { return; }
    var field = document.getElementById("party-signature");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";

    function point(e) {
      var box = canvas.getBoundingClientRect();
      return { x: (e.clientX - box.left) * canvas.width / box.width, y: (e.clientY - box.top) * canvas.height / box.height };
    }

    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      if (drawn) { field.value = canvas.toDataURL("image/png"); }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    document.getElementById("signature-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
    });

    var refused = document.getElementById("party-refused");
    var box = document.getElementById("refusal-box");
    refused.addEventListener("change", function () {
      box.hidden = !refused.checked;
      document.getElementById("refusal-reason").required = refused.checked;
      document.getElementById("party-name").required = !refused.checked;
    });
    document.getElementById("party-name").required = true;
  });
})();
