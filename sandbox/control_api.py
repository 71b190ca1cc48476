"""The control API under /_sandbox/: what tests and demos do to the world behind the API's back.

JSON in and out; refusals are `{"error": "..."}` with 400 or 404. These requests are neither
logged nor subject to faults.

    GET    /_sandbox/                          seed, clock and zone
    POST   /_sandbox/reset                     {"seed", "now"}
    GET    /_sandbox/clock                     {"now", "fixed"}
    POST   /_sandbox/clock                     {"now", "advance_seconds"}
    GET    /_sandbox/faults                    the faults in force
    POST   /_sandbox/faults                    {"path", "kind", "method", "status", ...}
    DELETE /_sandbox/faults
    GET    /_sandbox/requests                  the request log, oldest first
    DELETE /_sandbox/requests
    POST   /_sandbox/tokens                    {"user_id", "scope", "expires_in"}
    GET    /_sandbox/users
    POST   /_sandbox/users                     {"nickname", "role"}: one more, until the reset
    PATCH  /_sandbox/bookings/<service>/<id>   {"Status": ..., PascalCase fields}
    POST   /_sandbox/generate                  {"user_id", "service", "direction", "count"}
    POST   /_sandbox/bookings                  a new request: {"service", "performer_id",
                                               "client_id", "credits", "duration",
                                               "accept_within_minutes", "session_in_minutes",
                                               "is_multiple"}
    GET    /_sandbox/clients
    POST   /_sandbox/clients                   {"client_id", "client_secret", "redirect_uris"}
"""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox import seed as seeds
from sandbox.clock import as_utc, parse_datetime
from sandbox.faults import FaultError, parse_fault
from sandbox.models import (
    PATCHABLE_FIELDS,
    Booking,
    Direction,
    OAuthClient,
    Role,
    Service,
    Status,
    User,
)
from sandbox.state import SandboxState
from sandbox.web import ApiError, Request, Response, json_response

PREFIX = "/_sandbox"
MAX_GENERATE = 1_000_000
BOOKING_PATH = re.compile(r"^/_sandbox/bookings/(webcam|phonechat)/(\d+)$")


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


type Handler = Callable[[SandboxState, Request], Any]


def handle(state: SandboxState, request: Request) -> Response:
    key = request.route_key
    try:
        if match := BOOKING_PATH.match(key):
            if request.method not in ("PATCH", "POST"):
                raise ControlError("Use PATCH to change a booking.", 405)
            result = _patch_booking(state, Service(match[1]), int(match[2]), _body(request))
            return json_response(200, result)
        handler = ROUTES.get((request.method, key))
        if handler is None:
            raise ControlError(f"No control route {request.method} {request.path}.", 404)
        result = handler(state, request)
    except ControlError as error:
        return json_response(error.status, {"error": str(error)})
    except ApiError as error:
        return json_response(error.status, {"error": error.message})
    return json_response(200, result if result is not None else {"ok": True})


def _body(request: Request) -> dict[str, Any]:
    data = request.json()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError("The body must be a JSON object.")
    return data


def _moment(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ControlError(f"{name} must be an ISO 8601 date-time.")
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError as error:
        raise ControlError(f"{name} must be an ISO 8601 date-time.") from error


def _info(state: SandboxState, request: Request) -> dict[str, Any]:
    return {
        "seed": state.seed,
        "now": state.now().isoformat(),
        "clock_fixed": state.clock.is_fixed,
        "time_zone": state.zone.key,
    }


def _reset(state: SandboxState, request: Request) -> None:
    body = _body(request)
    seed = body.get("seed") or "demo"
    if seed not in seeds.SEEDS:
        raise ControlError(f"seed must be one of {', '.join(seeds.SEEDS)}.")
    state.reset(seed=seed, now=_moment(body.get("now"), "now"))


def _clock(state: SandboxState, request: Request) -> dict[str, Any]:
    return {"now": state.now().isoformat(), "fixed": state.clock.is_fixed}


def _set_clock(state: SandboxState, request: Request) -> dict[str, Any]:
    body = _body(request)
    advance = body.get("advance_seconds")
    if advance is not None and (
        isinstance(advance, bool) or not isinstance(advance, int | Decimal)
    ):
        raise ControlError("advance_seconds must be a number.")
    state.set_clock(
        now=_moment(body.get("now"), "now"),
        advance_seconds=float(advance) if advance is not None else None,
    )
    return _clock(state, request)


def _faults(state: SandboxState, request: Request) -> list[dict[str, Any]]:
    with state.lock:
        return state.faults.describe()


def _add_fault(state: SandboxState, request: Request) -> dict[str, Any]:
    try:
        fault = parse_fault(_body(request))
    except FaultError as error:
        raise ControlError(str(error)) from error
    with state.lock:
        state.faults.add(fault)
    return fault.describe()


def _clear_faults(state: SandboxState, request: Request) -> None:
    with state.lock:
        state.faults.clear()


def _requests(state: SandboxState, request: Request) -> list[dict[str, Any]]:
    return state.logged_requests()


def _clear_requests(state: SandboxState, request: Request) -> None:
    with state.lock:
        state.request_log.clear()


def _user_id(state: SandboxState, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in state.users:
        raise ControlError("user_id must be the UserID of a sandbox user.")
    return value


def _issue_token(state: SandboxState, request: Request) -> dict[str, Any]:
    body = _body(request)
    user_id = _user_id(state, body.get("user_id"))
    scope = body.get("scope")
    scopes = tuple(scope.split()) if isinstance(scope, str) else ()
    expires_in = body.get("expires_in")
    if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(expires_in, int)):
        raise ControlError("expires_in must be a whole number of seconds.")
    if scope is None:
        return state.issue_tokens(user_id=user_id, expires_in=expires_in)
    return state.issue_tokens(user_id=user_id, scopes=scopes, expires_in=expires_in)


def _users(state: SandboxState, request: Request) -> list[dict[str, Any]]:
    with state.lock:
        return [_user(user) for user in state.users.values()]


def _user(user: User) -> dict[str, Any]:
    return {
        "UserID": user.user_id,
        "Nickname": user.nickname,
        "GroupID": user.group_id,
        "GroupName": user.group_name,
        "IsGroupManager": user.is_group_manager,
        "Password": user.password,
        "Role": str(user.role),
        "Balance": user.balance,
    }


def _add_user(state: SandboxState, request: Request) -> dict[str, Any]:
    """A performer or client outside any group, for tests and benchmarks that need more
    people than the seed has (a reset brings back the seed's alone). Password: the nickname
    lowercased, as the seed's."""
    body = _body(request)
    nickname = body.get("nickname")
    if not isinstance(nickname, str) or not re.fullmatch(r"[A-Za-z0-9_]{3,40}", nickname):
        raise ControlError("nickname must be 3 to 40 letters, digits or underscores.")
    role = body.get("role") or Role.PERFORMER
    if role not in (Role.PERFORMER, Role.CLIENT):
        raise ControlError('role must be "performer" or "client".')
    with state.lock:
        if any(user.nickname.lower() == nickname.lower() for user in state.users.values()):
            raise ControlError(f"There is already a user called {nickname}.")
        user_id = max(state.users, default=0) + 1
        user = User(
            user_id=user_id,
            nickname=nickname,
            password=nickname.lower(),
            role=Role(role),
            balance=Decimal(150 if role == Role.PERFORMER else 500),
            last_accessed_from="UK",
            phone_number=f"447700{user_id:06d}",
        )
        state.users[user_id] = user
        return _user(user)


def _patch_booking(
    state: SandboxState, service: Service, booking_id: int, fields: dict[str, Any]
) -> dict[str, Any]:
    with state.lock:
        booking = state.bookings[service].get(booking_id)
        if booking is None:
            raise ControlError(f"There is no {service} booking {booking_id}.", 404)
        changes = {name: _field_value(state, name, value) for name, value in fields.items()}
        for name, value in changes.items():
            setattr(booking, PATCHABLE_FIELDS[name][0], value)
        if "Credits" in changes and booking.status is Status.PENDING:
            booking.offered_credits = booking.credits
        if "LastUpdated" not in changes:
            booking.last_updated = state.now()
        return state.view().booking(booking, Direction.RECEIVED)


def _field_value(state: SandboxState, name: str, value: Any) -> Any:
    if name not in PATCHABLE_FIELDS:
        allowed = ", ".join(PATCHABLE_FIELDS)
        raise ControlError(f"{name} cannot be changed; these can: {allowed}.")
    kind = PATCHABLE_FIELDS[name][1]
    if value is None:
        if kind.endswith("?"):
            return None
        raise ControlError(f"{name} cannot be null.")
    converters: dict[str, Callable[[Any], Any]] = {
        "int": lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None,
        "bool": lambda v: v if isinstance(v, bool) else None,
        "str?": lambda v: v if isinstance(v, str) else None,
        "decimal": _to_decimal,
        "status": _to_status,
        "datetime": lambda v: _to_datetime(state, v),
        "datetime?": lambda v: _to_datetime(state, v),
    }
    converted = converters[kind](value)
    if converted is None:
        raise ControlError(f"{name} has the wrong type of value.")
    return converted


def _to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def _to_status(value: Any) -> Status | None:
    for status in Status:
        if isinstance(value, str) and value.lower() == status.lower():
            return status
    return None


def _to_datetime(state: SandboxState, value: Any) -> datetime | None:
    # Written like the API's own times: without an offset it is local to the sandbox.
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value, state.zone)
    except ValueError:
        return None


def _generate(state: SandboxState, request: Request) -> dict[str, Any]:
    body = _body(request)
    user_id = _user_id(state, body.get("user_id"))
    try:
        service = Service(body.get("service"))
        direction = Direction(body.get("direction"))
    except ValueError as error:
        raise ControlError(
            'service must be "webcam" or "phonechat", direction "received" or "made".'
        ) from error
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_GENERATE:
        raise ControlError(f"count must be a whole number from 1 to {MAX_GENERATE}.")
    with state.lock:
        bookings: list[Booking] = seeds.generate(
            state.users,
            user_id=user_id,
            service=service,
            received=direction is Direction.RECEIVED,
            count=count,
            now=state.now(),
            next_ids=state.next_ids,
        )
        state.add_bookings(bookings)
    return {"created": len(bookings)}


def _clients(state: SandboxState, request: Request) -> list[dict[str, Any]]:
    with state.lock:
        return [
            {"client_id": client.client_id, "redirect_uris": list(client.redirect_uris)}
            for client in state.clients.values()
        ]


def _register_client(state: SandboxState, request: Request) -> None:
    body = _body(request)
    client_id, secret, uris = (
        body.get("client_id"),
        body.get("client_secret"),
        body.get("redirect_uris"),
    )
    if not isinstance(client_id, str) or not client_id or not isinstance(secret, str) or not secret:
        raise ControlError("client_id and client_secret must be non-empty text.")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and u for u in uris):
        raise ControlError("redirect_uris must be a non-empty list of URLs.")
    with state.lock:
        state.clients[client_id] = OAuthClient(client_id, secret, tuple(uris))


def _add_request(state: SandboxState, request: Request) -> dict[str, Any]:
    """A client books a performer now: a Pending request, as AdultWork would create it."""
    body = _body(request)
    try:
        service = Service(body.get("service", "webcam"))
    except ValueError as error:
        raise ControlError('service must be "webcam" or "phonechat".') from error
    performer_id = _user_id(state, body.get("performer_id"))
    if state.users[performer_id].role is not Role.PERFORMER:
        raise ControlError("performer_id must be a performer's user ID.")
    clients = [u.user_id for u in state.users.values() if u.role is Role.CLIENT]
    client_id = _user_id(state, body.get("client_id", clients[0] if clients else None))
    numbers = {
        name: body.get(name, default)
        for name, default in (
            ("duration", 15),
            ("accept_within_minutes", 60),
            ("session_in_minutes", 120),
        )
    }
    for name, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100_000:
            raise ControlError(f"{name} must be a whole number of minutes from 1 to 100000.")
    credits = _to_decimal(body.get("credits", 30))
    if credits is None or credits <= 0:
        raise ControlError("credits must be a positive number.")
    now = state.now().replace(microsecond=0)
    booking = Booking(
        service=service,
        booking_id=0,
        client_id=client_id,
        performer_id=performer_id,
        duration=numbers["duration"],
        credits=credits,
        offered_credits=credits,
        status=Status.PENDING,
        create_date=now,
        session_date=now + timedelta(minutes=numbers["session_in_minutes"]),
        accept_by=now + timedelta(minutes=numbers["accept_within_minutes"]),
        is_multiple=bool(body.get("is_multiple", False)),
    )
    return {"BookingID": state.add_booking(booking).booking_id}


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", PREFIX.lower()): _info,
    ("POST", f"{PREFIX}/reset"): _reset,
    ("GET", f"{PREFIX}/clock"): _clock,
    ("POST", f"{PREFIX}/clock"): _set_clock,
    ("GET", f"{PREFIX}/faults"): _faults,
    ("POST", f"{PREFIX}/faults"): _add_fault,
    ("DELETE", f"{PREFIX}/faults"): _clear_faults,
    ("GET", f"{PREFIX}/requests"): _requests,
    ("DELETE", f"{PREFIX}/requests"): _clear_requests,
    ("POST", f"{PREFIX}/tokens"): _issue_token,
    ("GET", f"{PREFIX}/users"): _users,
    ("POST", f"{PREFIX}/users"): _add_user,
    ("POST", f"{PREFIX}/generate"): _generate,
    ("POST", f"{PREFIX}/bookings"): _add_request,
    ("GET", f"{PREFIX}/clients"): _clients,
    ("POST", f"{PREFIX}/clients"): _register_client,
}
