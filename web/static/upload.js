/*
 * upload.js: the upload block of the ก.พ.๗ page refuses, before anything is sent, a file larger
 * than the limit it announces (the input's data-max-bytes): the message, Thai or English as the
 * page, goes beside the field (data-error names it) and into the browser's own validity bubble,
 * and the form is not submitted. The server still checks (a page over the limit is answered
 * with a Thai page, web/errors.py too_large_page; the file's bytes by ledger/documents.py):
 * this only spares sending 10 MB for nothing.
 */
(function () {
  "use strict";

  var SELECTOR = "input[type=file][data-max-bytes]";

  function thai() {
    return (document.documentElement.lang || "th") !== "en";
  }

  function check(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    var error = document.getElementById(input.getAttribute("data-error") || "");
    var message = "";
    if (file && max && file.size > max) {
      var mb = Math.floor(max / 1048576);
      message = thai()
        ? "ไฟล์นี้มีขนาด " + file.size.toLocaleString("th-TH") + " ไบต์ เกินขนาดสูงสุด " + mb +
          " MB ระบบจึงไม่ส่งไฟล์นี้ กรุณาเลือกไฟล์ที่เล็กกว่า"
        : "This file is " + file.size.toLocaleString("en") + " bytes, over the " + mb +
          " MB allowed: it was not sent. Choose a smaller file.";
    }
    input.setCustomValidity(message);
    if (message) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    if (error) {
      error.textContent = message;
      error.hidden = !message;
    }
    return !message;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches(SELECTOR)) check(target);
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll(SELECTOR) : [];
    for (var i = 0; i < inputs.length; i++) {
      if (!check(inputs[i])) {
        event.preventDefault();
        inputs[i].focus();
        inputs[i].reportValidity();
        return;
      }
    }
  }, true);
})();
