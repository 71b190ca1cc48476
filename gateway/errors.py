"""Every error a caller of the gateway can see.

Each carries ``message``, a sentence a performer can read (never a token), ``permanent`` (trying
the same call again will not help) and ``status`` (the HTTP status, when there was an answer).
"""

import json
import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

# Said whenever a POST failed after it may have reached AdultWork: sending it again blindly could
# accept or cancel twice, so the performer has to look first.
UNKNOWN_OUTCOME = (
    "AdultWork may or may not have done what you asked: check the booking before trying again."
)

# The token endpoint's answers that mean the grant itself is dead, not that the call failed.
RECONNECT_CODES = frozenset({"invalid_grant", "refresh_token_has_expired"})

_MAX_REMOTE_MESSAGE = 300
# A misconfigured base URL: nothing to do with AdultWork's health, and no retry will mend it.
_BAD_ADDRESS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


class AdultWorkError(Exception):
    permanent: bool = False
    default_message = "Something went wrong while talking to AdultWork."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        permanent: bool | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        if permanent is not None:
            self.permanent = permanent
        super().__init__(self.message)


class TokenExpired(AdultWorkError):
    # Not permanent: a refresh usually mends it.
    default_message = "The connection to AdultWork has expired or was revoked."


class ReconnectNeeded(AdultWorkError):
    permanent = True
    default_message = (
        "AdultWork no longer accepts this account's connection: please connect the account again."
    )


class Refused(AdultWorkError):
    permanent = True
    default_message = "AdultWork refused this request."


class NotFound(Refused):
    default_message = "AdultWork could not find this booking."


class Forbidden(Refused):
    default_message = (
        "AdultWork does not allow this: the connection may lack a permission, "
        "or you may not manage this group."
    )


class RateLimited(AdultWorkError):
    default_message = "AdultWork is receiving too many requests from this app: try again shortly."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        permanent: bool | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, status=status, permanent=permanent)
        self.retry_after = retry_after


class Unavailable(AdultWorkError):
    default_message = "AdultWork cannot be reached right now: try again in a few minutes."


class TimedOut(AdultWorkError):
    default_message = "AdultWork did not answer in time: try again in a few minutes."


class NotSent(AdultWorkError):
    """The call was not made, so AdultWork did nothing: the time allowed had run out, or the
    caller knows AdultWork is not answering."""

    default_message = "AdultWork is too slow to answer right now, so nothing was sent."


class UnreadableAnswer(AdultWorkError):
    default_message = "AdultWork sent an answer this app cannot read."


def raise_for_response(
    response: requests.Response,
    *,
    token_endpoint: bool = False,
    redact: Sequence[str] = (),
) -> None:
    """Raise the AdultWorkError an answer stands for; return quietly on a 2xx.

    ``token_endpoint``: the answer comes from the OAuth token endpoint, where a 400/401 speaks of
    the grant, not of an access token. ``redact``: strings (tokens) scrubbed from any text the
    remote sent back, in case it echoes them.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    body = _json_body(response)
    remote = _remote_message(body, redact)
    if token_endpoint and status in (400, 401) and body.get("error") in RECONNECT_CODES:
        raise ReconnectNeeded(status=status)
    if status == 401 and not token_endpoint:
        raise TokenExpired(status=status)
    if status == 429:
        raise RateLimited(status=status, retry_after=parse_retry_after(_retry_after(response)))
    if status == 408 or status >= 500:
        raise Unavailable(_server_fault_message(status, _acted(response)), status=status)
    if status == 404:
        raise NotFound(remote, status=status)
    if status == 403:
        raise Forbidden(remote, status=status)
    if 400 <= status < 500:
        raise Refused(remote or f"AdultWork refused this request (error {status}).", status=status)
    # 1xx and 3xx: requests follows redirects, so one left over is an answer we do not understand.
    raise UnreadableAnswer(f"AdultWork sent an unexpected answer (status {status}).", status=status)


def is_action(method: str | None) -> bool:
    """Anything but a GET may have changed a booking by the time it failed."""
    return (method or "GET").upper() != "GET"


def from_transport_error(exc: requests.RequestException, *, method: str) -> AdultWorkError:
    """The AdultWorkError for a call that got no answer at all."""
    if isinstance(exc, _BAD_ADDRESS):
        return Unavailable(
            "The address this app has for AdultWork is wrong, so nothing was sent.", permanent=True
        )
    never_sent = _never_sent(exc)
    posted = is_action(method)
    if _timed_out(exc):
        if never_sent:
            return TimedOut("AdultWork could not be reached in time, so nothing was sent.")
        message = "AdultWork did not answer in time."
        return TimedOut(f"{message} {UNKNOWN_OUTCOME}" if posted else f"{message} Try again.")
    if never_sent:
        return Unavailable("AdultWork cannot be reached right now, so nothing was sent.")
    message = "The connection to AdultWork broke before it answered."
    return Unavailable(f"{message} {UNKNOWN_OUTCOME}" if posted else f"{message} Try again.")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> int | None:
    """Seconds to wait from a Retry-After header: either delay-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP dates are GMT by definition (RFC 9110)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0, math.ceil(wait))


def _server_fault_message(status: int, posted: bool) -> str:
    message = f"AdultWork is having trouble right now (error {status})."
    return f"{message} {UNKNOWN_OUTCOME}" if posted else f"{message} Try again in a few minutes."


def _acted(response: requests.Response) -> bool:
    return response.request is not None and is_action(response.request.method)


def _retry_after(response: requests.Response) -> str | None:
    return response.headers.get("Retry-After")


def _json_body(response: requests.Response) -> dict[str, object]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _remote_message(body: dict[str, object], redact: Sequence[str]) -> str | None:
    """The remote's own explanation: ASP.NET's {"Message": ...} or OAuth's error fields."""
    for key in ("Message", "message", "error_description"):
        text = body.get(key)
        if isinstance(text, str) and text.strip():
            return _clean(text, redact)
    code = body.get("error")
    if isinstance(code, str) and code.strip():
        # A bare OAuth code ("invalid_client") is no sentence: wrap it in one.
        return f"AdultWork refused this request ({_clean(code, redact)})."
    return None


def _clean(text: str, redact: Sequence[str]) -> str:
    for secret in redact:
        if secret:
            text = text.replace(secret, "[hidden]")
    text = " ".join(text.split())
    if len(text) > _MAX_REMOTE_MESSAGE:
        text = text[: _MAX_REMOTE_MESSAGE - 1] + "…"
    return text


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: requests hides urllib3's reason in args."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [*current.args, getattr(current, "reason", None)]
        wrapped += [current.__cause__, current.__context__]
        pending.extend(item for item in wrapped if isinstance(item, BaseException))


def _timed_out(exc: BaseException) -> bool:
    # requests reports a GET whose read retries ran out as ConnectionError(MaxRetryError(
    # reason=ReadTimeoutError)), not as ReadTimeout, so look at what it wraps.
    timeouts = (requests.Timeout, ReadTimeoutError, ConnectTimeoutError, TimeoutError)
    return any(
        isinstance(cause, timeouts) and not isinstance(cause, NewConnectionError)
        for cause in _causes(exc)
    )


def _never_sent(exc: BaseException) -> bool:
    """True when the request cannot have reached AdultWork (refused, DNS, connect timeout)."""
    return any(
        isinstance(cause, (NewConnectionError, ConnectTimeoutError, requests.ConnectTimeout))
        for cause in _causes(exc)
    )
