// The few behaviours the CSP allows: all of them from this file, none inline. Everything
// works without it (forms post and redirect back); this only makes it quicker.
(function () {
  "use strict";

  // Times are rendered in the viewer's zone: tell the server which one it is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser keeps the default zone */ }

  // Browsers without invoker commands (commandfor/command) still open and close dialogs.
  var invokersSupported = "command" in HTMLButtonElement.prototype;
  document.addEventListener("click", function (event) {
    if (invokersSupported) { return; }
    var button = event.target.closest("button[commandfor]");
    if (!button) { return; }
    var dialog = document.getElementById(button.getAttribute("commandfor"));
    if (!dialog) { return; }
    if (button.getAttribute("command") === "show-modal") { dialog.showModal(); }
    if (button.getAttribute("command") === "close") { dialog.close(); }
  });

  // A dialog the server sent back with an error in it opens again, with what was typed.
  function reopenDialogs(root) {
    (root || document).querySelectorAll("dialog[data-open]").forEach(function (dialog) {
      dialog.querySelectorAll("input[data-offer]").forEach(markCounterOffer);
      if (!dialog.open) { dialog.showModal(); }
    });
  }

  // Warn before a counter-offer: the client is told when the credits differ from the offer.
  function markCounterOffer(input) {
    var hint = input.form.querySelector("[data-counter-offer-hint]");
    var submit = input.form.querySelector(".dialog-actions button[type=submit]");
    var differs = input.value.trim() !== "" && Number(input.value) !== Number(input.dataset.offer);
    hint.classList.toggle("counter-offer", differs);
    submit.textContent = differs ? "Send counter-offer" : "Accept";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-offer]")) { markCounterOffer(event.target); }
  });

  // Toasts: the server names what happened in an HX-Trigger "toast" event.
  function toast(detail) {
    var box = document.getElementById("toasts");
    if (!box || !detail || !detail.message) { return; }
    var item = document.createElement("p");
    item.className = "toast toast-" + (detail.level || "success");
    item.textContent = detail.message;
    box.appendChild(item);
    window.setTimeout(function () { item.remove(); }, detail.level === "success" ? 5000 : 9000);
  }
  document.addEventListener("toast", function (event) { toast(event.detail); });

  // htmx does not swap error answers by default; say something rather than nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    toast({
      level: "error",
      message: status === 403 ? "Your session has expired: reload the page and sign in again."
        : status === 404 ? "That booking is not one you can act on any more: reload the page."
        : "Something went wrong (" + status + "): nothing was sent twice; reload the page.",
    });
  });
  document.addEventListener("htmx:sendError", function () {
    toast({ level: "error", message: "No connection to the dashboard: check your network." });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    reopenDialogs(event.target);
    // The dialog and the button that opened it are gone: keep focus on the row instead.
    var heading = event.target.querySelector && event.target.matches("li.booking-item")
      && !event.target.querySelector("dialog[open]") && event.target.querySelector("h2");
    if (heading) { heading.focus({ preventScroll: true }); }
  });

  // A form in a dialog whose answer swapped nothing in its place (bulk delete) is done with.
  document.addEventListener("htmx:afterRequest", function (event) {
    var dialog = event.detail.elt.closest && event.detail.elt.closest("dialog[open]");
    var form = event.detail.elt.closest && event.detail.elt.closest("form");
    if (!dialog && form) { dialog = form.querySelector("dialog[open]"); }
    if (dialog && dialog.isConnected && event.detail.successful) { dialog.close(); }
  });
  // ---- Live pages -------------------------------------------------------------------------
  // #live polls the page's own address every 20 s with the tag of what the page shows: a 304
  // when nothing changed; otherwise the new page, merged row by row so that unchanged rows
  // (and an open dialog, the focus and the scroll position) stay as they are.
  var live = document.getElementById("live");

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt !== live) { return; }
    event.detail.path = window.location.pathname + window.location.search;
    if (live.dataset.etag) { event.detail.headers["If-None-Match"] = live.dataset.etag; }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    // A hidden tab asks nothing; it catches up on its next poll once shown.
    if (event.detail.elt === live && document.hidden) { event.preventDefault(); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var tag = xhr && xhr.getResponseHeader("ETag");
    if (!live || !tag) { return; }
    var complete = true;
    if (event.detail.elt === live && xhr.status === 200) {
      complete = merge(new DOMParser().parseFromString(xhr.responseText, "text/html"));
    }
    // A row kept back because it was busy is still out of date: ask for the page again.
    if (complete) { live.dataset.etag = tag; } else { delete live.dataset.etag; }
  });

  // True when the page now shows all of the answer; false when a busy row was kept as it was.
  function merge(fresh) {
    var results = document.getElementById("results");
    var freshResults = fresh.getElementById("results");
    if (!results || !freshResults) { return true; }
    replaceEach(".freshness", fresh);
    replaceEach(".acting-for", fresh);
    var list = document.getElementById("booking-list");
    var freshList = fresh.getElementById("booking-list");
    if (!list || !freshList) {
      // The list appeared or emptied: nothing to keep but an open dialog.
      if (results.querySelector("dialog[open]")) { return false; }
      swapChildren(results, freshResults);
      return true;
    }
    var complete = true;
    var kept = new Set();
    var previous = null;
    Array.prototype.forEach.call(freshList.children, function (item) {
      var old = document.getElementById(item.id);
      var node = old;
      var busy = old && (old.querySelector("dialog[open]") || old.querySelector(".htmx-request"));
      if (busy && old.dataset.changed !== item.dataset.changed) { complete = false; }
      if (!old || (!busy && old.dataset.changed !== item.dataset.changed)) {
        node = document.importNode(item, true);
        var hadFocus = old && old.contains(document.activeElement);
        if (old) { old.replaceWith(node); }
        htmx.process(node);
        if (hadFocus) { node.querySelector("h2").focus({ preventScroll: true }); }
      }
      kept.add(node);
      var wanted = previous ? previous.nextElementSibling : list.firstElementChild;
      if (wanted !== node) {
        // moveBefore keeps a moved row's state (an open dialog); a new row is simply inserted.
        var move = list.moveBefore && node.isConnected ? list.moveBefore : list.insertBefore;
        move.call(list, node, wanted);
      }
      previous = node;
    });
    Array.prototype.slice.call(list.children).forEach(function (item) {
      if (kept.has(item)) { return; }
      if (item.querySelector("dialog[open]")) { complete = false; } else { item.remove(); }
    });
    replaceEach(".pager", fresh);
    replaceEach("#results [role=status]", fresh);
    tick();
    return complete;
  }

  function replaceEach(selector, fresh) {
    var mine = document.querySelector(selector);
    var theirs = fresh.querySelector(selector);
    if (mine && theirs && mine.outerHTML !== theirs.outerHTML) {
      var node = document.importNode(theirs, true);
      mine.replaceWith(node);
      htmx.process(node);
    }
  }

  function swapChildren(target, source) {
    target.replaceChildren.apply(target, Array.prototype.map.call(source.childNodes, function (n) {
      return document.importNode(n, true);
    }));
    htmx.process(target);
  }

  // ---- Requests awaiting an answer: the count in the title and on the inbox link -----------
  function setNeedsAnswer(count) {
    count = Math.max(0, count);
    document.title = (count ? "(" + count + ") " : "") + document.title.replace(/^\(\d+\) /, "");
    document.querySelectorAll("[data-needs-answer]").forEach(function (badge) {
      badge.hidden = count === 0;
      badge.querySelector("[data-needs-answer-number]").textContent = String(count);
    });
  }
  function needsAnswer() {
    var number = document.querySelector("[data-needs-answer-number]");
    return number ? Number(number.textContent) || 0 : 0;
  }
  document.addEventListener("needs-answer", function (event) { setNeedsAnswer(event.detail.count); });

  // ---- Countdowns: tick in the browser; the server stays the judge of every rule ------------
  var URGENT_MS = 30 * 60 * 1000;
  function timeLeft(ms) {
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) { return days + "\u00a0d " + hours + "\u00a0h"; }
    if (hours) { return hours + "\u00a0h " + minutes + "\u00a0min"; }
    return minutes + "\u00a0min";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (badge) {
      var left = Date.parse(badge.dataset.deadline) - now;
      if (left > 0) {
        var text = "accept within " + timeLeft(left);
        if (badge.textContent !== text) { badge.textContent = text; }
        badge.classList.toggle("urgent", left <= URGENT_MS);
        return;
      }
      expire(badge);
    });
  }
  function expire(badge) {
    var row = badge.closest("li.booking-item");
    var results = document.getElementById("results");
    setNeedsAnswer(needsAnswer() - 1);
    if (row && results && results.dataset.view === "open" && !row.querySelector("dialog[open]")) {
      // "To accept or reject" holds only what can still be accepted.
      row.remove();
      if (!document.querySelector("#booking-list li")) { live && live.removeAttribute("data-etag"); }
      return;
    }
    var expired = document.createElement("strong");
    expired.className = "expired";
    expired.textContent = "expired";
    badge.replaceWith(expired);
    if (row) {
      row.querySelectorAll(".action-accept").forEach(function (button) { button.remove(); });
    }
  }
  window.setInterval(tick, 5000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { tick(); } });

  // ---- Alerts: a toast and, where the user allowed it, a browser notification --------------
  document.addEventListener("alerts", function (event) {
    (event.detail.items || []).forEach(function (item) {
      if (item.toast) { toast({ level: "info", message: item.title + ": " + item.body }); }
      if (item.notify && "Notification" in window && Notification.permission === "granted") {
        try { new Notification(item.title, { body: item.body, tag: item.tag }); } catch (e) { /* some browsers allow them only from a service worker */ }
      }
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-ask-notification-permission]");
    if (!button || !("Notification" in window)) { return; }
    Notification.requestPermission().then(function (answer) {
      toast({
        level: answer === "granted" ? "success" : "warning",
        message: answer === "granted" ? "This browser will show your alerts."
          : "This browser will not show notifications: allow them in its site settings.",
      });
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    // With JavaScript the filter form applies on change; its button stays for everyone else.
    document.querySelectorAll("form.filters button[type=submit]").forEach(function (button) {
      button.hidden = true;
    });
    reopenDialogs(document);
    tick();
  });
})();
