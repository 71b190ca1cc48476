"""Unified Login: the OAuth 2 authorization code flow at /OAuth/Authorize and /OAuth/token.

The sign-in page lists the sandbox's users to pick from (or takes a username and password); it
has no JavaScript and its only style is allowed by hash in its Content-Security-Policy.
"""

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

from sandbox.models import ALL_SCOPES, OAuthClient, Role, User
from sandbox.state import SandboxState
from sandbox.web import Request, Response, html_response, json_response, redirect

AUTHORIZE = "/oauth/authorize"
TOKEN = "/oauth/token"  # nosec B105  # a URL path, not a secret

SCOPE_WORDS = {
    "account_webcam_bookings": "See and manage your webcam bookings",
    "account_phonechat_bookings": "See and manage your PhoneChat bookings",
    "account_information": "See your account details and group membership",
}
# Carried through the form so the POST can be checked exactly as the GET was.
AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1d1d1f;background:#f6f3f7}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 3px #0002}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
.choice{display:flex;gap:.6rem;align-items:center;padding:.6rem;border:1px solid #ccc;
border-radius:.5rem;margin-bottom:.4rem}
.choice input{width:1.25rem;height:1.25rem}
.choice label{flex:1}
.role{display:block;font-size:.875rem;color:#555}
.field{display:flex;flex-direction:column;margin-bottom:.75rem}
.field input{font:inherit;padding:.6rem;border:1px solid #888;border-radius:.4rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap}
button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border-radius:.5rem;
border:2px solid #6b2c6f;min-height:2.75rem}
button[value=allow]{background:#6b2c6f;color:#fff}
button[value=cancel]{background:#fff;color:#6b2c6f}
:focus-visible{outline:3px solid #e0a100;outline-offset:2px}
.error{background:#fde8e8;border:1px solid #b3261e;color:#7a1b14;padding:.75rem;border-radius:.5rem}
.note{font-size:.875rem;color:#555}
""".strip()
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
PAGE_HEADERS = [
    (
        "Content-Security-Policy",
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; "
        "frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


ROLE_ORDER = {Role.PERFORMER: 0, Role.MANAGER: 1, Role.CLIENT: 2}


class AuthorizeError(Exception):
    """A request the page cannot send back to the application: answered with a 400 page."""


def handle(state: SandboxState, request: Request) -> Response:
    if request.route_key == AUTHORIZE:
        if request.method == "GET":
            return _authorize_page(state, request.query)
        if request.method == "POST":
            return _authorize_decision(state, request.form())
    if request.route_key == TOKEN and request.method == "POST":
        return _token(state, request)
    if request.route_key in (AUTHORIZE, TOKEN):
        return json_response(405, {"error": "invalid_request"}, headers=[("Allow", "POST")])
    return html_response(404, _page("Not found", "<p>There is no such sign-in page.</p>"))


# The authorize page


def _checked(state: SandboxState, values: Mapping[str, str]) -> tuple[OAuthClient, tuple[str, ...]]:
    """The client and scopes of an authorize request, or AuthorizeError saying what is wrong."""
    client = state.clients.get(values.get("client_id", ""))
    if client is None:
        raise AuthorizeError("This application (client_id) is not registered.")
    if values.get("redirect_uri", "") not in client.redirect_uris:
        raise AuthorizeError("The redirect_uri is not the one registered for this application.")
    if values.get("response_type") != "code":
        raise AuthorizeError('response_type must be "code".')
    if values.get("code_challenge") and values.get("code_challenge_method", "S256") != "S256":
        raise AuthorizeError('Only the "S256" code_challenge_method is supported.')
    scopes = tuple(values.get("scope", "").replace(",", " ").split()) or ALL_SCOPES
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown:
        raise AuthorizeError(f"Unknown scope: {', '.join(unknown)}.")
    return client, scopes


def _authorize_page(state: SandboxState, values: Mapping[str, str], error: str = "") -> Response:
    try:
        client, scopes = _checked(state, values)
    except AuthorizeError as problem:
        return _refusal(str(problem))
    with state.lock:
        users = sorted(state.users.values(), key=lambda user: (ROLE_ORDER[user.role], user.user_id))
    body = _consent_form(client, scopes, users, values, error)
    return html_response(200, _page("Sign in to AdultWork.com (sandbox)", body), PAGE_HEADERS)


def _authorize_decision(state: SandboxState, form: Mapping[str, str]) -> Response:
    try:
        client, scopes = _checked(state, form)
    except AuthorizeError as problem:
        return _refusal(str(problem))
    redirect_uri = form["redirect_uri"]
    if form.get("action") != "allow":
        # AdultWork's own way of saying "cancelled": an empty code, not error=access_denied.
        return redirect(
            _with_query(
                redirect_uri, {"code": "", "state": form.get("state", ""), "status": "cancelled"}
            )
        )
    user = _signed_in_user(state, form)
    if user is None:
        return _authorize_page(
            state, form, "Choose a user, or enter a username and password that match."
        )
    code = state.new_code(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        user_id=user.user_id,
        scopes=scopes,
        code_challenge=form.get("code_challenge") or None,
    )
    query = {"code": code}
    if "state" in form:
        query["state"] = form["state"]
    return redirect(_with_query(redirect_uri, query))


def _signed_in_user(state: SandboxState, form: Mapping[str, str]) -> User | None:
    username = form.get("username", "").strip()
    with state.lock:
        if username:
            for user in state.users.values():
                if user.nickname.lower() == username.lower() and secrets.compare_digest(
                    user.password, form.get("password", "")
                ):
                    return user
            return None
        chosen = form.get("user_id", "")
        return state.users.get(int(chosen)) if chosen.isdigit() else None


def _with_query(uri: str, query: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(query)


def _role_text(user: User) -> str:
    role = {Role.PERFORMER: "Performer", Role.CLIENT: "Client", Role.MANAGER: "Group manager"}
    text = role[user.role]
    if user.group_name:
        text += f", {user.group_name}"
    return text


def _consent_form(
    client: OAuthClient,
    scopes: tuple[str, ...],
    users: list[User],
    values: Mapping[str, str],
    error: str,
) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(values[name])}">'
        for name in AUTHORIZE_FIELDS
        if name in values
    )
    chosen = values.get("user_id", "")
    choices = "".join(
        f'<div class="choice"><input type="radio" name="user_id" id="user-{user.user_id}" '
        f'value="{user.user_id}"{" checked" if str(user.user_id) == chosen else ""}>'
        f'<label for="user-{user.user_id}">{escape(user.nickname)} '
        f'<span class="role">{escape(_role_text(user))} &middot; ID {user.user_id}</span>'
        "</label></div>"
        for user in users
    )
    asks = "".join(f"<li>{escape(SCOPE_WORDS[scope])}</li>" for scope in scopes)
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return f"""
<p><strong>{escape(client.client_id)}</strong> would like to:</p>
<ul>{asks}</ul>
{alert}
<form method="post" action="/OAuth/Authorize" class="card">
{hidden}
<fieldset><legend>Sign in as a sandbox user</legend>{choices}</fieldset>
<fieldset><legend>Or with a username and password</legend>
<p class="note">Sandbox passwords are the nickname in lower case.</p>
<div class="field"><label for="username">Username</label>
<input id="username" name="username" autocomplete="username"></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"></div>
</fieldset>
<div class="actions">
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>"""


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
{body}
</main>
</body>
</html>
"""


def _refusal(message: str) -> Response:
    body = f'<p class="error" role="alert">{escape(message)}</p>'
    return html_response(400, _page("Sign-in request refused", body), PAGE_HEADERS)


# The token endpoint


def _error(status: int, error: str) -> Response:
    return json_response(status, {"error": error})


def _client_credentials(request: Request, form: Mapping[str, str]) -> tuple[str, str]:
    """From the form, or from HTTP Basic as RFC 6749 prefers."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _token(state: SandboxState, request: Request) -> Response:
    form = request.form()
    client_id, secret = _client_credentials(request, form)
    client = state.clients.get(client_id)
    if client is None or not secrets.compare_digest(client.client_secret, secret):
        return _error(401, "invalid_client")
    grant = form.get("grant_type", "")
    if grant == "authorization_code":
        return _exchange_code(state, client, form)
    if grant == "refresh_token":
        return _refresh(state, client, form)
    return _error(400, "unsupported_grant_type")


def _exchange_code(state: SandboxState, client: OAuthClient, form: Mapping[str, str]) -> Response:
    with state.lock:
        code = state.codes.get(form.get("code", ""))
        if code is None or code.used or code.client_id != client.client_id:
            return _error(400, "invalid_grant")
        # Single use, even when this attempt fails: a leaked code cannot be retried.
        code.used = True
        if state.now() >= code.expires_at or form.get("redirect_uri") != code.redirect_uri:
            return _error(400, "invalid_grant")
        if code.code_challenge and not _verifier_matches(
            form.get("code_verifier", ""), code.code_challenge
        ):
            return _error(400, "invalid_grant")
        tokens = state.issue_tokens(
            user_id=code.user_id, scopes=code.scopes, client_id=client.client_id
        )
    return json_response(200, tokens)


def _verifier_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return bool(verifier) and secrets.compare_digest(expected, challenge)


def _refresh(state: SandboxState, client: OAuthClient, form: Mapping[str, str]) -> Response:
    with state.lock:
        old = state.refresh_tokens.get(form.get("refresh_token", ""))
        if old is None or old.used or old.client_id != client.client_id:
            return _error(400, "invalid_grant")
        if state.now() >= old.expires_at:
            return _error(401, "refresh_token_has_expired")
        old.used = True
        tokens = state.issue_tokens(
            user_id=old.user_id, scopes=old.scopes, client_id=client.client_id
        )
    return json_response(200, tokens)


REDACTED_FIELDS = frozenset(
    {"client_secret", "code", "code_verifier", "refresh_token", "access_token", "password"}
)


def redact(values: Any) -> Any:
    """A logged body without secrets: token-like values are replaced, their presence kept."""
    if isinstance(values, dict):
        return {
            name: "[redacted]" if str(name).lower() in REDACTED_FIELDS and value else redact(value)
            for name, value in values.items()
        }
    if isinstance(values, list):
        return [redact(value) for value in values]
    return values
