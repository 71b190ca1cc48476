// The few behaviours the CSP allows: all of them from this file, none inline.
(function () {
  "use strict";

  // Times are rendered in the viewer's zone: tell the server which one it is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser keeps the default zone */ }

  // With JavaScript the filter form applies on change; its button stays for everyone else.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.filters button[type=submit]").forEach(function (button) {
      button.classList.add("visually-hidden");
    });
  });
})();
