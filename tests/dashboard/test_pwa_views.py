"""The installable app: a manifest per person (neutral for the discreet), the service worker
served from the root, and the offline page it keeps."""

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from dashboard import pwa_views
from dashboard.models import Preferences
from tests.factories import UserFactory


def manifest_of(client) -> dict:
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as image:
        head = image.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def static_file(url: str) -> str:
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    return path


def test_the_manifest_names_the_app_and_gives_every_icon_a_phone_needs(client, db):
    manifest = manifest_of(client)
    assert manifest["name"] == "AW Bookings"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = static_file(icon["src"])
        assert "/img/icon" in icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(path)
            assert icon["sizes"] == f"{width}x{height}"


def test_a_discreet_person_gets_a_neutral_name_icon_and_colour(client, owner):
    Preferences.objects.create(user=owner, discreet=True)
    client.force_login(owner)
    manifest = manifest_of(client)
    assert manifest["name"] == manifest["short_name"] == "Dashboard"
    text = json.dumps(manifest)
    assert "Bookings" not in text
    assert "AW" not in text
    assert "#8a1f5c" not in text
    for icon in manifest["icons"]:
        assert "/img/neutral" in icon["src"]
        static_file(icon["src"])
    # The same app, renamed: not a second one beside it.
    assert manifest["id"] == manifest_of(client.__class__())["id"]


def test_the_manifest_is_each_persons_own_and_kept_by_no_shared_cache(client, owner):
    client.force_login(owner)
    response = client.get(reverse("manifest"))
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]


def test_someone_without_discreet_wording_gets_the_brand(client, owner):
    Preferences.objects.create(user=owner, discreet=False, alert_push=True)
    client.force_login(owner)
    assert manifest_of(client)["name"] == "AW Bookings"


def test_the_service_worker_is_served_from_the_root_as_javascript_never_kept_stale(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "application/javascript"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert script.startswith("self.SHELL = {")
    assert 'addEventListener("fetch"' in script


def test_the_service_worker_knows_the_shell_and_the_pages_it_keeps_copies_of(client, db):
    script = client.get("/sw.js").content.decode()
    shell = json.loads(script.split("self.SHELL = ", 1)[1].split(";\n", 1)[0])
    assert shell["offline"] == reverse("offline")
    assert shell["signOut"] == reverse("logout")
    assert shell["signIn"] == reverse("login")
    assert reverse("bookings:inbox") in shell["copies"]
    assert reverse("bookings:list", args=["webcam", "received"]) in shell["copies"]
    assert "/static/css/app.css" in shell["assets"]
    for asset in shell["assets"]:
        static_file(asset)
    assert shell["icon"].endswith("img/neutral-192.png")
    assert len(shell["version"]) == 16


def shell_of(client) -> dict:
    script = client.get("/sw.js").content.decode()
    return json.loads(script.split("self.SHELL = ", 1)[1].split(";\n", 1)[0])


def test_in_production_the_service_worker_names_the_collected_files(client, db, settings, tmp_path):
    """As deployed: the files collected under hashed names (WhiteNoise's manifest storage),
    where only a file in the manifest has a URL."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    pwa_views._built_service_worker.cache_clear()
    try:
        shell = shell_of(client)
    finally:
        pwa_views._built_service_worker.cache_clear()
    assert shell["static"] == "/static/"
    assert any(re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", a) for a in shell["assets"])
    assert re.fullmatch(r"/static/img/neutral-192\.[0-9a-f]{12}\.png", shell["icon"])


def test_an_unchanged_service_worker_is_a_304(client, db):
    first = client.get("/sw.js")
    again = client.get("/sw.js", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_only_safe_methods_reach_the_app_files(client, db):
    for url in ("/sw.js", "/manifest.webmanifest", "/offline/"):
        assert client.post(url).status_code == 405


@pytest.mark.parametrize("discreet", [False, True])
def test_the_offline_page_names_no_one_and_no_brand(client, db, discreet):
    user = UserFactory(username="Scarlett")
    Preferences.objects.create(user=user, discreet=discreet)
    client.force_login(user)
    response = client.get(reverse("offline"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are offline" in html
    assert "<p data-last-copy>" in html  # where the service worker writes when its copy is from
    for secret in ("Scarlett", "AW Bookings", "img/icon"):
        assert secret not in html
