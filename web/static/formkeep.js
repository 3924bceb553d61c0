/*
 * formkeep.js: nothing typed into a form is lost when the session runs out.
 *
 * A session lives 15 minutes idle; an officer who fills in a long form and then presses
 * "ตรวจสอบก่อนลงนาม" after that is sent to the login page (web.errors.login_target) and, once
 * logged in, back to the form's page. So each POST form's typed values are kept, on every
 * input, in the tab's sessionStorage (this browser tab only: never sent anywhere, gone when the
 * tab closes), and put back when that form's page is shown again.
 *
 * Never kept: file inputs, password fields and anything named or labelled as a PIN, hidden
 * fields (the server's own values: sign requests, nonces), buttons; nor the logout form, nor a
 * form marked data-formkeep="off". A field is put back only when the page shows it as it was
 * when the typing began (its server-rendered default is the same), so a page the server drew
 * with other values (a refusal beside its field, a correction of another entry) keeps them.
 * Everything kept is cleared when an entry is recorded: a page or fragment with
 * [data-forms-done] (the receipts), or the event "ledger:recorded" that signing.js fires.
 */
(function () {
  "use strict";

  var PREFIX = "ledger-form:";

  function store() {
    try { return window.sessionStorage; } catch (ignored) { return null; }
  }

  function keyOf(form, index) {
    return PREFIX + window.location.pathname + window.location.search + "#" +
      (form.id || "form-" + index);
  }

  function kept(element) {
    if (!element.name || element.disabled) return false;
    var tag = element.tagName.toLowerCase();
    var type = (element.type || "").toLowerCase();
    if (tag === "button" || tag === "fieldset" || tag === "output" || tag === "object") return false;
    if (["file", "password", "hidden", "submit", "button", "reset", "image"].indexOf(type) >= 0) {
      return false;
    }
    var words = (element.name + " " + (element.id || "") + " " +
      (element.getAttribute("autocomplete") || "")).toLowerCase();
    return !/pin|password|one-time-code/.test(words);
  }

  function defaultOf(element) {
    var type = (element.type || "").toLowerCase();
    if (type === "checkbox" || type === "radio") return element.defaultChecked;
    if (element.tagName.toLowerCase() === "select") {
      return Array.prototype.map.call(element.options, function (option) {
        return option.defaultSelected;
      }).join(",");
    }
    return element.defaultValue;
  }

  function valueOf(element) {
    var type = (element.type || "").toLowerCase();
    if (type === "checkbox" || type === "radio") return element.checked;
    if (element.tagName.toLowerCase() === "select") {
      return Array.prototype.map.call(element.options, function (option) {
        return option.selected;
      }).join(",");
    }
    return element.value;
  }

  function setValue(element, value) {
    var type = (element.type || "").toLowerCase();
    if (type === "checkbox" || type === "radio") {
      element.checked = value === true;
    } else if (element.tagName.toLowerCase() === "select") {
      var flags = String(value).split(",");
      Array.prototype.forEach.call(element.options, function (option, index) {
        option.selected = flags[index] === "true";
      });
    } else {
      element.value = value;
    }
  }

  function fieldKey(element, index) {
    return element.name + "|" + index;
  }

  function save(form, key) {
    var storage = store();
    if (!storage) return;
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element, index) {
      if (!kept(element)) return;
      fields[fieldKey(element, index)] = { v: valueOf(element), d: defaultOf(element) };
    });
    try { storage.setItem(key, JSON.stringify(fields)); } catch (ignored) { /* full */ }
  }

  function restore(form, key) {
    var storage = store();
    if (!storage) return 0;
    var fields;
    try { fields = JSON.parse(storage.getItem(key) || "null"); } catch (ignored) { return 0; }
    if (!fields) return 0;
    var count = 0;
    Array.prototype.forEach.call(form.elements, function (element, index) {
      if (!kept(element)) return;
      var saved = fields[fieldKey(element, index)];
      if (!saved || saved.d !== defaultOf(element) || saved.v === valueOf(element)) return;
      setValue(element, saved.v);
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
      count += 1;
    });
    return count;
  }

  function clearAll() {
    var storage = store();
    if (!storage) return;
    var keys = [];
    for (var i = 0; i < storage.length; i += 1) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    keys.forEach(function (key) { storage.removeItem(key); });
  }

  function thai() {
    return (document.documentElement.lang || "th") !== "en";
  }

  function note(form, restored) {
    if (form.querySelector(".formkeep-note")) return;
    var hint = document.createElement("p");
    hint.className = "hint formkeep-note";
    hint.textContent = thai()
      ? "ค่าที่พิมพ์ในแบบฟอร์มนี้เก็บไว้ในแท็บนี้ของเบราว์เซอร์เท่านั้น (ไม่ส่งไปที่ใด) " +
        "จนกว่าจะบันทึกสำเร็จ หากหมดเวลาการเข้าสู่ระบบ ค่าที่พิมพ์จะไม่หาย"
      : "What you type in this form is kept in this browser tab only (sent nowhere) until " +
        "it is recorded, so an expired session loses nothing.";
    if (restored > 0) {
      hint.textContent = (thai()
        ? "นำค่าที่พิมพ์ไว้กลับมาแล้ว " + restored + " ช่อง กรุณาตรวจอีกครั้ง · "
        : "Put back " + restored + " typed field(s): please check them. · ") + hint.textContent;
      hint.setAttribute("role", "status");
    }
    form.insertBefore(hint, form.firstChild);
  }

  function watch(form, index) {
    if (form.getAttribute("data-formkeep") === "off") return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if ((form.getAttribute("action") || "").indexOf("/app/logout") === 0) return;
    if (form.getAttribute("data-formkeep-watched")) return;
    var editable = Array.prototype.some.call(form.elements, kept);
    if (!editable) return;
    form.setAttribute("data-formkeep-watched", "true");
    var key = keyOf(form, index);
    note(form, restore(form, key));
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
  }

  function scan() {
    if (document.querySelector("[data-forms-done]")) {
      clearAll();
      return;
    }
    Array.prototype.forEach.call(document.forms, watch);
  }

  document.addEventListener("ledger:recorded", clearAll);
  document.addEventListener("htmx:afterSettle", scan);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
