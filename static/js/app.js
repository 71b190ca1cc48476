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

  // ---- The sheet: a booking's details or an action's form, fetched when its link is tapped --
  // Rows carry plain links (the page of each, for a browser without JavaScript); here they
  // open in the sheet instead. A form in the sheet posts with hx-swap="none": its answer is
  // the rows as they stand now, out of band, and a toast; a form with an error comes back
  // into the sheet (HX-Retarget).
  var sheet = document.getElementById("sheet");
  var sheetRow = null; // the id of the row the sheet was opened from, to return focus to it
  // A row's links carry no marker (every byte of a row counts); the sheet's own links do.
  var SHEET_LINKS = "a[data-sheet], [data-booking-row] .c-who a, [data-booking-row] .c-act a";

  function openSheet(link) {
    var row = link.closest("[data-booking-row]");
    if (row) { sheetRow = row.id; }
    htmx.ajax("GET", link.getAttribute("href"), { target: sheet, swap: "innerHTML", source: link });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(SHEET_LINKS);
    if (!link || !sheet || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    openSheet(link);
  });
  function sheetFor(row) {
    var body = sheet && sheet.open && sheet.querySelector("[data-booking]");
    return Boolean(body && row && body.dataset.booking === row.id);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== sheet) { return; }
    sheet.querySelectorAll("input[data-offer]").forEach(markCounterOffer);
    if (!sheet.open) { sheet.showModal(); }
    var first = sheet.querySelector("[role=alert]") ? sheet.querySelector("[aria-invalid], textarea, input:not([type=hidden])") : sheet.querySelector("input:not([type=hidden]):not([type=checkbox]), textarea");
    if (first) { first.focus(); } else {
      var heading = sheet.querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
  if (sheet) {
    sheet.addEventListener("close", function () {
      // The link that opened the sheet may have been swapped away with its row.
      var row = sheetRow && document.getElementById(sheetRow);
      var link = row && row.querySelector(".c-who a");
      if (link && !row.contains(document.activeElement)) { link.focus({ preventScroll: true }); }
      sheet.replaceChildren();
      // A row kept back while its sheet was open catches up now.
      if (live && !live.dataset.etag) { htmx.trigger(live, "refresh"); }
    });
  }

  // Warn before a counter-offer: the client is told when the credits differ from the offer.
  function markCounterOffer(input) {
    var hint = input.form.querySelector("[data-counter-offer-hint]");
    var submit = input.form.querySelector(".dialog-actions button[type=submit]");
    var differs = input.value.trim() !== "" && Number(input.value) !== Number(input.dataset.offer);
    hint.classList.toggle("counter-offer", differs);
    // The button's own words (the action's label, from the server) come back when they agree.
    if (!submit.dataset.label) { submit.dataset.label = submit.textContent; }
    submit.textContent = differs ? "Send counter-offer" : submit.dataset.label;
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

  // An action's answer brings its rows out of band, wherever the page shows them; a page that
  // does not show one (another list, the calendar) has nothing to swap, which htmx would log
  // as an error. Such parts are dropped before the swap.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var text = event.detail.serverResponse;
    if (typeof text !== "string" || text.indexOf("hx-swap-oob") === -1) { return; }
    var parsed = document.createElement("template");
    parsed.innerHTML = text;
    var dropped = false;
    parsed.content.querySelectorAll("[hx-swap-oob]").forEach(function (part) {
      var spec = part.getAttribute("hx-swap-oob");
      var colon = spec.indexOf(":");
      var selector = colon === -1 ? "#" + CSS.escape(part.id) : spec.slice(colon + 1);
      if (!document.querySelector(selector)) { part.remove(); dropped = true; }
    });
    if (dropped) { event.detail.serverResponse = parsed.innerHTML; }
  });

  // A form in a dialog is done with once it is answered, unless its answer is the form again
  // with an error in it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var dialog = elt.closest && elt.closest("dialog[open]");
    var form = elt.closest && elt.closest("form");
    if (!dialog && form) { dialog = form.querySelector("dialog[open]"); }
    var xhr = event.detail.xhr;
    var again = xhr && xhr.getResponseHeader("HX-Retarget");
    if (dialog && dialog.isConnected && event.detail.successful && !again && event.detail.requestConfig.verb === "post") { dialog.close(); }
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
      // The list appeared or emptied: nothing to keep.
      swapChildren(results, freshResults);
      return true;
    }
    var complete = true;
    var kept = new Set();
    var previous = null;
    Array.prototype.forEach.call(freshList.children, function (item) {
      var old = document.getElementById(item.id);
      var node = old;
      var busy = old && (sheetFor(old) || old.querySelector(".htmx-request"));
      if (busy && old.dataset.changed !== item.dataset.changed) { complete = false; }
      if (!old || (!busy && old.dataset.changed !== item.dataset.changed)) {
        node = document.importNode(item, true);
        var hadFocus = old && old.contains(document.activeElement);
        if (old) { old.replaceWith(node); }
        htmx.process(node);
        if (hadFocus) { node.querySelector(".c-who a").focus({ preventScroll: true }); }
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
      if (sheetFor(item)) { complete = false; } else { item.remove(); }
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
      if (mine.tagName === "DETAILS" && mine.open) { node.open = true; } // as the user left it
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
        // The last text of the badge is the time left; "accept within" before it stays.
        var text = timeLeft(left);
        var node = badge.lastChild;
        if (node.nodeValue !== text) { node.nodeValue = text; }
        badge.classList.toggle("urgent", left <= URGENT_MS);
        return;
      }
      expire(badge);
    });
  }
  function expire(badge) {
    var row = badge.closest("[data-booking-row]");
    var results = document.getElementById("results");
    setNeedsAnswer(needsAnswer() - 1);
    if (row && results && results.dataset.view === "open" && !sheetFor(row)) {
      // "To accept or reject" holds only what can still be accepted.
      row.remove();
      if (!document.querySelector("#booking-list > tr")) { live && live.removeAttribute("data-etag"); }
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

  // ---- The desk: keyboard shortcuts over the rows, announced to screen readers -------------
  // j/k move between rows (focus goes to the row's link, so a screen reader reads the row
  // with its column headers); a, r open the accept and reject forms; x ticks the row; Enter
  // follows the focused link as usual; ? lists the shortcuts.
  var SHORTCUT_ACTIONS = { a: ".action-accept", r: ".action-reject" };
  function bookingRows() {
    return Array.prototype.slice.call(document.querySelectorAll("#booking-list > [data-booking-row]"));
  }
  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-booking-row]") : null;
  }
  function say(text) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var note = document.createElement("p");
    note.className = "visually-hidden";
    note.textContent = text;
    box.appendChild(note);
    window.setTimeout(function () { note.remove(); }, 3000);
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]")) { return; }
    var rowsNow = bookingRows();
    var key = event.key;
    if (key === "?") {
      var help = document.getElementById("shortcuts");
      if (help) { event.preventDefault(); help.showModal(); }
      return;
    }
    if (!rowsNow.length) { return; }
    var row = currentRow();
    if (key === "j" || key === "k") {
      event.preventDefault();
      var index = rowsNow.indexOf(row);
      index = row ? index + (key === "j" ? 1 : -1) : 0;
      index = Math.max(0, Math.min(rowsNow.length - 1, index));
      var next = rowsNow[index];
      next.querySelector(".c-who a").focus();
      next.scrollIntoView({ block: "nearest" });
      return;
    }
    if (!row) { return; }
    if (SHORTCUT_ACTIONS[key]) {
      event.preventDefault();
      var link = row.querySelector(SHORTCUT_ACTIONS[key]);
      if (link) { openSheet(link); } else { say("That cannot be done to this booking."); }
      return;
    }
    if (key === "x") {
      var box = row.querySelector("input[type=checkbox]");
      event.preventDefault();
      if (!box) { say("Only a finished booking can be selected."); return; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // ---- Selection for bulk actions: a box for the whole page, and a count ------------------
  function countSelected() {
    var boxes = document.querySelectorAll("input[form=bulk-delete][name=booking]");
    var chosen = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
    var bar = document.getElementById("bulk-delete");
    if (bar) {
      bar.classList.toggle("has-selection", chosen > 0);
      var count = bar.querySelector("[data-selected-count]");
      if (count) {
        count.textContent = chosen ? chosen + " selected" : "Tick finished bookings to delete several at once.";
      }
    }
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[form=bulk-delete][name=booking]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    if (event.target.matches("[data-select-all], input[form=bulk-delete]")) { countSelected(); }
  });
  document.addEventListener("htmx:afterSettle", countSelected);

  document.addEventListener("DOMContentLoaded", function () {
    // With JavaScript the filter form applies on change; its button stays for everyone else.
    document.querySelectorAll("form.filters button[type=submit]").forEach(function (button) {
      button.hidden = true;
    });
    tick();
  });
})();
