"""The installable web app: its manifest (neutral for whoever chose discreet wording), its
service worker, served from the root so that it may control every page, and the page it shows
when the network is gone."""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition, require_safe

from dashboard.models import preferences_of

BRAND = {"name": "AW Bookings", "short_name": "Bookings", "icon": "icon", "color": "#8a1f5c"}
# Discreet: a name, an icon and a colour that say nothing of what the app is for.
NEUTRAL = {"name": "Dashboard", "short_name": "Dashboard", "icon": "neutral", "color": "#4a5560"}

# What the service worker keeps from the start, so that the offline page and the last copies
# of the lists look as they should without a network. A file that is missing is left out.
SHELL_ASSETS = [
    "css/app.css",
    "css/pwa.css",
    "js/app.js",
    "js/sw-register.js",
    "django_htmx/htmx-2.min.js",
    "img/icon.svg",
    "img/neutral.svg",
    "img/icon-192.png",
    "img/neutral-192.png",
]
# The pages whose last good copy the service worker keeps, to show offline: the inbox and the
# four lists, by name only (dashboard never imports bookings).
COPIED_PAGES = [
    ("bookings:inbox", ()),
    ("bookings:list", ("webcam", "received")),
    ("bookings:list", ("webcam", "made")),
    ("bookings:list", ("phonechat", "received")),
    ("bookings:list", ("phonechat", "made")),
]


def looks_for(request: HttpRequest) -> dict:
    """The brand, or the neutral look for a signed-in person who chose discreet wording."""
    if request.user.is_authenticated and preferences_of(request.user).discreet:
        return NEUTRAL
    return BRAND


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    look = looks_for(request)
    icon = look["icon"]
    data = {
        # One id whatever the look, so that turning discreet on renames the installed app
        # rather than making it a second one.
        "id": reverse("home"),
        "name": look["name"],
        "short_name": look["short_name"],
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": look["color"],
        "icons": [
            {"src": static(f"img/{icon}.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static(f"img/{icon}-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static(f"img/{icon}-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static(f"img/{icon}-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    # Each person's own: no shared cache may hand one person's look to another.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


def _static_or_none(path: str) -> str | None:
    try:
        return static(path)
    except ValueError:  # not in the manifest of collected files
        return None


def _shell() -> dict:
    copies = []
    for name, args in COPIED_PAGES:
        try:
            copies.append(reverse(name, args=args))
        except NoReverseMatch:
            continue
    return {
        "assets": [url for url in map(_static_or_none, SHELL_ASSETS) if url],
        # The prefix of every static URL: not static(""), which the manifest storage of a
        # deployment refuses, as no file is named "".
        "static": settings.STATIC_URL,
        "css": _static_or_none("css/pwa.css"),
        # A push without a readable payload names nothing: the neutral icon.
        "icon": static("img/neutral-192.png"),
        "offline": reverse("offline"),
        "home": reverse("home"),
        "signIn": reverse("login"),
        "signOut": reverse("logout"),
        "copies": copies,
    }


def _build_service_worker() -> tuple[str, str]:
    path = finders.find("js/sw.js")
    assert isinstance(path, str)  # nosec B101  # type narrowing; the project ships the file
    with open(path, encoding="utf-8") as source:
        code = source.read()
    shell = _shell()
    # A new deployment (new code or new hashed file names) is a new version: the browser
    # installs it, and the old shell's cache is dropped.
    version = hashlib.sha256((code + json.dumps(shell, sort_keys=True)).encode()).hexdigest()[:16]
    shell["version"] = version
    script = f"self.SHELL = {json.dumps(shell, indent=2)};\n\n{code}"
    return script, version


_built_service_worker = cache(_build_service_worker)


def service_worker_script() -> tuple[str, str]:
    """The service worker's code with the shell's addresses before it, and its version. Built
    once a process, except with DEBUG on, where the file may have just been edited."""
    if settings.DEBUG:
        return _build_service_worker()
    return _built_service_worker()


@require_safe
@condition(etag_func=lambda request: service_worker_script()[1])
def service_worker(request: HttpRequest) -> HttpResponse:
    script, _ = service_worker_script()
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # The browser asks again on every visit (a 304 when nothing changed), so that a new
    # deployment's worker is installed at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows when a page cannot be reached and it keeps no copy of
    it. Kept once for everyone who uses the browser, so it names no one and no brand; the
    service worker writes in when the last copy it keeps is from."""
    return render(request, "dashboard/offline.html", {"look": NEUTRAL})
