"""The requests.Session the gateway uses: a timeout on every call, retries for GETs only.

Modelled on Zulip's outgoing session: the adapter supplies the timeout, so no call can forget it.
"""

import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import (
    UNKNOWN_OUTCOME,
    NotSent,
    UnreadableAnswer,
    from_transport_error,
    is_action,
    raise_for_response,
)
from .parsing import load_json

# Backoff between GET retries: 0 s before the first, then 0.5 s, 1 s, ... capped, so a page view
# waiting on a sync never sleeps long.
BACKOFF_FACTOR = 0.25
BACKOFF_MAX = 4.0
RETRY_STATUSES = frozenset({502, 503, 504})
RETRY_METHODS = frozenset({"GET"})


class Secret(str):
    """A token, a code verifier or the client secret: a str whose repr hides it.

    The gateway imports nothing of Django's, so Django's ``sensitive_variables`` is not for it.
    Instead it turns every secret into a Secret as soon as it gets one: frame locals, dicts and
    headers holding it then print as ``<secret>`` in an error report, a debugger or a test's
    traceback. Everything else (``str()``, f-strings, comparisons, ``.encode()``) sees the value.
    The bytes finally written to the socket are plain, deep in http.client: only the caller can
    hide those frames (in Django, ``sensitive_variables()`` on the function that calls us).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<secret>"


class Deadline:
    """When a run of calls must be over (a web request's budget for an action): each call
    waits for AdultWork at most the time left, and one that would have less than
    MIN_CALL_SECONDS is not sent at all (NotSent)."""

    MIN_CALL_SECONDS = 0.5

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds

    def left(self) -> float:
        return self._ends - time.monotonic()

    def timeout(self, wanted: float) -> float:
        left = self.left()
        if left < self.MIN_CALL_SECONDS:
            raise NotSent()
        return min(wanted, left)


class TimeoutHTTPAdapter(HTTPAdapter):
    """An adapter that gives every request a timeout unless the caller chose one."""

    def __init__(self, *, timeout: float, max_retries: Retry) -> None:
        self.timeout = timeout
        super().__init__(max_retries=max_retries)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        if timeout is None:
            timeout = self.timeout
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


class GetOnlyRetry(Retry):
    """Retry that never sends anything but a GET twice.

    urllib3 retries connection errors for every method; a POST here accepts, cancels or deletes,
    and one that reached the server before the error could then act twice. So any other method
    fails at once, exactly as with retries switched off.
    """

    # urllib3 types increment() as returning the same class; a non-GET gets requests' own
    # no-retry Retry back instead, which urllib3 uses like any other Retry.
    def increment(  # type: ignore[override]
        self, method: str | None = None, *args: Any, **kwargs: Any
    ) -> Retry:
        if method is None or method.upper() not in RETRY_METHODS:
            return _NO_RETRY.increment(method, *args, **kwargs)
        return super().increment(method, *args, **kwargs)


# What requests itself uses when retries are off: re-raise read errors, give up on the rest.
_NO_RETRY = Retry(total=0, read=False)


def get_retry(retries: int) -> Retry:
    return GetOnlyRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=RETRY_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=BACKOFF_FACTOR,
        backoff_max=BACKOFF_MAX,
        # After the last try, hand back the 503 itself so raise_for_response can word it.
        raise_on_status=False,
        # A Retry-After on a 429/503 could put a web request to sleep for minutes: 429 is not
        # retried at all (the caller gets RateLimited.retry_after) and 503 uses our backoff.
        respect_retry_after_header=False,
    )


def new_session(
    *, timeout: float, retries: int, user_agent: str, headers: dict[str, str] | None = None
) -> requests.Session:
    session = requests.Session()
    adapter = TimeoutHTTPAdapter(timeout=timeout, max_retries=get_retry(retries))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {"User-Agent": user_agent, "Accept": "application/json", **(headers or {})}
    )
    return session


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    deadline: Deadline | None = None,
    token_endpoint: bool = False,
    redact: Sequence[str] = (),
    **kwargs: Any,
) -> requests.Response:
    """One call, with every failure turned into an AdultWorkError; within `deadline`, if any."""
    if deadline is not None:
        adapter = session.get_adapter(url)
        wanted = kwargs.get("timeout") or getattr(adapter, "timeout", None) or deadline.left()
        kwargs["timeout"] = deadline.timeout(wanted)
    try:
        response = session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        raise from_transport_error(exc, method=method) from exc
    raise_for_response(response, token_endpoint=token_endpoint, redact=redact)
    return response


def read_answer[T](response: requests.Response, parse: Callable[[Any], T]) -> T:
    """Decode and parse a 2xx answer; for a POST, warn that the action may have happened."""
    try:
        return parse(load_json(response.content))
    except UnreadableAnswer as exc:
        acted = response.request is not None and is_action(response.request.method)
        message = f"{exc.message} {UNKNOWN_OUTCOME}" if acted else exc.message
        raise UnreadableAnswer(message, status=response.status_code) from exc


class SessionOwner:
    """An API object that owns one requests.Session: closes it on close() or at the end of a
    `with` block."""

    _session: requests.Session

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()
