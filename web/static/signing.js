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
 * when it says HX-Redirect); an element of the answer marked hx-swap-oob="true" replaces the
 * page's element of the same id instead (e.g. the cycle's state above the result, which the
 * step just changed), as htmx's out-of-band swap would. Every step is announced in the live region #status, and focus
 * goes to the result so a screen reader reads it.
 *
 * Before the popup opens, GET {agent_url}/health tells whether the agent listens; if not, the
 * page says so (live region and beside the button) instead of the browser's error page. A
 * popup closed without an answer is a cancelled signature; either way the button is given back.
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

  // Beside the button, Thai first with the English, so it stays on the page after the live
  // region has spoken (a missing agent, a cancelled signature).
  function note(button, th, en) {
    var next = button.nextElementSibling;
    var element = next && next.classList.contains("sign-note") ? next : null;
    if (!element) {
      element = document.createElement("p");
      element.className = "sign-note";
      button.parentNode.insertBefore(element, button.nextSibling);
    }
    element.textContent = th + " ";
    var english = document.createElement("span");
    english.setAttribute("lang", "en");
    english.textContent = "(" + en + ")";
    element.appendChild(english);
  }

  function clearNote(button) {
    var next = button.nextElementSibling;
    if (next && next.classList.contains("sign-note")) next.parentNode.removeChild(next);
  }

  var AGENT_MISSING_TH = "ไม่พบโปรแกรมลงนามบนเครื่องนี้ — เปิดโปรแกรม ledger agent ก่อน แล้วกดอีกครั้ง";
  var AGENT_MISSING_EN = "The signing agent is not running on this PC: start ledger agent, then press again.";

  // Whether the agent listens: GET {agent}/health (agent/app.py). The agent sends no CORS
  // headers, so the answer is opaque ("no-cors"), but that it came at all is what we need:
  // a refused connection rejects the promise. Opening the popup on a dead port would show
  // the browser's own English error page instead.
  function probe(url) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); }, 3000);
    return fetch(url + "/health", {
      method: "GET",
      mode: "no-cors",
      cache: "no-store",
      credentials: "omit",
      signal: controller ? controller.signal : undefined
    }).then(function () { return true; }, function () { return false; })
      .then(function (alive) { window.clearTimeout(timer); return alive; });
  }

  function start(button) {
    if (button.disabled) return;
    var agent = agentConfig();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    clearNote(button);
    say("กำลังติดต่อโปรแกรมลงนาม", "Contacting the signing agent.");
    probe(agent.url).then(function (alive) {
      if (alive) {
        openAgent(button);
        return;
      }
      finish(button);
      note(button, AGENT_MISSING_TH, AGENT_MISSING_EN);
      say(AGENT_MISSING_TH, AGENT_MISSING_EN);
      button.focus();
    });
  }

  // The operator may close the agent's window without answering: then nothing will come,
  // so say it was cancelled and give the button back. A grace second lets an answer that
  // the agent posted just before its window closed arrive first.
  function watchPopup(popup, nonce) {
    if (!popup) return;
    var timer = window.setInterval(function () {
      var closed;
      try { closed = popup.closed; } catch (ignored) { closed = false; }
      if (!closed) return;
      window.clearInterval(timer);
      window.setTimeout(function () {
        if (!pending || pending.nonce !== nonce) return;
        cancelled();
      }, 1000);
    }, 500);
  }

  function cancelled() {
    var button = pending ? pending.button : null;
    pending = null;
    finish(button);
    say("ยกเลิกการลงนามแล้ว", "Signing cancelled.");
    if (button) {
      note(button, "ยกเลิกการลงนามแล้ว", "Signing cancelled");
      button.focus();
    }
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
    watchPopup(popup, pending.nonce);
    button.setAttribute("aria-busy", "true");
    say("เปิดหน้าต่างโปรแกรมลงนามแล้ว กรุณาใส่รหัส PIN ในหน้าต่างนั้น",
        "The signing agent's window is open: enter your PIN there.");
  }

  function finish(button) {
    if (!button) return;
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }

  function swapOutOfBand(element) {
    var extras = element.querySelectorAll("[hx-swap-oob]");
    for (var i = 0; i < extras.length; i++) {
      var extra = extras[i];
      var same = extra.id ? document.querySelectorAll("[id='" + extra.id + "']") : [];
      for (var j = 0; j < same.length; j++) {
        if (same[j] !== extra && !element.contains(same[j])) {
          extra.removeAttribute("hx-swap-oob");
          same[j].replaceWith(extra);
          if (window.htmx) window.htmx.process(extra);
          break;
        }
      }
    }
  }

  function show(element, html) {
    if (!element) return;
    element.innerHTML = html;
    swapOutOfBand(element);
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
        if (element && element.querySelector("[data-forms-done]")) {
          document.dispatchEvent(new CustomEvent("ledger:recorded"));
        }
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
    cancelled();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-sign-wire]") : null;
    if (!button) return;
    event.preventDefault();
    start(button);
  });
})();
