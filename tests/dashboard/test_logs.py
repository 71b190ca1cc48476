"""Production logs: one JSON object a line, each with the request's id and the signed-in user's
id, and never a token, a phone number or a Skype name; the demo keeps readable text.

Real requests through the whole middleware stack, written by the handler the settings
configure (settings.py run afresh for DEBUG off and on) onto a buffer instead of stderr.
"""

import copy
import importlib.util
import io
import json
import logging
import logging.config
import re
import runpy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms

import dashboard.settings
from dashboard.log_redaction import REDACTED
from dashboard.request_context import (
    RequestContextMiddleware,
    current_request_id,
    current_user_id,
)

LOGGER = "tests.logs"
logger = logging.getLogger(LOGGER)
BASE_DIR = Path(dashboard.settings.__file__).resolve().parent.parent
UUID_HEX = re.compile(r"[0-9a-f]{32}")

# What the view below logs, by case: the message, its arguments and its extra fields.
LOGGED: dict[str, tuple[str, tuple, dict]] = {
    "plain": ("the inbox was opened", (), {}),
}


def log_case(request: HttpRequest, case: str) -> HttpResponse:
    message, args, extra = LOGGED[case]
    logger.warning(message, *args, extra=extra)
    return HttpResponse("logged")


def conflict(request: HttpRequest) -> HttpResponse:
    return HttpResponse("taken", status=409)


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("refresh failed for grant_type=refresh_token&refresh_token=r3fresh-s3cret")


urlpatterns = [
    path("test-log/<str:case>/", log_case),
    path("test-conflict/", conflict),
    path("test-fail/", fail),
    path("", include("dashboard.urls")),
]

pytestmark = pytest.mark.urls(__name__)


# --- the handler the settings configure, writing to a buffer ---------------------------------


def settings_for(monkeypatch, **environ: str) -> dict:
    """dashboard/settings.py run afresh in the given environment: its names and values."""
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "dashboard" / "settings.py"))


@contextmanager
def console_output(logging_settings: dict) -> Iterator[io.StringIO]:
    """Logging configured from `logging_settings` as Django does, with the console handler
    writing to a buffer; the test settings' own logging is back afterwards."""
    config = copy.deepcopy(logging_settings)
    output = io.StringIO()
    config["handlers"]["console"]["stream"] = output
    logging.config.dictConfig(config)
    try:
        yield output
    finally:
        logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def json_lines(monkeypatch) -> Iterator[Callable[[], list[dict]]]:
    """Every line the production handler wrote so far, each parsed as JSON."""
    production = settings_for(monkeypatch, DEBUG="false")
    assert production["LOG_FORMAT"] == "json"
    with console_output(production["LOGGING"]) as output:
        yield lambda: [json.loads(line) for line in output.getvalue().splitlines()]


@pytest.fixture
def text_output(monkeypatch) -> Iterator[io.StringIO]:
    demo = settings_for(monkeypatch, DEBUG="true")
    assert demo["LOG_FORMAT"] == "text"
    with console_output(demo["LOGGING"]) as output:
        yield output


def lines_of(lines: list[dict], name: str = LOGGER) -> list[dict]:
    return [line for line in lines if line["logger"] == name]


def logged(monkeypatch, message: str, *args, **extra) -> str:
    """A case the view logs; its URL."""
    monkeypatch.setitem(LOGGED, "case", (message, args, extra))
    return "/test-log/case/"


# --- the request's id and the user's ---------------------------------------------------------


def test_a_log_line_in_production_is_json_with_the_request_id_and_user_id(
    client, owner, json_lines
):
    client.force_login(owner)
    response = client.get("/test-log/plain/")
    assert response.status_code == 200
    [line] = lines_of(json_lines())
    assert line["message"] == "the inbox was opened"
    assert line["level"] == "WARNING"
    assert line["time"]
    assert line["request_id"] == response["X-Request-ID"]
    assert UUID_HEX.fullmatch(line["request_id"])
    assert line["user_id"] == owner.pk


def test_a_strangers_log_line_has_the_request_id_and_no_user_id(client, db, json_lines):
    response = client.get("/test-log/plain/")
    [line] = lines_of(json_lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] is None


def test_each_request_gets_an_id_of_its_own(client, owner, json_lines):
    client.force_login(owner)
    first = client.get("/test-log/plain/")
    second = client.get("/test-log/plain/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in lines_of(json_lines())] == [
        first["X-Request-ID"],
        second["X-Request-ID"],
    ]


def test_a_well_formed_request_id_from_the_proxy_is_kept(client, db, json_lines):
    response = client.get("/test-log/plain/", headers={"X-Request-ID": "edge-01.Ab_9"})
    assert response["X-Request-ID"] == "edge-01.Ab_9"
    [line] = lines_of(json_lines())
    assert line["request_id"] == "edge-01.Ab_9"


@pytest.mark.parametrize(
    "spoofed",
    [
        "",
        "x" * 65,
        "two words",
        'id", "user_id": 1',
        "id\nFAKE log line",
        "réquest",
        "<script>",
    ],
)
def test_a_malformed_request_id_from_the_proxy_is_replaced(client, owner, json_lines, spoofed):
    client.force_login(owner)
    response = client.get("/test-log/plain/", headers={"X-Request-ID": spoofed})
    assert response["X-Request-ID"] != spoofed
    assert UUID_HEX.fullmatch(response["X-Request-ID"])
    [line] = lines_of(json_lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == owner.pk


def test_an_error_response_the_view_returns_is_logged_once_with_the_request_id(
    client, owner, json_lines
):
    """Django logs a returned 4xx after the middleware has finished; ours logs it first."""
    client.force_login(owner)
    response = client.get("/test-conflict/")
    assert response.status_code == 409
    [line] = lines_of(json_lines(), "django.request")
    assert line["message"] == "Conflict: /test-conflict/"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == owner.pk
    assert line["status_code"] == 409


def test_a_log_line_outside_a_request_has_no_request_id_or_user_id(client, owner, json_lines):
    client.force_login(owner)
    client.get("/test-log/plain/")
    failing = Client(raise_request_exception=False)
    failing.force_login(owner)
    assert failing.get("/test-fail/").status_code == 500
    logger.warning("the worker synced an account")
    last = lines_of(json_lines())[-1]
    assert last["message"] == "the worker synced an account"
    assert last["request_id"] is None
    assert last["user_id"] is None


def test_the_request_context_is_reset_when_the_view_raises(owner):
    def view(request):
        assert current_request_id() == "inside-1"
        raise RuntimeError("boom")

    request = RequestFactory().get("/", headers={"X-Request-ID": "inside-1"})
    request.user = owner
    middleware = RequestContextMiddleware(view)
    with pytest.raises(RuntimeError, match="boom"):
        middleware(request)
    assert current_request_id() is None
    assert current_user_id() is None


# --- what is never written --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "args", "secrets", "kept"),
    [
        pytest.param(
            "calling AdultWork with Authorization: Bearer %s",
            ("eyJhbGciOiJIUzI1NiJ9.acc3ss-s3cret",),
            ["eyJhbGciOiJIUzI1NiJ9", "acc3ss-s3cret"],
            f"Authorization: Bearer {REDACTED}",
            id="bearer token",
        ),
        pytest.param(
            "token call failed: %s",
            (
                "grant_type=refresh_token&refresh_token=r3fresh-s3cret"
                "&client_secret=cl1ent-s3cret&code_verifier=v3rifier-s3cret",
            ),
            ["r3fresh-s3cret", "cl1ent-s3cret", "v3rifier-s3cret"],
            f"grant_type=refresh_token&refresh_token={REDACTED}&client_secret={REDACTED}",
            id="token request in a query string",
        ),
        pytest.param(
            "back from Unified Login: %s",
            ("/accounts/connect/callback/?code=0auth-c0de&state=st4te",),
            ["0auth-c0de"],
            f"?code={REDACTED}&state=st4te",
            id="oauth code in a query string",
        ),
        pytest.param(
            "token answer: %s",
            ('{"access_token": "acc3ss-s3cret", "token_type": "Bearer", "expires_in": 3600}',),
            ["acc3ss-s3cret"],
            f'"access_token": "{REDACTED}", "token_type": "Bearer", "expires_in": 3600',
            id="token set as json",
        ),
        pytest.param(
            "the party asked to be rung on %s tonight",
            ("+44 7700 900123",),
            ["7700", "900123"],
            f"rung on {REDACTED} tonight",
            id="phone number with spaces",
        ),
        pytest.param(
            "the party asked to be rung on %s",
            ("07700900123",),
            ["07700900123"],
            f"rung on {REDACTED}",
            id="phone number without spaces",
        ),
        pytest.param(
            "booking updated: phone_number=%s",
            ("0770-090-0123",),
            ["0770-090-0123", "090-0123"],
            f"phone_number={REDACTED}",
            id="phone number named as such",
        ),
        pytest.param(
            "booking updated: skype_name=%s duration=30",
            ("scarlett.rose_99",),
            ["scarlett.rose_99"],
            f"skype_name={REDACTED} duration=30",
            id="skype name in key=value",
        ),
        pytest.param(
            "booking answer: %s",
            ('{"SkypeName": "live:.cid.sc4rlett", "Nickname": "IvyBlaze"}',),
            ["sc4rlett"],
            f'"SkypeName": "{REDACTED}", "Nickname": "IvyBlaze"',
            id="SkypeName as json",
        ),
    ],
)
def test_a_secret_or_personal_detail_in_a_message_is_redacted(
    client, owner, json_lines, monkeypatch, message, args, secrets, kept
):
    client.force_login(owner)
    client.get(logged(monkeypatch, message, *args))
    [line] = lines_of(json_lines())
    for secret in secrets:
        assert secret not in json.dumps(line)
    assert kept in line["message"]
    assert line["user_id"] == owner.pk


@dataclass
class Party:
    """Like the gateway's records: a JSON formatter would write each field."""

    nickname: str
    phone_number: str
    skype_name: str


def test_a_secret_or_personal_detail_in_an_extra_field_is_redacted(
    client, owner, json_lines, monkeypatch
):
    client.force_login(owner)
    client.get(
        logged(
            monkeypatch,
            "booking stored",
            skype_name="scarlett.rose_99",
            booking={"remote_id": 42, "party_phone_number": "0770-090-0123", "SkypeName": "rz"},
            headers={"HTTP_AUTHORIZATION": "Bearer acc3ss-s3cret"},
            note="rang 07700 900123",
            party=Party(nickname="IvyBlaze", phone_number="0770-090-0123", skype_name="rz"),
        )
    )
    [line] = lines_of(json_lines())
    assert line["skype_name"] == REDACTED
    assert line["booking"] == {
        "remote_id": 42,
        "party_phone_number": REDACTED,
        "SkypeName": REDACTED,
    }
    assert line["headers"] == {"HTTP_AUTHORIZATION": f"Bearer {REDACTED}"}
    assert line["note"] == f"rang {REDACTED}"
    assert line["party"] == {
        "nickname": "IvyBlaze",
        "phone_number": REDACTED,
        "skype_name": REDACTED,
    }


def test_the_token_of_a_calendar_feed_is_redacted_from_its_not_found_warning(
    client, db, json_lines
):
    response = client.get("/bookings/calendar/s3cret-feed-token.ics")
    assert response.status_code == 404
    [line] = lines_of(json_lines(), "django.request")
    assert line["message"] == f"Not Found: /bookings/calendar/{REDACTED}.ics"
    assert line["request_id"] == response["X-Request-ID"]
    assert "s3cret-feed-token" not in json.dumps(line)


def test_the_token_of_a_password_reset_link_is_redacted_from_its_not_found_warning(
    client, db, json_lines
):
    response = client.get("/password-reset/MQ/s3cret-reset-token/nowhere/")
    assert response.status_code == 404
    [line] = lines_of(json_lines(), "django.request")
    assert line["message"] == f"Not Found: /password-reset/MQ/{REDACTED}/nowhere/"
    assert "s3cret-reset-token" not in json.dumps(line)


def test_a_secret_in_a_traceback_is_redacted(owner, json_lines):
    failing = Client(raise_request_exception=False)
    failing.force_login(owner)
    response = failing.get("/test-fail/")
    assert response.status_code == 500
    [line] = lines_of(json_lines(), "django.request")
    assert line["message"] == "Internal Server Error: /test-fail/"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == owner.pk
    assert "RuntimeError" in line["exc_info"]
    assert f"refresh_token={REDACTED}" in line["exc_info"]
    assert "r3fresh-s3cret" not in json.dumps(line)


# --- the demo's text, and the setting ---------------------------------------------------------


def test_the_demo_logs_readable_text_with_the_request_id_and_redacted(
    client, owner, text_output, monkeypatch
):
    client.force_login(owner)
    response = client.get(logged(monkeypatch, "rung on %s", "07700 900123"))
    logger.warning("the worker synced an account")
    inside, outside = [line for line in text_output.getvalue().splitlines() if LOGGER in line]
    assert inside.endswith(f"WARNING {LOGGER} [{response['X-Request-ID']}] rung on {REDACTED}")
    assert outside.endswith(f"WARNING {LOGGER} [-] the worker synced an account")
    with pytest.raises(json.JSONDecodeError):
        json.loads(inside)


@pytest.mark.parametrize(
    ("environ", "log_format"),
    [
        ({"DEBUG": "false"}, "json"),
        ({"DEBUG": "true"}, "text"),
        ({"DEBUG": "false", "LOG_FORMAT": "text"}, "text"),
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, "json"),
    ],
)
def test_the_log_format_is_json_in_production_and_text_in_the_demo_unless_set(
    monkeypatch, environ, log_format
):
    configured = settings_for(monkeypatch, **environ)
    assert configured["LOG_FORMAT"] == log_format
    console = configured["LOGGING"]["handlers"]["console"]
    assert console["formatter"] == log_format
    assert console["filters"] == ["redact", "request_context"]


def test_an_unknown_log_format_is_refused(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        runpy.run_path(str(BASE_DIR / "dashboard" / "settings.py"))


# --- gunicorn's access log --------------------------------------------------------------------


def test_the_access_log_line_carries_the_id_the_site_answered_with(monkeypatch):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", BASE_DIR / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    config = Config()
    config.set("access_log_format", conf.access_log_format)
    config.set("logger_class", conf.logger_class)
    access = config.logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/bookings/",
        "PATH_INFO": "/bookings/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "bad id from a client")])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("X-Request-ID", "c0ffee42")])
    timing = SimpleNamespace(seconds=0, microseconds=0)
    atoms = access.atoms(response, request, environ, timing)
    line = config.access_log_format % SafeAtoms(atoms)
    assert "rid=c0ffee42 " in line
    assert "bad id" not in line
