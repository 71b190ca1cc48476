// Settings: turn push notifications on or off for this browser. It asks the browser's
// permission, subscribes with the site's VAPID key (data-vapid-key) and posts the subscription
// to the dashboard (JSON, CSRF token from <body hx-headers>); the worker then sends this
// person's alerts to it (bookings/push.py), shown by the service worker (static/js/sw.js).
(function () {
  "use strict";

  var box = document.querySelector("[data-push]");
  if (!box) { return; }
  var status = box.querySelector("[data-push-status]");
  var on = box.querySelector("[data-push-on]");
  var off = box.querySelector("[data-push-off]");

  var TEXT = {
    unsupported: "This browser cannot receive push notifications. On an iPhone or iPad, add " +
      "the dashboard to your Home Screen (Share, then \u201cAdd to Home Screen\u201d) and open " +
      "it from there.",
    denied: "Notifications are blocked for this site in this browser: allow them in the " +
      "browser\u2019s site settings, then reload this page.",
    on: "Push is on for this device: alerts arrive here even when no dashboard tab is open.",
    off: "Push is off for this device.",
  };

  function say(text, problem) {
    status.textContent = text;
    status.classList.toggle("push-problem", Boolean(problem));
  }
  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function post(url, body, expected) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // a redirect means the session ended: say so rather than follow it
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.status === expected) { return response; }
      if (response.type === "opaqueredirect" || response.status === 403) {
        throw new Error("your session has ended: reload the page and sign in again.");
      }
      throw new Error("the dashboard answered " + response.status + ".");
    });
  }

  function keyBytes(base64url) {
    var text = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(text + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function sameKey(subscription) {
    var theirs = subscription.options && subscription.options.applicationServerKey;
    if (!theirs) { return true; }
    var a = new Uint8Array(theirs);
    var b = keyBytes(box.dataset.vapidKey);
    return a.length === b.length && a.every(function (byte, i) { return byte === b[i]; });
  }

  function registration() {
    // The service worker may be registered already (every page does it); this one waits for it.
    return navigator.serviceWorker.register(box.dataset.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  function subscribe(reg) {
    return reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(box.dataset.vapidKey),
    });
  }

  function turnOn() {
    on.disabled = true;
    say("Asking this browser\u2026");
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        say(answer === "denied" ? TEXT.denied : "Push stays off: the browser was not allowed to show notifications.", true);
        return null;
      }
      return registration().then(subscribe).then(function (subscription) {
        return post(box.dataset.subscribeUrl, subscription.toJSON(), 201);
      }).then(function () {
        show(true);
        say(TEXT.on);
      });
    }).catch(function (error) {
      say("Push could not be turned on: " + error.message, true);
    }).then(function () { on.disabled = false; });
  }

  function turnOff() {
    off.disabled = true;
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var endpoint = subscription.endpoint;
      // The browser's side first: once it is gone, nothing reaches this device whatever the
      // dashboard answers (it deletes the row at the next push, which the push service refuses).
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribeUrl, { endpoint: endpoint }, 204);
      });
    }).then(function () {
      show(false);
      say(TEXT.off);
    }).catch(function (error) {
      say("Push could not be turned off: " + error.message, true);
    }).then(function () { off.disabled = false; });
  }

  // What this browser has now. A subscription it keeps is posted again, so that the dashboard
  // knows it under whoever is signed in now.
  function refresh() {
    say("Checking this browser\u2026");
    registration().then(function (reg) {
      return reg.pushManager.getSubscription().then(function (subscription) {
        if (subscription && !sameKey(subscription)) {
          // Made with a key this dashboard no longer signs with: it would never receive.
          return subscription.unsubscribe().then(function () { return null; });
        }
        return subscription;
      });
    }).then(function (subscription) {
      if (!subscription || Notification.permission !== "granted") {
        show(false);
        say(Notification.permission === "denied" ? TEXT.denied : TEXT.off, Notification.permission === "denied");
        return null;
      }
      return post(box.dataset.subscribeUrl, subscription.toJSON(), 201).then(function () {
        show(true);
        say(TEXT.on);
      });
    }).catch(function (error) {
      show(false);
      say("This browser\u2019s push could not be checked: " + error.message, true);
    });
  }

  if (!box.dataset.vapidKey) { return; } // not set up on this dashboard: the page says so
  if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) {
    say(TEXT.unsupported, true);
    return;
  }
  on.addEventListener("click", turnOn);
  off.addEventListener("click", turnOff);
  refresh();
})();
