// The signing agent's only script (served from its own origin: CSP script-src 'self').
// On the answer page it posts the answer to the window that opened this popup, to exactly the
// request's origin (never "*"), then closes (a refusal page, marked data-stay, stays open so
// the operator can read why); elsewhere it wires the close button.
(function () {
  "use strict";
  var answer = document.getElementById("answer");
  if (answer) {
    var origin = answer.getAttribute("data-origin");
    var message = JSON.parse(answer.getAttribute("data-message"));
    if (window.opener && origin) {
      window.opener.postMessage(message, origin);
      if (!answer.hasAttribute("data-stay")) {
        window.setTimeout(function () { window.close(); }, 200);
      }
    } else {
      document.getElementById("no-opener").hidden = false;
    }
  }
  var close = document.getElementById("close-window");
  if (close) {
    close.addEventListener("click", function () { window.close(); });
  }
})();
