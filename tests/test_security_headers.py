"""The headers that tell a browser what a page may do: a content security policy with a fresh
script nonce, no framing, and no referrer from the OAuth callback, whose address holds a code.

The pages come from the URL patterns through tests/test_authorization.py, whose table must
name every pattern: a new page is checked without anyone listing it here.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.models import Account
from tests.dashboard.test_connect_view import CALLBACK, at_adultwork, connect_as
from tests.factories import AccountFactory, UserFactory
from tests.test_authorization import CASES, SIGNED_IN, world  # noqa: F401  (a fixture)

PAGES = sorted(name for name, case in CASES.items() if case.method == "GET")
NONCE = re.compile(r"'nonce-([^']+)'")
# Addresses that are no page for anyone: redirects, a 404 for the made-up calendar token, CSV,
# JSON. Every other GET address must show someone a page, and so be checked in full.
NOT_PAGES = {
    "home",
    "accounts:connect",
    "accounts:callback",
    "bookings:calendar_feed",
    "bookings:audit_export",
    "healthz",
    "manifest",
    "service_worker",
}


def policy_of(response) -> dict[str, list[str]]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in (d.strip() for d in directives) if d}


def is_html(response) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html")


def seen_by(case) -> list[str]:
    """Someone for whom the address is a page, and someone signed out."""
    return [next((a for a in SIGNED_IN if case.expected[a] == "ok"), "owner"), "anonymous"]


@pytest.mark.parametrize("name", PAGES)
def test_every_html_page_carries_a_strict_policy_a_fresh_nonce_and_refuses_framing(
    world,  # noqa: F811
    name,
):
    case = CASES[name]
    pages = 0
    for actor in seen_by(case):
        client = Client()
        if actor != "anonymous":
            client.force_login(world.users[actor])
        first, second = client.get(case.url(world)), client.get(case.url(world))
        if not is_html(first):
            continue  # the CSV export and the calendar feed
        for response in (first, second):
            policy = policy_of(response)
            assert policy["object-src"] == ["'none'"], (name, actor)
            assert policy["base-uri"] == ["'none'"], (name, actor)
            assert policy["frame-ancestors"] == ["'none'"], (name, actor)
            assert "'unsafe-inline'" not in policy["script-src"], (name, actor)
            assert response.headers["X-Frame-Options"] == "DENY", (name, actor)
        if first.status_code != 200:
            continue  # a redirect or an error: no script runs
        pages += 1
        scripts = re.findall(r"<script[^>]*>", first.text)
        if not scripts:
            continue  # a page with no script (the offline page, kept by the service worker)
        [nonce] = NONCE.findall(" ".join(policy_of(first)["script-src"]))
        [again] = NONCE.findall(" ".join(policy_of(second)["script-src"]))
        assert nonce != again, f"{name} as {actor}: the nonce must differ per response"
        for tag in scripts:
            assert f'nonce="{nonce}"' in tag or "src=" in tag, (name, actor, tag)
    assert (pages > 0) is (name not in NOT_PAGES), f"{name}: a page no one was shown"


@pytest.fixture
def registered(sandbox):
    sandbox.register_client(
        client_id="sandbox-client", client_secret="sandbox-secret", redirect_uris=[CALLBACK]
    )


def callback_after(outcome: str, client, owner, sandbox, sandbox_users):
    """The callback's answer for each way a connection at AdultWork can end."""
    scarlett = sandbox_users["ScarlettRose"]
    callback = reverse("accounts:callback")
    if outcome == "signed out":
        return client.get(callback, {"code": "a-code", "state": "a-state"})
    client.force_login(owner)
    match outcome:
        case "connected":
            return connect_as(client, scarlett)
        case "cancelled at AdultWork":
            return connect_as(client, scarlett, action="cancel")
        case "a state never handed out":
            return client.get(callback, {"code": "a-code", "state": "forged"})
        case "no state":
            return client.get(callback, {"code": "a-code"})
        case "replayed":
            start = client.get(reverse("accounts:connect"))
            path = at_adultwork(start.url, user_id=scarlett["UserID"])
            client.get(path)
            return client.get(path)
        case "AdultWork refuses the code":
            start = client.get(reverse("accounts:connect"))
            path = at_adultwork(start.url, user_id=scarlett["UserID"])
            code = re.search(r"code=([^&]+)", path)[1]
            return client.get(path.replace(code, "not-the-code"))
        case "the account is someone else's":
            AccountFactory(owner=UserFactory(username="other"), remote_user_id=scarlett["UserID"])
            return connect_as(client, scarlett)
    raise AssertionError(outcome)


@pytest.mark.parametrize(
    "outcome",
    [
        "connected",
        "cancelled at AdultWork",
        "a state never handed out",
        "no state",
        "replayed",
        "AdultWork refuses the code",
        "the account is someone else's",
        "signed out",
    ],
)
def test_the_oauth_callback_redirects_away_from_its_code_with_no_referrer_on_every_outcome(
    client, owner, sandbox, sandbox_users, registered, outcome
):
    response = callback_after(outcome, client, owner, sandbox, sandbox_users)
    assert response.status_code == 302, outcome
    assert response.headers["Referrer-Policy"] == "no-referrer"
    location = response.headers["Location"]
    assert not location.startswith(reverse("accounts:callback")), location
    assert "code" not in location, location
    if outcome == "connected":
        assert Account.objects.filter(owner=owner).exists()
