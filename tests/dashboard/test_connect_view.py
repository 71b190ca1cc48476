"""Connecting an AdultWork account through Unified Login, against the sandbox's login page."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from bookings.models import Booking
from dashboard import connect
from dashboard.models import Account, AuditEntry, Connection
from tests.factories import AccountFactory, BookingFactory, GrantFactory, UserFactory

CALLBACK = "http://testserver/accounts/connect/callback/"
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(autouse=True)
def registered(sandbox):
    sandbox.register_client(
        client_id="sandbox-client", client_secret="sandbox-secret", redirect_uris=[CALLBACK]
    )


def at_adultwork(authorize_url: str, *, user_id: int, action: str = "allow") -> str:
    """Pick a user and press Allow (or Cancel) on the sandbox's page; the callback path."""
    page = requests.get(authorize_url, timeout=5)
    assert page.status_code == 200, page.text
    form = {name: unescape(value) for name, value in HIDDEN_FIELD.findall(page.text)}
    answer = requests.post(
        urlsplit(authorize_url)._replace(query="").geturl(),
        data={**form, "user_id": str(user_id), "action": action},
        allow_redirects=False,
        timeout=5,
    )
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK)
    return location.removeprefix("http://testserver")


def token_calls(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["path"].lower() == "/oauth/token"]


def connect_as(client, sandbox_user: dict, action: str = "allow"):
    start = client.get(reverse("accounts:connect"))
    assert start.status_code == 302
    return client.get(at_adultwork(start.url, user_id=sandbox_user["UserID"], action=action))


def test_connect_sends_the_user_to_authorize_with_scopes_state_and_pkce(client, owner, sandbox):
    client.force_login(owner)
    response = client.get(reverse("accounts:connect"))
    url = urlsplit(response.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/OAuth/Authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == "sandbox-client"
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"].split() == list(connect.SCOPES)
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    assert query["code_challenge"]


def test_connecting_stores_the_account_and_starts_the_first_sync(
    client, owner, sandbox, sandbox_users, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = connect_as(client, sandbox_users["ScarlettRose"])
    assert response.status_code == 302
    account = Account.objects.get()
    assert (account.owner, account.nickname, account.remote_user_id) == (
        owner,
        "ScarlettRose",
        sandbox_users["ScarlettRose"]["UserID"],
    )
    assert account.group_name == "Velvet Rooms"
    assert Connection.objects.get(account=account).access_token
    assert Booking.objects.filter(account=account).exists()
    entry = AuditEntry.objects.get(action="connect")
    assert (entry.user, entry.account, entry.outcome) == (owner, account, "done")
    [exchange] = token_calls(sandbox)
    assert exchange["body"]["grant_type"] == "authorization_code"
    assert exchange["body"]["code_verifier"]


def test_connecting_the_same_account_again_updates_it(client, owner, sandbox, sandbox_users):
    client.force_login(owner)
    connect_as(client, sandbox_users["IvyBlaze"])
    first_token = Connection.objects.get().access_token
    connect_as(client, sandbox_users["IvyBlaze"])
    assert Account.objects.count() == 1
    assert Connection.objects.get().access_token != first_token


def test_the_group_manager_is_recorded_as_such(client, owner, sandbox, sandbox_users):
    client.force_login(owner)
    connect_as(client, sandbox_users["VelvetRoomsDesk"])
    assert Account.objects.get().is_group_manager


def test_cancelling_at_adultwork_says_so_and_connects_nothing(
    client, owner, sandbox, sandbox_users
):
    client.force_login(owner)
    response = connect_as(client, sandbox_users["ScarlettRose"], action="cancel")
    assert response.status_code == 302
    assert "You cancelled at AdultWork" in client.get(response.url).text
    assert not Account.objects.exists()
    assert token_calls(sandbox) == []


@pytest.mark.parametrize("state", [None, "a-state-we-never-handed-out"])
def test_a_missing_or_unknown_state_is_refused_without_a_token_call(client, owner, sandbox, state):
    client.force_login(owner)
    client.get(reverse("accounts:connect"))
    query = {"code": "some-code"} | ({"state": state} if state else {})
    response = client.get(reverse("accounts:callback"), query)
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "no longer valid" in client.get(response.url).text
    assert token_calls(sandbox) == []


def test_a_replayed_callback_is_refused_without_a_token_call(client, owner, sandbox, sandbox_users):
    client.force_login(owner)
    start = client.get(reverse("accounts:connect"))
    callback = at_adultwork(start.url, user_id=sandbox_users["ScarlettRose"]["UserID"])
    client.get(callback)
    sandbox.clear_requests()
    response = client.get(callback)
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "no longer valid" in client.get(response.url).text
    assert token_calls(sandbox) == []


def test_a_state_from_someone_elses_session_is_refused(client, owner, sandbox, sandbox_users):
    client.force_login(owner)
    start = client.get(reverse("accounts:connect"))
    callback = at_adultwork(start.url, user_id=sandbox_users["ScarlettRose"]["UserID"])
    client.force_login(UserFactory(username="victim"))
    response = client.get(callback)
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "no longer valid" in client.get(response.url).text
    assert not Account.objects.exists()


def test_the_sandbox_checks_the_pkce_verifier_we_send(client, owner, sandbox, sandbox_users):
    client.force_login(owner)
    start = client.get(reverse("accounts:connect"))
    session = client.session
    state = parse_qs(urlsplit(start.url).query)["state"][0]
    session[connect.SESSION_KEY][state]["verifier"] = "x" * 64
    session.save()
    response = client.get(at_adultwork(start.url, user_id=sandbox_users["ScarlettRose"]["UserID"]))
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "did not complete the connection" in client.get(response.url).text
    assert not Account.objects.exists()


def test_an_account_connected_by_someone_else_is_not_taken_over(
    client, owner, outsider, sandbox, sandbox_users
):
    AccountFactory(owner=outsider, remote_user_id=sandbox_users["JadeMoon"]["UserID"])
    client.force_login(owner)
    response = connect_as(client, sandbox_users["JadeMoon"])
    assert (response.status_code, response.url) == (302, reverse("accounts:list"))
    assert "already connected by another user" in client.get(response.url).text
    assert Account.objects.get().owner == outsider
    assert not AuditEntry.objects.exists()


def test_disconnect_deletes_tokens_and_bookings_for_the_owner_only(
    client, owner, outsider, account
):
    staff = UserFactory(username="granted")
    GrantFactory(user=staff, account=account)
    BookingFactory(account=account)
    url = reverse("accounts:disconnect", args=[account.pk])
    for user in (staff, outsider):
        client.force_login(user)
        assert client.post(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Account.objects.filter(pk=account.pk).exists()
    assert not Booking.objects.exists()
    assert not Connection.objects.exists()
    entry = AuditEntry.objects.get(action="disconnect")
    assert (entry.user, entry.account_nickname) == (owner, "ScarlettLocal")


def test_the_accounts_page_lists_owned_and_granted_accounts(
    client, owner, staff, outsider, account
):
    for user, sees in ((owner, True), (staff, True), (outsider, False)):
        client.force_login(user)
        assert (account.nickname in client.get(reverse("accounts:list")).text) is sees


def test_the_accounts_page_names_the_role_a_grant_gives(client, staff, account):
    client.force_login(staff)
    assert "you are its <strong>operator</strong>" in client.get(reverse("accounts:list")).text
