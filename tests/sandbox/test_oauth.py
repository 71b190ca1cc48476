"""Unified Login over HTTP: the login page, its redirects, and the token endpoint."""

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sandbox.conftest import SCARLETT

CLIENT_ID, SECRET = "sandbox-client", "sandbox-secret"
REDIRECT = "http://127.0.0.1:8000/accounts/connect/callback/"
SCOPE = "account_webcam_bookings account_information"
VERIFIER = "a-long-random-verifier-of-at-least-forty-three-characters-0123456789"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize_query(**extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "xyz-123",
        **extra,
    }


def _decide(server, action: str, **form: str) -> requests.Response:
    return requests.post(
        server.url + "/OAuth/Authorize",
        data={**_authorize_query(), "action": action, **form},
        allow_redirects=False,
        timeout=5,
    )


def _code(server, user_id: int = SCARLETT, **extra: str) -> str:
    answer = requests.post(
        server.url + "/OAuth/Authorize",
        data={**_authorize_query(**extra), "action": "allow", "user_id": str(user_id)},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def _token(server, **form: str) -> requests.Response:
    defaults = {"client_id": CLIENT_ID, "client_secret": SECRET}
    return requests.post(server.url + "/OAuth/token", data={**defaults, **form}, timeout=5)


def _exchange(server, code: str, **extra: str) -> requests.Response:
    return _token(
        server, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, **extra
    )


# The page


def test_the_authorize_page_lists_the_sandbox_users_to_sign_in_as(server, control):
    answer = requests.get(server.url + "/OAuth/Authorize", params=_authorize_query(), timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    page = answer.text
    assert '<html lang="en">' in page
    assert 'name="viewport"' in page
    assert "<script" not in page
    assert 'method="post" action="/OAuth/Authorize"' in page
    for user in control.users():
        assert f'value="{user["UserID"]}"' in page
        assert f'<label for="user-{user["UserID"]}">{user["Nickname"]}' in page
    assert 'value="allow"' in page
    assert 'value="cancel"' in page
    assert 'name="state" value="xyz-123"' in page
    assert "script-src" not in answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]


def test_every_form_control_on_the_page_has_a_label(server, control):
    page = requests.get(server.url + "/OAuth/Authorize", params=_authorize_query(), timeout=5).text
    ids = re.findall(r'<input[^>]* id="([^"]+)"', page)
    assert ids
    for control_id in ids:
        assert f'<label for="{control_id}">' in page


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "http://evil.example/callback/"},
        {"client_id": "unknown-app"},
        {"response_type": "token"},
        {"scope": "account_everything"},
        {"code_challenge": "abc", "code_challenge_method": "plain"},
    ],
)
def test_a_bad_authorize_request_gets_a_page_not_a_redirect(server, control, change):
    answer = requests.get(
        server.url + "/OAuth/Authorize",
        params=_authorize_query(**change),
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "refused" in answer.text


def test_allow_redirects_back_with_a_code_and_the_state(server, control):
    answer = _decide(server, "allow", user_id=str(SCARLETT))
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz-123"]
    assert len(query["code"][0]) > 20


def test_cancel_redirects_back_with_an_empty_code_and_status_cancelled(server, control):
    answer = _decide(server, "cancel")
    assert answer.status_code == 302
    assert answer.headers["Location"] == REDIRECT + "?code=&state=xyz-123&status=cancelled"


def test_allow_without_choosing_a_user_shows_the_page_again_with_an_error(server, control):
    answer = _decide(server, "allow")
    assert answer.status_code == 200
    assert 'role="alert"' in answer.text


def test_a_user_can_sign_in_with_username_and_password(server, control):
    answer = _decide(server, "allow", username="JadeMoon", password="jademoon")
    assert answer.status_code == 302
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = _exchange(server, code).json()["access_token"]
    who = requests.get(
        server.url + "/v1/account/verifyCredentials",
        headers={"Authorization": f"bearer {token}"},
        timeout=5,
    ).json()
    assert who["Nickname"] == "JadeMoon"
    wrong = _decide(server, "allow", username="JadeMoon", password="guess")
    assert wrong.status_code == 200
    assert 'role="alert"' in wrong.text


# The token endpoint


def test_a_code_is_exchanged_for_tokens_without_pkce(server, control):
    answer = _exchange(server, _code(server))
    assert answer.status_code == 200
    tokens = answer.json()
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 1200
    assert tokens["scope"] == SCOPE
    who = requests.get(
        server.url + "/v1/account/verifyCredentials",
        headers={"Authorization": f"bearer {tokens['access_token']}"},
        timeout=5,
    )
    assert who.json()["UserID"] == SCARLETT
    webcam = requests.get(
        server.url + "/v1/PhoneChat/ReceivedBookings",
        headers={"Authorization": f"bearer {tokens['access_token']}"},
        timeout=5,
    )
    assert webcam.status_code == 403


def test_a_code_is_exchanged_with_the_pkce_verifier(server, control):
    code = _code(server, code_challenge=_challenge(VERIFIER), code_challenge_method="S256")
    assert _exchange(server, code, code_verifier=VERIFIER).status_code == 200


@pytest.mark.parametrize("verifier", [None, "the-wrong-verifier-" + "x" * 30])
def test_a_wrong_or_missing_pkce_verifier_is_refused(server, control, verifier):
    code = _code(server, code_challenge=_challenge(VERIFIER), code_challenge_method="S256")
    extra = {"code_verifier": verifier} if verifier else {}
    answer = _exchange(server, code, **extra)
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_grant"})


def test_a_code_works_only_once(server, control):
    code = _code(server)
    assert _exchange(server, code).status_code == 200
    again = _exchange(server, code)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})


def test_a_code_expires_after_five_minutes(server, control):
    code = _code(server)
    control.set_clock(advance_seconds=300)
    assert _exchange(server, code).json() == {"error": "invalid_grant"}


def test_a_code_needs_the_same_redirect_uri(server, control):
    answer = _token(
        server,
        grant_type="authorization_code",
        code=_code(server),
        redirect_uri="http://localhost:8000/accounts/connect/callback/",
    )
    assert answer.json() == {"error": "invalid_grant"}


def test_a_wrong_client_secret_is_refused(server, control):
    answer = _token(server, grant_type="authorization_code", code="x", client_secret="nope")
    assert (answer.status_code, answer.json()) == (401, {"error": "invalid_client"})


def test_client_credentials_may_come_by_http_basic(server, control):
    answer = requests.post(
        server.url + "/OAuth/token",
        data={"grant_type": "authorization_code", "code": _code(server), "redirect_uri": REDIRECT},
        auth=(CLIENT_ID, SECRET),
        timeout=5,
    )
    assert answer.status_code == 200


def test_an_unknown_grant_type_is_refused(server, control):
    answer = _token(server, grant_type="password")
    assert (answer.status_code, answer.json()) == (400, {"error": "unsupported_grant_type"})


def test_every_refresh_rotates_the_refresh_token(server, control):
    first = _exchange(server, _code(server)).json()
    second = _token(server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    assert rotated["scope"] == SCOPE
    third = _token(server, grant_type="refresh_token", refresh_token=rotated["refresh_token"])
    assert third.status_code == 200


def test_a_reused_refresh_token_is_refused(server, control):
    first = _exchange(server, _code(server)).json()
    _token(server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    again = _token(server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    unknown = _token(server, grant_type="refresh_token", refresh_token="never-issued")
    assert unknown.json() == {"error": "invalid_grant"}


def test_an_expired_refresh_token_answers_refresh_token_has_expired(server, control):
    tokens = _exchange(server, _code(server)).json()
    control.set_clock(advance_seconds=14 * 24 * 3600 - 1)
    control.set_clock(advance_seconds=1)
    answer = _token(server, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert (answer.status_code, answer.json()) == (401, {"error": "refresh_token_has_expired"})


def test_a_refresh_token_issued_through_control_works_with_the_default_client(server, control):
    tokens = control.issue_token(user_id=SCARLETT)
    answer = _token(server, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert answer.status_code == 200


def test_a_registered_client_signs_in_with_its_own_redirect_uri(server, control):
    control.register_client(
        client_id="staging-app",
        client_secret="staging-secret",
        redirect_uris=["https://staging.example/callback/"],
    )
    answer = requests.post(
        server.url + "/OAuth/Authorize",
        data={
            **_authorize_query(
                client_id="staging-app", redirect_uri="https://staging.example/callback/"
            ),
            "action": "allow",
            "user_id": str(SCARLETT),
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.headers["Location"].startswith("https://staging.example/callback/?code=")
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = _token(
        server,
        grant_type="authorization_code",
        code=code,
        redirect_uri="https://staging.example/callback/",
        client_id="staging-app",
        client_secret="staging-secret",
    )
    assert tokens.status_code == 200


def test_a_code_issued_to_one_client_is_refused_to_another(server, control):
    control.register_client(
        client_id="other-app", client_secret="other-secret", redirect_uris=[REDIRECT]
    )
    answer = _exchange(server, _code(server), client_id="other-app", client_secret="other-secret")
    assert answer.json() == {"error": "invalid_grant"}
