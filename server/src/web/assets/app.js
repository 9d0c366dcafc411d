// Bilik dashboard: the live station grid (server-sent events), actions
// without a reload, countdowns. Plain JavaScript, no build step.
"use strict";
(function () {
  function toast(ok, text) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "flash " + (ok ? "ok" : "bad");
    p.textContent = text;
    box.appendChild(p);
    setTimeout(function () { p.remove(); }, ok ? 5000 : 12000);
  }

  // Forms marked data-inline are posted in the background too: a refusal
  // is shown inside the form, everything typed kept; a success moves on to
  // the page a plain post would have (which shows the message).
  function formError(form, text) {
    var p = form.querySelector(".form-error");
    if (!text) { if (p) { p.remove(); } return; }
    if (!p) {
      p = document.createElement("p");
      p.className = "flash bad form-error";
      p.setAttribute("role", "alert");
      form.insertBefore(p, form.firstChild);
    }
    p.textContent = text;
  }
  // Posts the form `ev` submits in the background (with its button),
  // after asking when it carries data-confirm, its buttons disabled until
  // the answer. `header` is the x-bilik-fetch value (what the server
  // answers with); `onAnswer` gets the JSON answer ({ ok: false, message }
  // when the answer is not JSON) and returns true when the page moves on
  // (the buttons stay disabled); `onFailure` gets a network error.
  function postInBackground(ev, header, onAnswer, onFailure) {
    var form = ev.target;
    ev.preventDefault();
    var ask = form.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) { return; }
    var body = new URLSearchParams(new FormData(form));
    if (ev.submitter && ev.submitter.name) { body.append(ev.submitter.name, ev.submitter.value); }
    var buttons = form.querySelectorAll("button");
    var enable = function () { buttons.forEach(function (b) { b.disabled = false; }); };
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "x-bilik-fetch": header }
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: "HTTP " + r.status }; });
    }).then(function (answer) {
      if (!onAnswer(answer)) { enable(); }
    }).catch(function (e) {
      onFailure(String(e));
      enable();
    });
  }
  function marked(ev, attribute) {
    return ev.target.hasAttribute && ev.target.hasAttribute(attribute);
  }

  document.addEventListener("submit", function (ev) {
    if (!marked(ev, "data-inline")) { return; }
    var form = ev.target;
    postInBackground(ev, "inline", function (answer) {
      if (answer.ok) { formError(form, ""); window.location.assign(answer.to || window.location.href); return true; }
      formError(form, answer.message);
      return false;
    }, function (text) { formError(form, text); });
  });

  // Forms marked data-fetch are posted in the background; the grid shows
  // the result through the live feed, the message appears as a toast.
  document.addEventListener("submit", function (ev) {
    if (!marked(ev, "data-fetch")) { return; }
    var form = ev.target;
    postInBackground(ev, "1", function (answer) {
      toast(answer.ok, answer.message);
      formError(form, answer.ok ? "" : answer.message);
      if (answer.ok) { form.reset(); }
      return false;
    }, function (text) { toast(false, text); });
  });

  // Replace a card's status; replace its actions only when they change,
  // so a half-typed card number survives heartbeats.
  function apply(id, html) {
    var grid = document.getElementById("grid");
    if (!grid) { return; }
    var tmp = document.createElement("div");
    tmp.innerHTML = html;
    var fresh = tmp.firstElementChild;
    if (!fresh) { return; }
    var old = document.getElementById("st-" + id);
    if (!old) { grid.appendChild(fresh); summary(); return; }
    notice(grid, old, fresh);
    old.className = fresh.className;
    old.setAttribute("data-state", fresh.getAttribute("data-state"));
    old.querySelector(".st-status").replaceWith(fresh.querySelector(".st-status"));
    var oa = old.querySelector(".st-actions"), na = fresh.querySelector(".st-actions");
    if (oa.getAttribute("data-key") !== na.getAttribute("data-key")) {
      var open = oa.querySelector("details") && oa.querySelector("details").open;
      oa.replaceWith(na);
      if (open && na.querySelector("details")) { na.querySelector("details").open = true; }
    }
    summary();
    tick();
  }

  // Tells the desk, with a toast and a short tone, when a session ends (a
  // PC is free) or a station goes offline in the middle of a session. The
  // words come from the page (data-ended / data-offline on the grid).
  function notice(grid, old, fresh) {
    var before = old.getAttribute("data-state"), after = fresh.getAttribute("data-state");
    var busy = before === "in_session" || before === "warning";
    if (!busy || before === after || after === "in_session" || after === "warning") { return; }
    var name = (fresh.querySelector("h2") || {}).textContent || "";
    var offline = after === "offline";
    var text = grid.getAttribute(offline ? "data-offline" : "data-ended") || "";
    toast(!offline, text.replace("{name}", name));
    beep(offline ? 330 : 660);
  }

  // A short tone (browsers allow it once the page has been clicked).
  function beep(hz) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      var osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound is not an error */ }
  }

  function summary() {
    var grid = document.getElementById("grid");
    var box = document.getElementById("summary");
    if (!grid || !box) { return; }
    var cards = grid.querySelectorAll(".station");
    var online = 0, busy = 0;
    cards.forEach(function (c) {
      var s = c.getAttribute("data-state");
      if (s !== "offline") { online++; }
      if (s === "in_session" || s === "warning") { busy++; }
    });
    var strong = box.querySelectorAll("strong");
    if (strong.length === 3) {
      strong[0].textContent = cards.length; strong[1].textContent = online; strong[2].textContent = busy;
    }
  }

  // Minutes left, counted from the server's clock at render time.
  function tick() {
    document.querySelectorAll("[data-ends]").forEach(function (el) {
      if (!el._t0) { el._t0 = Date.now(); }
      var now = Number(el.getAttribute("data-now")) + (Date.now() - el._t0);
      var left = Math.max(0, Number(el.getAttribute("data-ends")) - now);
      var min = Math.ceil(left / 60000);
      // The units come from the page (the catalogue's words: "jam", "menit").
      var unit = el.getAttribute("data-unit") || "", hours = el.getAttribute("data-hours");
      el.textContent = hours && min >= 60
        ? Math.floor(min / 60) + " " + hours + " " + (min % 60) + " " + unit
        : min + " " + unit;
    });
  }

  // The queue list and the security alerts, sent again by the live feed
  // whenever they change. A new alert (tampering, guessing) is the banner
  // itself and a low double tone.
  function panels(data) {
    var queue = document.getElementById("queue-list");
    if (queue && typeof data.queue === "string") { queue.outerHTML = data.queue; }
    var alerts = document.getElementById("alerts-live");
    if (!alerts || typeof data.alerts !== "string") { return; }
    var seen = {};
    alerts.querySelectorAll("[data-alert-id]").forEach(function (li) {
      seen[li.getAttribute("data-alert-id")] = true;
    });
    alerts.innerHTML = data.alerts;
    var fresh = false;
    alerts.querySelectorAll("[data-alert-id]").forEach(function (li) {
      if (!seen[li.getAttribute("data-alert-id")]) { fresh = true; }
    });
    if (fresh) {
      beep(440);
      setTimeout(function () { beep(440); }, 350);
    }
  }

  function live() {
    var grid = document.getElementById("grid");
    if (!grid || !window.EventSource) { return; }
    var badge = document.getElementById("live");
    var source = new EventSource(grid.getAttribute("data-live"));
    source.addEventListener("open", function () { if (badge) { badge.className = "live-on"; } });
    source.addEventListener("error", function () { if (badge) { badge.className = "live-off"; } });
    source.addEventListener("station", function (ev) {
      try {
        var msg = JSON.parse(ev.data);
        apply(msg.id, msg.html);
      } catch (e) { /* a malformed event is skipped */ }
    });
    source.addEventListener("panels", function (ev) {
      try {
        panels(JSON.parse(ev.data));
      } catch (e) { /* a malformed event is skipped */ }
    });
    window.addEventListener("beforeunload", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    live();
    tick();
    setInterval(tick, 15000);
  });
})();
