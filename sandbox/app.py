"""The WSGI application: control API, request log, faults, then the API or the sign-in pages."""

import sys
import time
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import sandbox.actions  # noqa: F401  (registers the POST actions among the API's routes)
from sandbox import api, control_api, oauth
from sandbox.faults import Fault
from sandbox.render import DATACONTRACT, to_xml
from sandbox.state import SandboxState
from sandbox.web import XML_TYPE, ApiError, Request, Response, html_response, json_response

type StartResponse = Callable[..., Any]

HTML_ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service Unavailable</title></head>
<body><h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your request. Please try again later.</p>
</body></html>
"""


class DropConnection(Exception):
    """Raised to make the server close the connection without writing an answer."""


class SandboxApp:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        key = request.route_key
        if key == control_api.PREFIX or key.startswith(control_api.PREFIX + "/"):
            response: Response | None = control_api.handle(self.state, request)
        elif key.startswith(("/v1/", "/oauth/")):
            response = self._served(request)
        else:
            response = ApiError(404, "Nothing here: the API is under /v1/.").response()
        if response is None:
            raise DropConnection
        start_response(response.status_line, response.header_list())
        return [response.body]

    def _served(self, request: Request) -> Response | None:
        """An API or sign-in request: logged, faulted if a fault matches, else answered."""
        state = self.state
        entry = state.log_request(_log_entry(request, state))
        with state.lock:
            fault = state.faults.take(request)
            entry["fault"] = fault.kind if fault else None
        started = time.perf_counter()
        try:
            response = self._answer(request, fault)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = ApiError(500, "An error has occurred.").response()
        with state.lock:
            entry["status"] = response.status if response else None
            # The server's own time for the call, so a client can tell its overhead apart.
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return response

    def _answer(self, request: Request, fault: Fault | None) -> Response | None:
        if fault is None:
            return self._dispatch(request)
        match fault.kind:
            case "status":
                status = fault.status or 500
                return json_response(status, {"Message": fault.message or _phrase(status)})
            case "ratelimit":
                response = json_response(
                    429, {"Message": fault.message or "Too many requests: try again later."}
                )
                response.headers.append(("Retry-After", str(fault.retry_after or 0)))
                return response
            case "latency":
                return None if self._sleep(fault.delay) else self._dispatch(request)
            case "timeout":
                # The request is never carried out: a client that gave up lost nothing.
                if self._sleep(fault.delay):
                    return None
                return json_response(
                    504, {"Message": fault.message or "The server did not answer in time."}
                )
            case "xml":
                return as_xml(self._dispatch(request))
            case "html":
                return html_response(200, HTML_ERROR_PAGE)
        return None

    def _sleep(self, seconds: float | None) -> bool:
        """Sleep, cut short when the server stops; True when it did stop."""
        return self.state.stopping.wait(seconds or 0)

    def _dispatch(self, request: Request) -> Response:
        if request.route_key.startswith("/v1/"):
            return api.handle(self.state, request)
        return oauth.handle(self.state, request)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def as_xml(response: Response) -> Response:
    """The same answer as a data contract XML document, as the API gives to XML clients."""
    if response.payload is None:
        return response
    body = to_xml(
        response.payload,
        response.xml_root or "Response",
        response.xml_namespace or DATACONTRACT + "API.Models",
        response.xml_item,
    )
    response.body = body.encode("utf-8")
    response.content_type = XML_TYPE
    return response


def _log_entry(request: Request, state: SandboxState) -> dict[str, Any]:
    authorization = request.headers.get("authorization", "").strip()
    return {
        "method": request.method,
        "path": request.path,
        "query": oauth.redact(dict(request.query)),
        "body": oauth.redact(_logged_body(request)),
        "authorization": bool(authorization),
        "status": None,
        "at": state.now().isoformat(),
        "fault": None,
    }


def _logged_body(request: Request) -> Any:
    if not request.body:
        return None
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type:
        return request.form()
    try:
        return request.json()
    except ApiError:
        return request.body.decode("utf-8", errors="replace")[:2000]
