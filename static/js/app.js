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
  document.addEventListener("DOMContentLoaded", function () {
    // With JavaScript the filter form applies on change; its button stays for everyone else.
    document.querySelectorAll("form.filters button[type=submit]").forEach(function (button) {
      button.hidden = true;
    });
    reopenDialogs(document);
  });
})();
