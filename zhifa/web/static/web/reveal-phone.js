/* "显示号码 / 拨打": the caller's whole number, asked for by one POST (each look is audited on the server),
 * put in place as a tel: link for one tap to call. Everything shown is set as text, never as markup. */
(function () {
  "use strict";

  function show(form, body) {
    var holder = form.closest("[data-reveal-holder]") || form.parentNode;
    var link = document.createElement("a");
    link.className = "tel-link";
    link.id = "reporter-phone-link";
    link.href = body.tel_url;
    link.textContent = body.reporter_phone;
    var call = document.createElement("a");
    call.className = "btn small call-btn";
    call.href = body.tel_url;
    call.textContent = "拨打";
    holder.textContent = "";
    holder.appendChild(link);
    holder.appendChild(document.createTextNode(" "));
    holder.appendChild(call);
  }

  function refuse(form, message) {
    var note = form.querySelector(".reveal-error");
    if (!note) {
      note = document.createElement("span");
      note.className = "reveal-error danger";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = message;
  }

  document.querySelectorAll("form.reveal-phone-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) { show(form, result.body); return; }
        refuse(form, result.body.message || "无法查看号码");
        if (button) { button.disabled = false; }
      }).catch(function () {
        refuse(form, "网络异常，请稍后重试");
        if (button) { button.disabled = false; }
      });
    });
  });
})();
