"""Sessions and cookies: a session id planted before sign-in is worth nothing after it, one
that signed out is dead, and the cookies keep away from scripts, other sites and plain HTTP."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def sign_in(client: Client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the sign-in failed"
    return response


def session_id(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_session(key: str) -> Client:
    """Another browser, holding only this session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


def test_the_session_id_changes_at_sign_in_so_a_planted_one_signs_no_one_in(client, db):
    UserFactory(username="performer")
    # An attacker's session, planted in the victim's browser before they sign in.
    session = client.session
    session["planted"] = True
    session.save()
    planted = session_id(client)
    sign_in(client, "performer")
    assert session_id(client) != planted
    assert client.get(reverse("bookings:inbox")).status_code == 200
    attacker = with_session(planted).get(reverse("bookings:inbox"))
    assert (attacker.status_code, attacker.url.split("?")[0]) == (302, reverse("login"))


def test_after_sign_out_the_old_session_cookie_is_dead(client, db):
    UserFactory(username="performer")
    sign_in(client, "performer")
    old = session_id(client)
    assert with_session(old).get(reverse("bookings:inbox")).status_code == 200
    client.post(reverse("logout"))
    replayed = with_session(old).get(reverse("bookings:inbox"))
    assert (replayed.status_code, replayed.url.split("?")[0]) == (302, reverse("login"))


def test_the_session_and_message_cookies_are_httponly_and_every_cookie_samesite_lax(client, db):
    UserFactory(username="performer")
    client.get(reverse("login"))  # the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    signed_in = sign_in(client, "performer")
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    # A message waits in its cookie until the next page shows it.
    message = client.post(reverse("preferences:calendar_issue")).cookies["messages"]
    for cookie in (session, message):
        assert cookie["httponly"] is True, cookie.key
    for cookie in (session, message, csrf):
        assert cookie["samesite"] == "Lax", cookie.key


# Under production settings (DEBUG off, every secret set), sets each cookie the way the site
# does, through the middleware, and prints its attributes. No database: the session engine is
# swapped for the cache, which changes nothing of the cookie.
PRODUCTION_COOKIES = """
import json
import django
django.setup()
from django.conf import settings
settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

def view(request):
    request.session["seen"] = True
    get_token(request)
    messages.info(request, "hello")
    return HttpResponse()

chain = SessionMiddleware(CsrfViewMiddleware(MessageMiddleware(view)))
response = chain(RequestFactory().get("/", secure=True))
print(json.dumps({
    name: {key: morsel[key] for key in ("secure", "httponly", "samesite")}
    for name, morsel in response.cookies.items()
}))
"""


def test_in_production_every_cookie_is_secure_and_samesite_and_the_session_httponly():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SESSION_", "CSRF_", "SECURE_", "DJANGO_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "false",
        "SECRET_KEY": "production-like-secret-key-for-this-test-only-0123456789",
        "ADULTWORK_CLIENT_ID": "client",
        "ADULTWORK_CLIENT_SECRET": "secret",
        "TOKEN_ENCRYPTION_KEYS": "dGVzdC1vbmx5LXRva2VuLWtleS0zMi1ieXRlcy1vayE=",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_COOKIES],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    cookies = json.loads(result.stdout.splitlines()[-1])
    assert set(cookies) == {"sessionid", "csrftoken", "messages"}
    for name, cookie in cookies.items():
        assert cookie["secure"] is True, name
        assert cookie["samesite"] == "Lax", name
    assert cookies["sessionid"]["httponly"] is True
    assert cookies["messages"]["httponly"] is True
