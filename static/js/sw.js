// The service worker, served at /sw.js (dashboard/pwa_views.py puts `self.SHELL`, the shell's
// addresses and this version, before this code). It keeps the shell, serves pages from the
// network first, keeps the last good copy of the inbox and of each list, and shows that copy,
// or the offline page naming when it is from, when the network is gone. It also shows the
// push alerts the worker sends (bookings/push.py).
(function () {
  "use strict";

  var SHELL = self.SHELL;
  var SHELL_CACHE = "shell-" + SHELL.version;
  // The last good copy of each page in SHELL.copies, with the time it was fetched. Kept across
  // versions (they are this phone's last copies) and dropped when someone signs out.
  var COPIES_CACHE = "copies";
  var COPIED_AT = "X-Copied-At";

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
      // Without the offline page the worker is no use: then the install fails and is retried.
      var offline = cache.add(new Request(SHELL.offline, { cache: "reload" }));
      var assets = SHELL.assets.map(function (url) {
        return cache.add(new Request(url, { cache: "reload" })).catch(function () {
          console.warn("The app could not keep " + url + " for offline use.");
        });
      });
      return Promise.all([offline].concat(assets));
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); }));
  });

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) { return; }
    if (request.mode === "navigate" && request.method === "POST" && url.pathname === SHELL.signOut) {
      // Whoever comes next to this phone sees none of the last copies.
      event.waitUntil(caches.delete(COPIES_CACHE));
      return;
    }
    if (request.method !== "GET") { return; }
    if (request.mode === "navigate") {
      event.respondWith(navigate(event));
    } else if (url.pathname.indexOf(SHELL.static) === 0) {
      event.respondWith(fetch(request).catch(function () {
        return caches.match(request).then(function (kept) { return kept || Response.error(); });
      }));
    }
    // Everything else (the live pages' polls, htmx's requests) goes to the network as it is.
  });

  function navigate(event) {
    var request = event.request;
    return fetch(request).then(function (response) {
      var path = new URL(response.url || request.url).pathname;
      if (path === SHELL.signIn) {
        // Nobody is signed in here any more (signed out, or the session ended).
        event.waitUntil(caches.delete(COPIES_CACHE));
      } else if (keepsCopy(request, response)) {
        event.waitUntil(keepCopy(request, response.clone()));
      }
      return response;
    }, function () {
      return offline(request);
    });
  }

  function copyKey(request) {
    // One copy per page, whatever its filters: the last one seen.
    return new URL(request.url).pathname;
  }

  function keepsCopy(request, response) {
    var type = response.headers.get("Content-Type") || "";
    return response.status === 200 && !response.redirected && response.type === "basic" &&
      type.indexOf("text/html") === 0 && SHELL.copies.indexOf(copyKey(request)) !== -1;
  }

  function keepCopy(request, response) {
    return response.blob().then(function (body) {
      var headers = new Headers(response.headers);
      headers.set(COPIED_AT, new Date().toISOString());
      return caches.open(COPIES_CACHE).then(function (cache) {
        return cache.put(copyKey(request), new Response(body, { status: 200, headers: headers }));
      });
    });
  }

  function offline(request) {
    return caches.open(COPIES_CACHE).then(function (cache) {
      return cache.match(copyKey(request)).then(function (copy) {
        if (copy) { return lastCopy(copy); }
        return latestCopy(cache).then(offlinePage);
      });
    });
  }

  // The newest of the copies kept: { path, at } or null.
  function latestCopy(cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) {
        return cache.match(key).then(function (copy) {
          return { path: new URL(key.url).pathname, at: new Date(copy.headers.get(COPIED_AT)) };
        });
      }));
    }).then(function (copies) {
      return copies.reduce(function (latest, copy) {
        return !latest || copy.at > latest.at ? copy : latest;
      }, null);
    });
  }

  // "14:05", or "14:05 on Mon 3 Nov" when not today, in this device's own time zone.
  function when(at) {
    var time = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    if (at.toDateString() === new Date().toDateString()) { return time; }
    return time + " on " + at.toLocaleDateString("en-GB", {
      weekday: "short", day: "numeric", month: "short",
    });
  }

  function timeElement(at) {
    return '<time datetime="' + at.toISOString() + '">' + when(at) + "</time>";
  }

  function fresh(response, text) {
    var headers = new Headers(response.headers);
    // The text changed length, and is no longer what the server compressed.
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    headers.delete(COPIED_AT);
    return new Response(text, { status: 200, headers: headers });
  }

  // The page as it last came, with a banner saying that it is that copy and from when.
  function lastCopy(copy) {
    var at = new Date(copy.headers.get(COPIED_AT));
    return copy.text().then(function (html) {
      var banner = (SHELL.css ? '<link rel="stylesheet" href="' + SHELL.css + '">' : "") +
        '<p class="offline-banner" role="status">You are offline. This is the last copy this ' +
        "device has, from " + timeElement(at) + ": nothing can be accepted, rejected or synced " +
        'until the connection is back. <a href="">Try again</a></p>';
      return fresh(copy, html.replace(/<body[^>]*>/i, function (tag) { return tag + banner; }));
    });
  }

  function offlinePage(latest) {
    return caches.match(SHELL.offline).then(function (page) {
      if (!page) { return Response.error(); }
      return page.text().then(function (html) {
        var sentence = latest
          ? "The last copy this device has is from " + timeElement(latest.at) + ': <a href="' +
            latest.path + '">open it</a>.'
          : "This device keeps no copy of your bookings yet.";
        return fresh(page, html.replace(/(<p data-last-copy>)[\s\S]*?(<\/p>)/, "$1" + sentence + "$2"));
      });
    });
  }

  // ---- Push -------------------------------------------------------------------------------
  // Named on self so that a test can show a payload without a push service (none in CI).
  self.showAlert = function (data) {
    data = data || {};
    // Never a nickname unless the server wrote one: the fallbacks are neutral.
    return self.registration.showNotification(data.title || "New request", {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: data.icon || SHELL.icon,
      data: { url: data.url || SHELL.home },
    });
  };

  self.addEventListener("push", function (event) {
    var data = {};
    try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
    event.waitUntil(self.showAlert(data));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var target = new URL((event.notification.data || {}).url || SHELL.home, self.location.origin);
    if (target.origin !== self.location.origin) { target = new URL(SHELL.home, self.location.origin); }
    event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
      .then(function (windows) {
        for (var i = 0; i < windows.length; i += 1) {
          if (new URL(windows[i].url).pathname === target.pathname && "focus" in windows[i]) {
            return windows[i].focus();
          }
        }
        return self.clients.openWindow(target.href);
      }));
  });
})();
