"""A thin client of the sandbox's control API, so tests drive a sandbox in-process or elsewhere
the same way.

    control = SandboxControl(server.url)
    control.reset(now=datetime(2026, 3, 29, 9, 0, tzinfo=UTC))
    token = control.issue_token(user_id=1001)["access_token"]
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

import requests


class SandboxControlError(RuntimeError):
    """The control API refused a request; the message says why."""


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _field(value: Any) -> Any:
    """Patch values as the API writes them: naive datetimes are local times, Decimals text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = self._session.request(
            method, f"{self.base_url}/_sandbox{path}", json=payload, timeout=self.timeout
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            message = body.get("error") if isinstance(body, dict) else response.text
            raise SandboxControlError(f"{method} {path}: {response.status_code} {message}")
        return body

    def info(self) -> dict[str, Any]:
        return self._call("GET", "/")

    def reset(self, *, seed: str = "demo", now: datetime | None = None) -> None:
        """A fresh world; with `now` the clock stays there, without it runs in real time."""
        self._call("POST", "/reset", {"seed": seed, "now": _iso(now)})

    def set_clock(
        self, *, now: datetime | None = None, advance_seconds: float | None = None
    ) -> None:
        """Freeze at `now`, move on by `advance_seconds`, or (neither) go back to real time."""
        self._call("POST", "/clock", {"now": _iso(now), "advance_seconds": advance_seconds})

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/clock")["now"])

    def add_fault(
        self,
        *,
        path: str,
        kind: str,
        method: str | None = None,
        status: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        times: int | None = 1,
        query: dict[str, str] | None = None,
    ) -> None:
        self._call(
            "POST",
            "/faults",
            {
                "path": path,
                "kind": kind,
                "method": method,
                "status": status,
                "message": message,
                "retry_after": retry_after,
                "delay": delay,
                "times": times,
                "query": query or {},
            },
        )

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def requests(self) -> list[dict[str, Any]]:
        """The request log, oldest first."""
        return self._call("GET", "/requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def issue_token(
        self,
        *,
        user_id: int,
        scope: str = "account_webcam_bookings account_phonechat_bookings account_information",
        expires_in: int | None = None,
    ) -> dict[str, Any]:
        return self._call(
            "POST", "/tokens", {"user_id": user_id, "scope": scope, "expires_in": expires_in}
        )

    def users(self) -> list[dict[str, Any]]:
        return self._call("GET", "/users")

    def patch_booking(self, *, service: str, booking_id: int, **fields: Any) -> dict[str, Any]:
        """Change a booking behind the dashboard's back; answers the performer's received view."""
        payload = {name: _field(value) for name, value in fields.items()}
        return self._call("PATCH", f"/bookings/{service}/{booking_id}", payload)

    def add_request(self, *, performer_id: int, service: str = "webcam", **fields: Any) -> int:
        """A new Pending request to the performer, made now; returns its BookingID."""
        payload = {"service": service, "performer_id": performer_id, **fields}
        return self._call("POST", "/bookings", payload)["BookingID"]

    def generate(self, *, user_id: int, service: str, direction: str, count: int) -> None:
        self._call(
            "POST",
            "/generate",
            {"user_id": user_id, "service": service, "direction": direction, "count": count},
        )

    def register_client(
        self, *, client_id: str, client_secret: str, redirect_uris: list[str]
    ) -> None:
        self._call(
            "POST",
            "/clients",
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": redirect_uris,
            },
        )
