"""Which request, and whose, a log line belongs to: an id for every request, echoed to the client
and to gunicorn's access log, and a logging filter that puts it and the user's id on each record.

Context variables rather than thread-locals: they are per thread under gunicorn's gthread
workers and follow the request across asgiref's sync/async hops if the site is ever served by
ASGI.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from the proxy: an id, not a place to smuggle text (newlines, quotes, markup)
# into log lines; nginx's $request_id (32 hex digits) and the usual UUIDs fit.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass
class RequestContext:
    request_id: str
    request: HttpRequest
    # Only once the view is about to run: AuthenticationMiddleware has then put the user on the
    # request, and reading it earlier would make a log line cost a session and a user query.
    user_known: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def request_id_from(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when it is well-formed, so that its log and ours join; else
    a new one."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if WELL_FORMED_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    context = _current.get()
    return context.request_id if context else None


def current_user_id() -> int | None:
    context = _current.get()
    if context is None or not context.user_known:
        return None
    # Already read in process_view (or replaced by login/logout since), so this costs nothing.
    user = getattr(context.request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestContextMiddleware:
    """Gives each request an id for its log lines and its X-Request-ID response header.

    Early in MIDDLEWARE, so that what the later middleware logs carries the id too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(request_id=request_id_from(request), request=request)
        token = _current.set(context)
        try:
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django logs a returned (not raised) error response only after the last
                # middleware has returned, when the request's context is gone; logging it here
                # instead (the same message) keeps the request id on it, and Django then skips it.
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = context.request_id
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        user = getattr(request, "user", None)
        if user is None:
            return
        try:
            # Resolves the lazy user now, outside any transaction: the views read it anyway, and
            # a log filter must never be what first queries the database.
            user.is_authenticated  # noqa: B018
        except DatabaseError:
            # The view will meet the same error and answer for it; its log lines go without a user.
            return
        context = _current.get()
        if context is not None:
            context.user_known = True


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record; `missing` outside a request (the
    worker, the scheduler, commands) and for a stranger."""

    def __init__(self, missing: str | None = None) -> None:
        super().__init__()
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        user_id = current_user_id()
        record.request_id = self.missing if request_id is None else request_id
        record.user_id = self.missing if user_id is None else user_id
        return True
