/*
 * signing.js: carries a sign request to the operator's signing agent and its answer back.
 *
 * The server renders a button such as
 *   <button data-sign-wire="WIRE" data-sign-nonce="NONCE"
 *           data-sign-target="/app/login" data-sign-result="#login-result">
 * and the layout's <body> names the agent: data-agent-url="http://127.0.0.1:8765" and
 * data-agent-origin (the same, as an origin).
 *
 * On a click we open a named window "ledger-agent" and POST a hidden form into it:
 * {agent_url}/sign with the field "request" = WIRE (the agent's own page, another origin, so
 * nothing here can read or change what it shows). The agent answers with postMessage; we take
 * only a message whose event.origin is the configured agent origin, whose data.type is
 * "ledger-agent" and whose data.nonce is the request's nonce. A signed answer is POSTed
 * (fetch, form-encoded: request, nonce, key_id, public_key, signature; header HX-Request) to
 * data-sign-target; the server's answer is swapped into data-sign-result (or the page moves
 * when it says HX-Redirect). Every step is announced in the live region #status, and focus
 * goes to the result so a screen reader reads it.
 *
 * The button's data attributes may also come from an htmx swap: a click is caught on the
 * document, so buttons added later work too.
 */
(function () {
  "use strict";

  var WINDOW_NAME = "ledger-agent";
  var pending = null; // {wire, nonce, target, result, button}

  function thai() {
    return (document.documentElement.lang || "th") !== "en";
  }

  function say(th, en) {
    var region = document.getElementById("status");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce a repeated message too.
    window.setTimeout(function () { region.textContent = thai() ? th : en; }, 50);
  }

  function agentConfig() {
    var body = document.body;
    var url = (body.getAttribute("data-agent-url") || "").replace(/\/+$/, "");
    var origin = body.getAttribute("data-agent-origin") || url;
    return { url: url, origin: origin.replace(/\/+$/, "") };
  }

  function openAgent(button) {
    var agent = agentConfig();
    pending = {
      wire: button.getAttribute("data-sign-wire"),
      nonce: button.getAttribute("data-sign-nonce"),
      target: button.getAttribute("data-sign-target"),
      result: button.getAttribute("data-sign-result"),
      button: button
    };
    var popup = window.open("", WINDOW_NAME, "popup,width=720,height=820");
    var form = document.createElement("form");
    form.method = "post";
    form.action = agent.url + "/sign";
    form.target = WINDOW_NAME;
    form.style.display = "none";
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "request";
    field.value = pending.wire;
    form.appendChild(field);
    document.body.appendChild(form);
    form.submit();
    document.body.removeChild(form);
    if (popup) {
      try { popup.focus(); } catch (ignored) { /* another origin */ }
    }
    button.setAttribute("aria-busy", "true");
    say("เปิดหน้าต่างโปรแกรมลงนามแล้ว กรุณาใส่รหัส PIN ในหน้าต่างนั้น",
        "The signing agent's window is open: enter your PIN there.");
  }

  function finish(button) {
    if (button) button.removeAttribute("aria-busy");
  }

  function show(element, html) {
    if (!element) return;
    element.innerHTML = html;
    if (window.htmx) window.htmx.process(element);
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  function deliver(answer) {
    var current = pending;
    pending = null;
    var body = new URLSearchParams();
    body.set("request", current.wire);
    body.set("nonce", answer.nonce || "");
    body.set("key_id", answer.key_id || "");
    body.set("public_key", answer.public_key || "");
    body.set("signature", answer.signature || "");
    say("ได้รับลายมือชื่อแล้ว กำลังส่งให้ระบบตรวจ", "Signed: sending it to the ledger.");
    fetch(current.target, {
      method: "POST",
      credentials: "same-origin",
      headers: { "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect");
      if (redirect) {
        say("สำเร็จ กำลังไปหน้าถัดไป", "Done: moving on.");
        window.location.assign(redirect);
        return null;
      }
      return response.text().then(function (html) {
        var element = document.querySelector(current.result);
        show(element, html);
        say(response.ok ? "บันทึกแล้ว" : "ระบบไม่รับ: ดูรายละเอียดในหน้านี้",
            response.ok ? "Recorded." : "Refused: see the details on this page.");
      });
    }).catch(function () {
      say("ติดต่อระบบไม่ได้ กรุณาลองใหม่", "Could not reach the ledger: try again.");
    }).then(function () { finish(current.button); });
  }

  window.addEventListener("message", function (event) {
    var agent = agentConfig();
    if (event.origin !== agent.origin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== "ledger-agent") return;
    if (!pending || data.nonce !== pending.nonce) return;
    if (data.outcome === "signed") {
      deliver(data);
      return;
    }
    var button = pending.button;
    pending = null;
    finish(button);
    say("ยกเลิกการลงนามแล้ว", "Signing cancelled.");
    if (button) button.focus();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-sign-wire]") : null;
    if (!button) return;
    event.preventDefault();
    openAgent(button);
  });
})();
