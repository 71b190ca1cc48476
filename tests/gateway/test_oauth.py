"""OAuthApi and PKCE: the sandbox's Unified Login, driven over real HTTP as a browser would."""

import re
import string
import traceback
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests

from gateway import (
    AdultWorkApi,
    AdultWorkError,
    OAuthApi,
    ReconnectNeeded,
    Refused,
    TimedOut,
    TokenSet,
    Unavailable,
    new_pkce_pair,
)
from gateway.oauth import pkce_challenge
from sandbox.control import SandboxControl

from .conftest import NOW, PERFORMER

REDIRECT_URI = "http://127.0.0.1:8000/accounts/connect/callback/"
SCOPES = ("account_webcam_bookings", "account_phonechat_bookings", "account_information")
TOKEN_PATH = "/OAuth/token"
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def oauth(base_url: str) -> Iterator[OAuthApi]:
    with OAuthApi(
        auth_url=base_url, client_id="sandbox-client", client_secret="sandbox-secret", timeout=2.0
    ) as oauth:
        yield oauth


def authorize(oauth: OAuthApi, user_id: int, *, action: str = "allow") -> tuple[dict, str]:
    """Through the authorize page as a person would: the callback's query and the verifier."""
    verifier, challenge = new_pkce_pair()
    url = oauth.authorize_url(
        redirect_uri=REDIRECT_URI, scopes=SCOPES, state="state-123", code_challenge=challenge
    )
    page = requests.get(url, timeout=5)
    assert page.status_code == 200, page.text
    form = {name: unescape(value) for name, value in HIDDEN_FIELD.findall(page.text)}
    action_url = urlsplit(url)._replace(query="").geturl()
    decision = requests.post(
        action_url,
        data={**form, "user_id": str(user_id), "action": action},
        allow_redirects=False,
        timeout=5,
    )
    assert decision.status_code == 302, decision.text
    location = decision.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True)), verifier


def connected(oauth: OAuthApi, user_id: int = PERFORMER) -> TokenSet:
    callback, verifier = authorize(oauth, user_id)
    return oauth.exchange_code(
        code=callback["code"], redirect_uri=REDIRECT_URI, code_verifier=verifier
    )


# --- PKCE and the authorize URL ---------------------------------------------------------------


def test_the_pkce_challenge_is_s256_as_rfc_7636_appendix_b_works_it() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_each_pkce_pair_is_fresh_and_well_formed() -> None:
    (verifier, challenge), (other, _) = new_pkce_pair(), new_pkce_pair()

    assert verifier != other
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-._~")
    assert challenge == pkce_challenge(verifier)


def test_the_authorize_url_asks_for_a_code_with_scopes_state_and_an_s256_challenge() -> None:
    oauth = OAuthApi(
        auth_url="https://platform.example.test/", client_id="app", client_secret="s3cret"
    )

    url = oauth.authorize_url(
        redirect_uri=REDIRECT_URI, scopes=SCOPES, state="xyz", code_challenge="abc"
    )

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "platform.example.test",
        "/OAuth/Authorize",
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["app"],
        "redirect_uri": [REDIRECT_URI],
        "scope": [" ".join(SCOPES)],
        "state": ["xyz"],
        "code_challenge": ["abc"],
        "code_challenge_method": ["S256"],
    }
    assert "s3cret" not in url
    assert "s3cret" not in repr(oauth)


# --- the flow over HTTP -----------------------------------------------------------------------


def test_a_code_becomes_tokens_that_open_the_api_as_the_connected_user(
    oauth: OAuthApi, base_url: str, control: SandboxControl
) -> None:
    callback, verifier = authorize(oauth, PERFORMER)
    assert callback["state"] == "state-123"

    tokens = oauth.exchange_code(
        code=callback["code"], redirect_uri=REDIRECT_URI, code_verifier=verifier
    )

    assert (tokens.token_type.lower(), tokens.expires_in) == ("bearer", 1200)
    assert tokens.scope is not None
    assert set(tokens.scope.split()) == set(SCOPES)
    with AdultWorkApi(base_url=base_url, access_token=tokens.access_token) as api:
        assert api.verify_credentials().user_id == PERFORMER
    [call] = [entry for entry in control.requests() if entry["path"] == TOKEN_PATH]
    assert call["body"]["grant_type"] == "authorization_code"
    assert call["body"]["client_id"] == "sandbox-client"
    assert call["body"]["code_verifier"] == "[redacted]"  # sent, and the sandbox hides it


def test_a_refresh_gives_new_tokens_and_the_old_refresh_token_dies(oauth: OAuthApi) -> None:
    first = connected(oauth)

    second = oauth.refresh(refresh_token=first.refresh_token)

    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    with pytest.raises(ReconnectNeeded) as raised:
        oauth.refresh(refresh_token=first.refresh_token)
    assert raised.value.permanent


def test_a_refresh_token_past_its_fourteen_days_means_connecting_again(
    oauth: OAuthApi, control: SandboxControl
) -> None:
    tokens = connected(oauth)
    control.set_clock(now=NOW + timedelta(days=15))

    with pytest.raises(ReconnectNeeded, match="connect the account again") as raised:
        oauth.refresh(refresh_token=tokens.refresh_token)

    assert raised.value.status == 401


def test_a_code_used_twice_means_connecting_again(oauth: OAuthApi) -> None:
    callback, verifier = authorize(oauth, PERFORMER)
    oauth.exchange_code(code=callback["code"], redirect_uri=REDIRECT_URI, code_verifier=verifier)

    with pytest.raises(ReconnectNeeded):
        oauth.exchange_code(
            code=callback["code"], redirect_uri=REDIRECT_URI, code_verifier=verifier
        )


def test_a_code_with_the_wrong_verifier_is_refused(oauth: OAuthApi) -> None:
    callback, _ = authorize(oauth, PERFORMER)
    wrong_verifier, _ = new_pkce_pair()

    with pytest.raises(ReconnectNeeded):
        oauth.exchange_code(
            code=callback["code"], redirect_uri=REDIRECT_URI, code_verifier=wrong_verifier
        )


def test_a_cancelled_connection_comes_back_with_an_empty_code(oauth: OAuthApi) -> None:
    callback, _ = authorize(oauth, PERFORMER, action="cancel")

    assert (callback["code"], callback["status"]) == ("", "cancelled")


def test_a_wrong_client_secret_is_a_refusal_of_the_app_not_of_the_account(
    base_url: str,
) -> None:
    wrong = OAuthApi(auth_url=base_url, client_id="sandbox-client", client_secret="nope")

    with wrong, pytest.raises(Refused) as raised:
        wrong.refresh(refresh_token="anything")

    assert type(raised.value) is Refused
    assert raised.value.message == "AdultWork refused this request (invalid_client)."
    assert raised.value.status == 401


def test_a_token_call_is_never_retried_and_times_out(
    base_url: str, control: SandboxControl
) -> None:
    control.add_fault(path=TOKEN_PATH, kind="timeout", delay=2.0)
    oauth = OAuthApi(
        auth_url=base_url, client_id="sandbox-client", client_secret="sandbox-secret", timeout=0.3
    )

    with oauth, pytest.raises(TimedOut, match="did not answer in time"):
        oauth.refresh(refresh_token="anything")

    assert len([entry for entry in control.requests() if entry["path"] == TOKEN_PATH]) == 1


def test_a_token_endpoint_that_is_down_is_unavailable(
    oauth: OAuthApi, control: SandboxControl
) -> None:
    control.add_fault(path=TOKEN_PATH, kind="status", status=503)

    with pytest.raises(Unavailable, match="error 503"):
        oauth.refresh(refresh_token="anything")

    assert len([entry for entry in control.requests() if entry["path"] == TOKEN_PATH]) == 1


def test_no_secret_appears_in_a_token_endpoint_error(
    oauth: OAuthApi, control: SandboxControl
) -> None:
    tokens = connected(oauth)
    control.add_fault(
        path=TOKEN_PATH,
        kind="status",
        status=400,
        message=f"{tokens.refresh_token} sandbox-secret refused",
    )
    control.add_fault(path=TOKEN_PATH, kind="html")
    control.add_fault(path=TOKEN_PATH, kind="drop")

    errors: list[AdultWorkError] = []
    for _ in range(3):
        with pytest.raises(AdultWorkError) as raised:
            oauth.refresh(refresh_token=tokens.refresh_token)
        errors.append(raised.value)

    assert errors[0].message == "[hidden] [hidden] refused"
    for error in errors:
        shown = [str(error), repr(error), *traceback.format_exception(error)]
        for secret in (tokens.refresh_token, tokens.access_token, "sandbox-secret"):
            assert not [text for text in shown if secret in text]
