/* The handle form on the phone (处置反馈, issue 16): tap a common phrase (常用语) to put it into the report, and
   speak instead of typing where the browser has the Web Speech API. Nothing is downloaded: recognition is the
   browser's own, and where there is none the voice button stays hidden. Text only ever goes into the
   textarea's value (never HTML). */
(function () {
  "use strict";

  function insertAtCursor(field, text) {
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number" || document.activeElement !== field) {
      start = end = value.length;  // not focused: at the end, where the officer expects the next sentence
    }
    var before = value.slice(0, start), after = value.slice(end);
    field.value = before + text + after;
    var caret = before.length + text.length;
    field.focus();
    try { field.setSelectionRange(caret, caret); } catch (e) { /* some inputs do not support it */ }
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // A refused report comes back as the whole page, scrolled to the top, while the form is below the task
  // card: bring the officer to the error box at the top of the form (what was typed and chosen is kept).
  var refused = document.getElementById("handle-errors");
  if (refused) {
    if (refused.scrollIntoView) refused.scrollIntoView({ block: "start" });
    try { refused.focus({ preventScroll: true }); } catch (e) { refused.focus(); }
  }

  var phrases = document.getElementById("phrases");
  if (phrases) {
    var target = document.getElementById(phrases.getAttribute("data-target"));
    // The tap must not take the focus away from the textarea before we read its cursor.
    phrases.addEventListener("mousedown", function (e) {
      if (e.target.closest && e.target.closest("[data-phrase]")) e.preventDefault();
    });
    phrases.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("[data-phrase]") : null;
      if (!button || !target) return;
      insertAtCursor(target, button.getAttribute("data-phrase"));
    });
  }

  var voice = document.getElementById("voice-input");
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!voice || typeof Recognition !== "function") return;  // no speech API: the button stays hidden
  var field = document.getElementById(voice.getAttribute("data-target"));
  var status = document.getElementById("voice-status");
  if (!field) return;
  voice.hidden = false;
  var recognition = null;

  function say(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
  }

  function stop() {
    voice.removeAttribute("data-listening");
    voice.textContent = "按此说话输入";
    recognition = null;
  }

  voice.addEventListener("click", function () {
    if (recognition) { recognition.stop(); return; }
    recognition = new Recognition();
    recognition.lang = "zh-CN";
    recognition.interimResults = false;
    recognition.continuous = false;
    recognition.onresult = function (event) {
      var text = "";
      for (var i = event.resultIndex; i < event.results.length; i++) {
        if (event.results[i].isFinal) text += event.results[i][0].transcript;
      }
      if (text) insertAtCursor(field, text);
      say("");
    };
    recognition.onerror = function (event) {
      say(event.error === "not-allowed" ? "未允许使用麦克风，请在浏览器设置中允许后重试" : "未能识别语音，请重试或直接输入");
    };
    recognition.onend = stop;
    try {
      recognition.start();
      voice.setAttribute("data-listening", "1");
      voice.textContent = "正在听…再按一次结束";
      say("");
    } catch (e) {
      stop();
      say("语音输入暂不可用，请直接输入");
    }
  });
})();
