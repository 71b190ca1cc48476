"""Secrets stay secret: no access token, refresh token, PKCE code verifier or client secret in
Django's error report (the technical 500 text and HTML), in the error mail to ADMINS, or in
DEBUG-level logs, whatever breaks while the dashboard holds one.

Django hides a frame's locals from its report when the frame, or the nearest decorated frame
that called it, is marked with `sensitive_variables`, and only with DEBUG off. So each marked
function is also driven on its own, with nothing marked above it, to prove its own mark.
"""

import http.client
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import quote_plus, urlsplit
from zoneinfo import ZoneInfoNotFoundError

import pytest
import requests
import urllib3.connectionpool
from cryptography.fernet import Fernet
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter

import gateway
import gateway.parsing
from bookings.models import Booking
from bookings.rules import allowed_actions
from bookings.sync import sync_account
from dashboard import adultwork, connect, crypto, services, views
from dashboard.models import Connection
from tests.conftest import connect as connect_with_sandbox_tokens

CALLBACK = "http://testserver/accounts/connect/callback/"
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


# --- the fixtures: a connected account, the issued tokens, faults --------------------------


@pytest.fixture(autouse=True)
def production_errors(settings):
    """DEBUG off (Django hides nothing with DEBUG on), and admins to mail."""
    settings.DEBUG = False
    settings.ADMINS = ["admins@example.com"]


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    account = connect_with_sandbox_tokens(
        sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"]
    )
    sync_account(account=account)
    return account


@pytest.fixture
def issued(monkeypatch) -> list:
    """Every token set read from AdultWork's token endpoint, as the gateway parsed it."""
    sets = []
    real = gateway.parsing.parse_token_set

    def spy(*args, **kwargs):
        tokens = real(*args, **kwargs)
        sets.append(tokens)
        return tokens

    monkeypatch.setattr(gateway.parsing, "parse_token_set", spy)
    return sets


class Secrets:
    """What must never show: the client secret, and the tokens and verifiers of the test."""

    def __init__(self, settings, issued: list) -> None:
        self._values = {settings.ADULTWORK_CLIENT_SECRET}
        self._issued = issued

    def add(self, *values: str) -> None:
        self._values.update(values)

    def add_stored(self, account) -> None:
        connection = Connection.objects.get(account=account)
        self.add(connection.access_token, connection.refresh_token)

    def all(self) -> set[str]:
        values = set(self._values)
        for tokens in self._issued:
            values |= {tokens.access_token, tokens.refresh_token}
        assert all(len(value) >= 8 for value in values)  # long enough to mean something
        return {str(value) for value in values}

    def shown_in(self, text: str) -> list[str]:
        """The secrets `text` shows, even in part: any 16 characters of one count, since
        reports wrap long values over lines (pprint splits bytes) and trim them."""
        text = unescape(text)
        text += re.sub(r"""['"]\s*\n\s*b?['"]""", "", text)  # joined again where pprint split
        return [
            value
            for value in self.all()
            if any(piece in text for piece in _pieces(value) | _pieces(quote_plus(value)))
        ]


def _pieces(value: str, size: int = 16) -> set[str]:
    return {value[start : start + size] for start in range(max(1, len(value) - size + 1))}


@pytest.fixture
def secrets(settings, issued) -> Secrets:
    return Secrets(settings, issued)


def expire(account) -> None:
    Connection.objects.filter(account=account).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )


class Broken(RuntimeError):
    """A fault nobody expected, as a bug or a broken library would raise it."""


def break_while_sending(monkeypatch, marker: bytes) -> None:
    """The connection breaks while http.client writes the bytes carrying `marker`: a token
    call's form, or a request's Authorization header. (A fault requests does not translate,
    so it reaches Django's handler as the unexpected error it is.)"""
    real = http.client.HTTPConnection.send

    def send(self, data):
        if marker in data:
            raise Broken("the connection broke while sending")
        return real(self, data)

    monkeypatch.setattr(http.client.HTTPConnection, "send", send)


def break_after_the_answer(monkeypatch) -> None:
    """The token endpoint answered with new tokens, and reading them fails."""
    parse = gateway.parsing.parse_token_set  # the spy, so the new tokens are known

    def parse_then_fail(data, **kwargs):
        tokens = parse(data, **kwargs)
        raise Broken(f"a bug reading the answer ({type(tokens).__name__})")

    monkeypatch.setattr(gateway.parsing, "parse_token_set", parse_then_fail)


def break_the_cipher(monkeypatch) -> None:
    """Encrypting fails inside cryptography, with the plaintext in its frames."""

    def encrypt_from_parts(self, data, current_time, iv):
        raise Broken("the cipher failed")

    monkeypatch.setattr(Fernet, "_encrypt_from_parts", encrypt_from_parts)


# --- what Django shows: the technical 500 and the error mail ---------------------------------


@pytest.fixture
def admin_mail() -> Iterator[list]:
    """The mail Django's AdminEmailHandler sends for a request's error (the text, and the HTML
    report a project may attach), whatever handlers the logging settings configure."""
    handler = AdminEmailHandler(include_html=True)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    mail.outbox = []
    yield mail.outbox
    logger.removeHandler(handler)


@pytest.fixture
def reports() -> Iterator[list[str]]:
    """Django's technical 500 (text and HTML) for each error a request raises, built as Django
    builds it, while the failed frames are still there."""
    built = []

    def on_error(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        built.extend([reporter.get_traceback_text(), reporter.get_traceback_html()])

    got_request_exception.connect(on_error)
    yield built
    got_request_exception.disconnect(on_error)


def mailed(outbox) -> list[str]:
    texts = []
    for message in outbox:
        texts += [message.subject, message.body]
        texts += [str(content) for content, _ in getattr(message, "alternatives", [])]
    return texts


def assert_nothing_shown(secrets: Secrets, texts: list[str]) -> None:
    assert texts
    for text in texts:
        assert secrets.shown_in(text) == []


def failing_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def rejectable(account) -> Booking:
    now = timezone.now()
    for booking in Booking.objects.filter(account=account, service="webcam", direction="received"):
        if "reject" in allowed_actions(booking, now):
            return booking
    raise LookupError("the demo data has no webcam request to reject")


REFRESH_FAULTS: dict[str, Callable] = {
    "while the refresh token is sent": lambda mp: break_while_sending(
        mp, b"grant_type=refresh_token"
    ),
    "after the new tokens arrived": break_after_the_answer,
    "while the new tokens are encrypted": break_the_cipher,
}


@pytest.mark.parametrize("fault", REFRESH_FAULTS.values(), ids=REFRESH_FAULTS.keys())
def test_a_refresh_that_breaks_during_an_action_shows_no_secret(
    fault, monkeypatch, owner, performer, secrets, admin_mail, reports
):
    booking = rejectable(performer)
    secrets.add_stored(performer)
    expire(performer)
    fault(monkeypatch)
    response = failing_client(owner).post(
        reverse("bookings:action", args=[booking.pk, "reject"]), {"reason": "No thanks"}
    )
    assert response.status_code == 500
    assert len(admin_mail) >= 1
    assert "Broken" in reports[0]  # the report is of the fault, and readable
    assert_nothing_shown(secrets, mailed(admin_mail) + reports)


def at_adultwork(authorize_url: str, *, user_id: int) -> str:
    """Pick a user and press Allow on the sandbox's Unified Login page; the callback's path."""
    page = requests.get(authorize_url, timeout=5)
    form = {name: unescape(value) for name, value in HIDDEN_FIELD.findall(page.text)}
    answer = requests.post(
        urlsplit(authorize_url)._replace(query="").geturl(),
        data={**form, "user_id": str(user_id), "action": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    return answer.headers["Location"].removeprefix("http://testserver")


def verifiers(client: Client) -> list[str]:
    return [entry["verifier"] for entry in client.session[connect.SESSION_KEY].values()]


CALLBACK_FAULTS: dict[str, Callable] = {
    "while the code and verifier are sent": lambda mp: break_while_sending(
        mp, b"grant_type=authorization_code"
    ),
    "after the tokens arrived": break_after_the_answer,
    "while the new access token is first used": lambda mp: break_while_sending(mp, b"bearer "),
}


@pytest.mark.parametrize("fault", CALLBACK_FAULTS.values(), ids=CALLBACK_FAULTS.keys())
def test_a_sign_in_that_breaks_in_the_callback_shows_no_secret(
    fault, monkeypatch, owner, sandbox, sandbox_users, secrets, admin_mail, reports
):
    sandbox.register_client(
        client_id="sandbox-client", client_secret="sandbox-secret", redirect_uris=[CALLBACK]
    )
    client = failing_client(owner)
    start = client.get(reverse("accounts:connect"))
    secrets.add(*verifiers(client))
    callback = at_adultwork(start.url, user_id=sandbox_users["ScarlettRose"]["UserID"])
    fault(monkeypatch)
    response = client.get(callback)
    assert response.status_code == 500
    assert len(admin_mail) >= 1
    assert "Broken" in reports[0]
    assert_nothing_shown(secrets, mailed(admin_mail) + reports)


# --- each marked function on its own, nothing marked above it --------------------------------


def report_of(call: Callable[[], object], raises: type[Exception] = Broken) -> list[str]:
    """Django's report of the error `call` raises (text and HTML; no request), built while the
    failed frames are still there."""
    try:
        call()
    except raises:
        reporter = ExceptionReporter(None, *sys.exc_info())
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    else:
        pytest.fail(f"{raises.__name__} was not raised")
    assert raises.__name__ in text
    return [text, html]


# Made at run time: the HTML report quotes the source around each frame, and a literal here
# would show up as source, not as a leak.
SECRET = f"plain-token-{os.urandom(16).hex()}"


def test_a_bad_encryption_key_shows_none_of_the_keys(settings, secrets):
    good = Fernet.generate_key().decode()
    secrets.add(good)
    settings.TOKEN_ENCRYPTION_KEYS = [good, "not-a-fernet-key"]
    shown = report_of(crypto.current_fernet, raises=ImproperlyConfigured)
    assert_nothing_shown(secrets, shown)


def test_encrypt_shows_no_plaintext(monkeypatch, secrets):
    secrets.add(SECRET)
    break_the_cipher(monkeypatch)
    assert_nothing_shown(secrets, report_of(lambda: crypto.encrypt(SECRET)))


def test_decrypt_shows_no_plaintext(monkeypatch, secrets):
    secrets.add(SECRET)
    ciphertext = crypto.encrypt(SECRET)
    real = Fernet._decrypt_data

    def decrypt_then_fail(self, *args, **kwargs):
        plaintext = real(self, *args, **kwargs)
        raise Broken(f"failed after decrypting {len(plaintext)} bytes")

    monkeypatch.setattr(Fernet, "_decrypt_data", decrypt_then_fail)
    assert_nothing_shown(secrets, report_of(lambda: crypto.decrypt(ciphertext)))


def test_rotate_shows_no_plaintext(monkeypatch, secrets):
    secrets.add(SECRET)
    ciphertext = crypto.encrypt(SECRET)
    break_the_cipher(monkeypatch)
    assert_nothing_shown(secrets, report_of(lambda: crypto.rotate(ciphertext)))


def test_storing_tokens_shows_none(monkeypatch, secrets, account):
    secrets.add(SECRET, SECRET + "-refresh")
    break_the_cipher(monkeypatch)
    connection = Connection(account=account)
    store = lambda: connection.store_tokens(  # noqa: E731
        access_token=SECRET, refresh_token=SECRET + "-refresh", expires_in=60, now=timezone.now()
    )
    assert_nothing_shown(secrets, report_of(store))


def test_a_refresh_shows_no_refresh_token_or_client_secret(monkeypatch, performer, secrets):
    secrets.add_stored(performer)
    expire(performer)
    break_while_sending(monkeypatch, b"grant_type=refresh_token")
    assert_nothing_shown(secrets, report_of(lambda: adultwork.fresh_access_token(performer)))


def test_making_an_api_client_shows_no_access_token(settings, secrets):
    secrets.add(SECRET)
    settings.ADULTWORK_TIME_ZONE = "Europe/Nowhere"  # a misconfiguration: no such zone
    shown = report_of(lambda: adultwork.adultwork_api(SECRET), raises=ZoneInfoNotFoundError)
    assert "Europe/Nowhere" in shown[0]
    assert_nothing_shown(secrets, shown)


def test_a_call_shows_no_access_token(monkeypatch, performer, secrets):
    secrets.add_stored(performer)
    break_while_sending(monkeypatch, b"bearer ")

    def call():
        with adultwork.TokenCaller(performer) as caller:
            caller.call(lambda api: api.verify_credentials())

    assert_nothing_shown(secrets, report_of(call))


class BrokenSession(dict):
    """A session whose store fails: on reading, or on writing."""

    def __init__(self, *args, fail_on: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fail_on = fail_on

    def get(self, *args):
        if self.fail_on == "read":
            raise Broken("the session store is down")
        return super().get(*args)

    def __setitem__(self, key, value):
        if self.fail_on == "write":
            raise Broken("the session store is down")
        super().__setitem__(key, value)


def test_beginning_a_sign_in_shows_no_verifier(monkeypatch, secrets, settings):
    settings.ADULTWORK_REDIRECT_URI = CALLBACK
    real = connect.new_pkce_pair

    def new_pair():
        verifier, challenge = real()
        secrets.add(verifier)
        return verifier, challenge

    monkeypatch.setattr(connect, "new_pkce_pair", new_pair)
    request = RequestFactory().get("/accounts/connect/")
    request.session = BrokenSession(fail_on="read")
    assert_nothing_shown(secrets, report_of(lambda: connect.begin(request)))


def test_taking_a_sign_in_shows_no_verifier(secrets, settings):
    settings.ADULTWORK_REDIRECT_URI = CALLBACK
    request = RequestFactory().get("/accounts/connect/")
    request.session = BrokenSession(fail_on="never")
    state, _, _ = connect.begin(request)
    connect.begin(request)  # another tab's connection, which stays pending
    secrets.add(*(entry["verifier"] for entry in request.session[connect.SESSION_KEY].values()))
    request.session.fail_on = "write"
    assert_nothing_shown(secrets, report_of(lambda: connect.take(request, state)))


def test_a_pending_sign_in_does_not_print_its_verifier(settings):
    settings.ADULTWORK_REDIRECT_URI = CALLBACK
    request = RequestFactory().get("/accounts/connect/")
    request.session = {}
    state, _, _ = connect.begin(request)
    pending = connect.take(request, state)
    assert pending is not None
    assert pending.verifier not in repr(pending)


def marked_sensitive(function) -> bool:
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and code.co_name == "sensitive_variables_wrapper":
            return True
        function = getattr(function, "__wrapped__", None)
    return False


@pytest.mark.parametrize(
    "function",
    [
        crypto._fernet,
        crypto.encrypt,
        crypto.decrypt,
        crypto.rotate,
        Connection.store_tokens,
        adultwork.adultwork_api,
        adultwork.store_connection,
        adultwork.connect_account,
        services.account_connect,
        adultwork.fresh_access_token,
        adultwork.TokenCaller.call,
        adultwork.TokenCaller._replace,
        connect.begin,
        connect.take,
        views.connect_callback,
    ],
    ids=lambda function: function.__qualname__,
)
def test_every_function_holding_a_secret_is_marked_sensitive(function):
    """Some marks guard what no fault above can show today (a TokenSet's repr hides its
    tokens, and the callers are marked too): this keeps them from being dropped unnoticed."""
    assert marked_sensitive(function)


# --- the gateway on its own: no Django, so no sensitive_variables --------------------------------


def with_locals(call: Callable[[], object]) -> str:
    """Python's own traceback of the error `call` raises, every frame's locals included, as a
    debugger or a crash reporter would show them: from the gateway's first frame down, since
    the test's own frames above it hold the secrets it passes in."""
    try:
        call()
    except Exception as error:  # whatever it is, its traceback is the point
        raised = error
    else:
        pytest.fail("nothing was raised")
    shown = traceback.TracebackException.from_exception(raised, capture_locals=True)
    part = shown
    while part is not None:
        frames = list(part.stack)
        first = next((n for n, f in enumerate(frames) if "/gateway/" in f.filename), 0)
        part.stack = traceback.StackSummary.from_list(frames[first:])
        part = part.__cause__ or part.__context__
    return "".join(shown.format())


def break_urllib3(monkeypatch) -> None:
    """urllib3 fails with the request in hand: its frames hold the body and the headers."""

    def make_request(self, conn, method, url, body=None, headers=None, **kwargs):
        raise Broken("urllib3 failed")

    monkeypatch.setattr(urllib3.connectionpool.HTTPConnectionPool, "_make_request", make_request)


@pytest.fixture
def oauth(sandbox, settings) -> Iterator[gateway.OAuthApi]:
    with gateway.OAuthApi(
        auth_url=settings.ADULTWORK_AUTH_URL,
        client_id=settings.ADULTWORK_CLIENT_ID,
        client_secret=settings.ADULTWORK_CLIENT_SECRET,
    ) as oauth:
        yield oauth


@pytest.fixture
def issued_pair(sandbox, sandbox_users, secrets) -> dict:
    pair = sandbox.issue_token(user_id=sandbox_users["ScarlettRose"]["UserID"])
    secrets.add(pair["access_token"], pair["refresh_token"])
    return pair


def test_the_gateway_hides_a_refresh_from_locals(monkeypatch, oauth, issued_pair, secrets):
    break_urllib3(monkeypatch)
    shown = with_locals(lambda: oauth.refresh(refresh_token=issued_pair["refresh_token"]))
    assert "urllib3 failed" in shown
    assert secrets.shown_in(shown) == []


def test_the_gateway_hides_a_code_exchange_from_locals(monkeypatch, oauth, secrets):
    break_urllib3(monkeypatch)
    code, verifier = f"code-{os.urandom(16).hex()}", f"verifier-{os.urandom(32).hex()}"
    secrets.add(code, verifier)
    shown = with_locals(
        lambda: oauth.exchange_code(code=code, redirect_uri=CALLBACK, code_verifier=verifier)
    )
    assert "urllib3 failed" in shown
    assert secrets.shown_in(shown) == []


def test_the_gateway_hides_a_token_answer_from_locals(
    monkeypatch, oauth, issued, issued_pair, secrets
):
    break_after_the_answer(monkeypatch)
    shown = with_locals(lambda: oauth.refresh(refresh_token=issued_pair["refresh_token"]))
    assert issued  # the new tokens arrived, and are among the secrets
    assert secrets.shown_in(shown) == []


def test_the_gateway_hides_an_access_token_from_locals(monkeypatch, settings, issued_pair, secrets):
    break_urllib3(monkeypatch)
    with gateway.AdultWorkApi(
        base_url=settings.ADULTWORK_API_URL, access_token=issued_pair["access_token"]
    ) as api:
        shown = with_locals(api.verify_credentials)
    assert "urllib3 failed" in shown
    assert secrets.shown_in(shown) == []


def test_the_gateway_hides_an_access_token_it_could_not_use(secrets):
    secrets.add(SECRET)
    shown = with_locals(
        lambda: gateway.AdultWorkApi(
            base_url="https://api.example.test", access_token=SECRET, time_zone="Europe/Nowhere"
        )
    )
    assert "Europe/Nowhere" in shown
    assert secrets.shown_in(shown) == []


# --- DEBUG-level logs --------------------------------------------------------------------------


LOGGERS = ("urllib3", "requests", "gateway", "dashboard", "bookings", "django.request")


def test_debug_logs_of_a_sign_in_a_sync_and_a_refresh_show_no_secret(
    caplog, client, owner, performer, sandbox, sandbox_users, secrets
):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    sandbox.register_client(
        client_id="sandbox-client", client_secret="sandbox-secret", redirect_uris=[CALLBACK]
    )
    secrets.add_stored(performer)
    client.force_login(owner)
    # A connection: the code and its verifier exchanged for tokens.
    start = client.get(reverse("accounts:connect"))
    secrets.add(*verifiers(client))
    client.get(at_adultwork(start.url, user_id=sandbox_users["ScarlettRose"]["UserID"]))
    # A sync with a token about to expire: a refresh, then the pages.
    expire(performer)
    sync_account(account=performer, full=True)
    # An action on a token AdultWork no longer takes: a 401, a refresh, the call again.
    sandbox.add_fault(path="/v1/Webcam/RejectReceivedBooking", kind="status", status=401)
    client.post(
        reverse("bookings:action", args=[rejectable(performer).pk, "reject"]),
        {"reason": "No thanks"},
    )
    token_calls = [r for r in caplog.records if "/OAuth/token" in r.getMessage()]
    assert len(token_calls) >= 3  # urllib3 logged each token call: the logs were captured
    logged = [caplog.text]
    for record in caplog.records:
        logged += [record.getMessage(), repr(record.args), repr(record.__dict__)]
    assert_nothing_shown(secrets, logged)
