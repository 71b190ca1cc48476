"""Unified Login: the authorization-code flow with PKCE, the state kept in the session."""

import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from gateway import new_pkce_pair

SCOPES = ("account_webcam_bookings", "account_phonechat_bookings", "account_information")
SESSION_KEY = "adultwork_pending_connections"
PENDING_LIMIT = 5  # connections started in other tabs stay valid, up to a few
STATE_LIFETIME = 15 * 60


@dataclass(frozen=True)
class PendingConnection:
    verifier: str = field(repr=False)  # the PKCE code verifier: a secret until it is used
    redirect_uri: str


def redirect_uri(request: HttpRequest) -> str:
    """The registered redirect URI: a setting, because AdultWork compares it exactly."""
    return settings.ADULTWORK_REDIRECT_URI or request.build_absolute_uri(
        reverse("accounts:callback")
    )


@sensitive_variables()  # the new verifier, and the session's others
def begin(request: HttpRequest) -> tuple[str, str, str]:
    """A new single-use state with its PKCE pair; returns (state, challenge, redirect URI)."""
    verifier, challenge = new_pkce_pair()
    state = secrets.token_urlsafe(32)
    uri = redirect_uri(request)
    now = time.time()
    pending = {
        key: value
        for key, value in request.session.get(SESSION_KEY, {}).items()
        if now - value["at"] < STATE_LIFETIME
    }
    pending[state] = {"verifier": verifier, "redirect_uri": uri, "at": now}
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_LIMIT:]
    request.session[SESSION_KEY] = dict(newest)
    return state, challenge, uri


@sensitive_variables()  # the session's verifiers
def take(request: HttpRequest, state: str | None) -> PendingConnection | None:
    """The connection this state began, used up; None for a missing, unknown, expired or
    replayed state."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state or "", None)
    request.session[SESSION_KEY] = pending
    if entry is None or time.time() - entry["at"] >= STATE_LIFETIME:
        return None
    return PendingConnection(verifier=entry["verifier"], redirect_uri=entry["redirect_uri"])
