// Registers the service worker (static/js/sw.js, served at the address in data-sw, /sw.js):
// the offline page and the last copies of the lists, and push alerts. Loaded on every page.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  var script = document.currentScript;
  var url = (script && script.dataset.sw) || "/sw.js";
  function register() {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function (error) {
      // The site works without it: only offline copies and push are missing.
      console.warn("The offline copy and push alerts are unavailable: " + error.message);
    });
  }
  if (document.readyState === "complete") { register(); } else { window.addEventListener("load", register); }
})();
