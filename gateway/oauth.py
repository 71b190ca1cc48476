"""Unified Login: OAuth 2 authorization code with PKCE, and refresh-token rotation."""

import base64
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from . import parsing
from .records import TokenSet
from .transport import Deadline, Secret, SessionOwner, new_session, read_answer, send

AUTHORIZE_PATH = "/OAuth/Authorize"
TOKEN_PATH = "/OAuth/token"  # nosec B105  # a URL path, not a secret
# The token answer's secrets, kept as Secret from the moment the answer is decoded.
_ANSWER_SECRETS = ("access_token", "refresh_token")


def new_pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge) pair, as RFC 7636 describes."""
    verifier = secrets.token_urlsafe(64)  # 86 characters, within the 43..128 RFC 7636 allows
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthApi(SessionOwner):
    """The Unified Login host's side: where to send the user to connect, and the token endpoint."""

    def __init__(
        self,
        *,
        auth_url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 10.0,
        user_agent: str = "aw-bookings",
        deadline: Deadline | None = None,
    ) -> None:
        client_secret = Secret(client_secret)  # rebound: no frame of ours holds it plain
        self._auth_url = auth_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._deadline = deadline
        # Token calls are POSTs, and a retried code exchange would only meet "code already used".
        self._session = new_session(timeout=timeout, retries=0, user_agent=user_agent)

    def __repr__(self) -> str:
        return f"<OAuthApi {self._auth_url} client_id={self._client_id}>"

    def authorize_url(
        self, *, redirect_uri: str, scopes: Sequence[str], state: str, code_challenge: str
    ) -> str:
        # PKCE is not documented by AdultWork; a server that ignores it loses nothing.
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self._auth_url}{AUTHORIZE_PATH}?{urlencode(query)}"

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        code, code_verifier = Secret(code), Secret(code_verifier)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token_call(form, redact=(code, code_verifier))

    def refresh(self, *, refresh_token: str) -> TokenSet:
        """New tokens; the answer's refresh token replaces the old one (AdultWork rotates them)."""
        refresh_token = Secret(refresh_token)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._token_call(form, redact=(refresh_token,), previous_refresh_token=refresh_token)

    def _token_call(
        self,
        form: dict[str, str],
        *,
        redact: Sequence[str],
        previous_refresh_token: str | None = None,
    ) -> TokenSet:
        # Client credentials go in the form body, as AdultWork documents, not in Basic auth.
        form = {**form, "client_id": self._client_id, "client_secret": self._client_secret}
        response = send(
            self._session,
            "POST",
            self._auth_url + TOKEN_PATH,
            # Encoded here, as requests would, so that requests and urllib3 hold it as a Secret.
            data=Secret(urlencode(form)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            token_endpoint=True,
            redact=(*redact, self._client_secret),
            deadline=self._deadline,
        )

        def parse(data: Any) -> TokenSet:
            data = _hide_secrets(data)
            return parsing.parse_token_set(data, previous_refresh_token=previous_refresh_token)

        return read_answer(response, parse)


def _hide_secrets(data: Any) -> Any:
    """The token answer with its tokens as Secret; anything else is left to the parser."""
    if not isinstance(data, dict):
        return data
    return {
        key: Secret(value) if key in _ANSWER_SECRETS and isinstance(value, str) else value
        for key, value in data.items()
    }
