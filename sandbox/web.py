"""The few HTTP types the sandbox needs on top of WSGI: a request, a response, an API error."""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"

# The request body is read whole; nothing the API takes comes near this.
MAX_BODY = 1_000_000


class ApiError(Exception):
    """A refusal answered as `{"Message": ...}`, the shape ASP.NET Web API uses."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> "Response":
        return json_response(self.status, {"Message": self.message}, xml_root="Error")


@dataclass(slots=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    environ: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> "Request":
        query = {
            name: values[0]
            for name, values in parse_qs(
                environ.get("QUERY_STRING", ""), keep_blank_values=True
            ).items()
        }
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=environ.get("PATH_INFO", "/") or "/",
            query=query,
            headers=headers,
            body=_read_body(environ),
            environ=environ,
        )

    @property
    def route_key(self) -> str:
        """The path as routes and faults match it: ASP.NET routing ignores case."""
        return self.path.rstrip("/").lower() or "/"

    def param(self, name: str) -> str | None:
        """A query parameter by name, ignoring case as ASP.NET model binding does."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None

    def form(self) -> dict[str, str]:
        text = self.body.decode("utf-8", errors="replace")
        return {name: values[0] for name, values in parse_qs(text, keep_blank_values=True).items()}

    def json(self) -> Any:
        """The body as JSON, decimals kept exact so Credits can be checked to the fourth place."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, "The request body is not valid JSON.") from error


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    return environ["wsgi.input"].read(min(length, MAX_BODY))


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Kept so the `xml` fault can answer the same result as a data contract document.
    payload: Any = None
    xml_root: str | None = None
    xml_namespace: str | None = None
    xml_item: str | None = None

    @property
    def status_line(self) -> str:
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Status"
        return f"{self.status} {phrase}"

    def header_list(self) -> list[tuple[str, str]]:
        headers = list(self.headers)
        if self.content_type:
            headers.append(("Content-Type", self.content_type))
        headers.append(("Content-Length", str(len(self.body))))
        headers.append(("Cache-Control", "no-store"))
        return headers


def json_default(value: Any) -> Any:
    """Credits are Decimal: a JSON number, integral ones without a fraction (`8`, `8.5`)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dump_json(payload: Any) -> bytes:
    return json.dumps(payload, default=json_default, ensure_ascii=False).encode("utf-8")


def json_response(
    status: int,
    payload: Any,
    *,
    xml_root: str | None = None,
    xml_namespace: str | None = None,
    xml_item: str | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    return Response(
        status=status,
        body=dump_json(payload),
        headers=headers or [],
        payload=payload,
        xml_root=xml_root,
        xml_namespace=xml_namespace,
        xml_item=xml_item,
    )


def html_response(status: int, html: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status=status, body=html.encode("utf-8"), content_type=HTML_TYPE, headers=headers or []
    )


def redirect(location: str) -> Response:
    return Response(status=302, content_type=None, headers=[("Location", location)])
