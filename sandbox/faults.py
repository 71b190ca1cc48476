"""Injected faults: what the next matching requests suffer instead of (or before) their answer."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.web import Request

KINDS = ("status", "ratelimit", "latency", "timeout", "xml", "html", "drop")
# Kinds after which the request is still carried out; the others replace it entirely.
APPLIED_KINDS = frozenset({"latency", "xml"})
DEFAULT_DELAY = {"latency": 1.0, "timeout": 30.0}


class FaultError(ValueError):
    """A fault description the control API cannot use."""


@dataclass(slots=True)
class Fault:
    path: str
    kind: str
    method: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    delay: float | None = None
    times: int | None = 1
    query: dict[str, str] = field(default_factory=dict)

    def matches(self, request: Request) -> bool:
        if request.route_key != self.path:
            return False
        if self.method is not None and request.method != self.method:
            return False
        return all(request.param(name) == value for name, value in self.query.items())

    def describe(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "method": self.method,
            "status": self.status,
            "message": self.message,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "times": self.times,
            "query": dict(self.query),
        }


def parse_fault(data: Mapping[str, Any]) -> Fault:
    """Check a fault sent to the control API; defaults fill what the kind needs."""
    path = data.get("path")
    kind = data.get("kind")
    if not isinstance(path, str) or not path.startswith("/"):
        raise FaultError("path must be an absolute path such as /v1/Webcam/ReceivedBookings.")
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}.")
    times = data.get("times", 1)
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise FaultError("times must be a positive whole number, or null for every request.")
    query = data.get("query") or {}
    if not isinstance(query, dict):
        raise FaultError("query must be an object of parameter names and values.")
    method = data.get("method")
    return Fault(
        path=path.rstrip("/").lower() or "/",
        kind=kind,
        method=method.upper() if isinstance(method, str) else None,
        status=_number(data, "status", int, 500 if kind == "status" else None),
        message=data.get("message"),
        retry_after=_number(data, "retry_after", int, 30 if kind == "ratelimit" else None),
        delay=_number(data, "delay", float, DEFAULT_DELAY.get(kind)),
        times=times,
        query={str(name): str(value) for name, value in query.items()},
    )


def _number[T: (int, float)](
    data: Mapping[str, Any], name: str, kind: type[T], default: T | None
) -> T | None:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value < 0:
        raise FaultError(f"{name} must be a non-negative number.")
    return kind(value)


class FaultBook:
    """The faults in force, oldest first; not locked itself (the state's lock guards it)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        return [fault.describe() for fault in self._faults]

    def take(self, request: Request) -> Fault | None:
        """The first fault matching the request, used up by one."""
        for fault in self._faults:
            if fault.matches(request):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None
