"""The sandbox's world in memory: people, bookings, tokens, faults, the request log, the clock.

One re-entrant lock guards all of it; handlers hold it while they read, change and render, so
every answer is a consistent snapshot.
"""

import secrets
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import seed as seeds
from sandbox.clock import Clock
from sandbox.faults import FaultBook
from sandbox.models import (
    ALL_SCOPES,
    AccessToken,
    AuthorizationCode,
    Booking,
    Direction,
    OAuthClient,
    RefreshToken,
    Service,
    User,
)
from sandbox.render import View

ACCESS_TOKEN_SECONDS = 1200
REFRESH_TOKEN_LIFETIME = timedelta(days=14)
CODE_LIFETIME = timedelta(minutes=5)
REQUEST_LOG_SIZE = 10_000

DEFAULT_CLIENT = OAuthClient(
    client_id="sandbox-client",
    client_secret="sandbox-secret",  # nosec B106  # the stand-in's published secret
    redirect_uris=(
        "http://127.0.0.1:8000/accounts/connect/callback/",
        "http://localhost:8000/accounts/connect/callback/",
    ),
)


class SandboxState:
    def __init__(self, *, time_zone: str = "Europe/London", seed: str = "demo") -> None:
        self.lock = threading.RLock()
        self.zone = ZoneInfo(time_zone)
        self.clock = Clock()
        # Set on stop, so requests sleeping for a latency or timeout fault wake and give up.
        self.stopping = threading.Event()
        # Registered applications outlive resets, as an app registration does at AdultWork.
        self.clients: dict[str, OAuthClient] = {DEFAULT_CLIENT.client_id: DEFAULT_CLIENT}
        self.faults = FaultBook()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.users: dict[int, User] = {}
        self.bookings: dict[Service, dict[int, Booking]] = {}
        self.next_ids: dict[Service, int] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.seed = seed
        self.reset(seed=seed)

    # The world

    def reset(self, *, seed: str = "demo", now: datetime | None = None) -> None:
        """A fresh world for `seed`, built at `now` (the clock then stays there) or real time."""
        if seed not in seeds.SEEDS:
            raise ValueError(f"seed must be one of {', '.join(seeds.SEEDS)}.")
        with self.lock:
            self.clock.set(now=now)
            self.seed = seed
            self.users = {user.user_id: user for user in seeds.demo_users()}
            self.bookings = {service: {} for service in Service}
            for booking in seeds.build_bookings(seed, self.users, self.clock.now()):
                self.bookings[booking.service][booking.booking_id] = booking
            self.next_ids = {
                service: max(self.bookings[service], default=first - 1) + 1
                for service, first in seeds.FIRST_IDS.items()
            }
            self.codes.clear()
            self.access_tokens.clear()
            self.refresh_tokens.clear()
            self.faults.clear()
            self.request_log.clear()

    def now(self) -> datetime:
        with self.lock:
            return self.clock.now()

    def set_clock(
        self, *, now: datetime | None = None, advance_seconds: float | None = None
    ) -> None:
        with self.lock:
            self.clock.set(now=now, advance_seconds=advance_seconds)

    def view(self) -> View:
        return View(self.users, self.now(), self.zone)

    # Bookings

    def visible_bookings(
        self, user_id: int, service: Service, direction: Direction
    ) -> list[Booking]:
        """The user's bookings on one side, without those the user deleted."""
        return [
            booking
            for booking in self.bookings[service].values()
            if booking.owner_id(direction) == user_id and not booking.hidden_from(direction)
        ]

    def find(
        self, user_id: int, service: Service, direction: Direction, booking_id: int
    ) -> Booking | None:
        booking = self.bookings[service].get(booking_id)
        if booking is None or booking.owner_id(direction) != user_id:
            return None
        if booking.hidden_from(direction):
            return None
        return booking

    def add_booking(self, booking: Booking) -> Booking:
        with self.lock:
            booking = replace(booking, booking_id=self.next_ids[booking.service])
            self.next_ids[booking.service] += 1
            self.bookings[booking.service][booking.booking_id] = booking
            return booking

    def add_bookings(self, bookings: Iterable[Booking]) -> None:
        with self.lock:
            for booking in bookings:
                self.bookings[booking.service][booking.booking_id] = booking

    def balance(self, user_id: int) -> Decimal:
        return self.users[user_id].balance

    # OAuth

    def new_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        user_id: int,
        scopes: tuple[str, ...],
        code_challenge: str | None,
    ) -> str:
        with self.lock:
            code = AuthorizationCode(
                code=secrets.token_urlsafe(24),
                client_id=client_id,
                redirect_uri=redirect_uri,
                user_id=user_id,
                scopes=scopes,
                expires_at=self.clock.now() + CODE_LIFETIME,
                code_challenge=code_challenge,
            )
            self.codes[code.code] = code
            return code.code

    def issue_tokens(
        self,
        *,
        user_id: int,
        scopes: tuple[str, ...] = ALL_SCOPES,
        client_id: str = DEFAULT_CLIENT.client_id,
        expires_in: int | None = None,
    ) -> dict[str, Any]:
        """A new access token and refresh token, in the token endpoint's answer shape."""
        lifetime = ACCESS_TOKEN_SECONDS if expires_in is None else expires_in
        with self.lock:
            now = self.clock.now()
            access = AccessToken(
                token=secrets.token_urlsafe(32),
                user_id=user_id,
                scopes=scopes,
                client_id=client_id,
                expires_at=now + timedelta(seconds=lifetime),
            )
            refresh = RefreshToken(
                token=secrets.token_urlsafe(32),
                user_id=user_id,
                scopes=scopes,
                client_id=client_id,
                expires_at=now + REFRESH_TOKEN_LIFETIME,
            )
            self.access_tokens[access.token] = access
            self.refresh_tokens[refresh.token] = refresh
        return {
            "access_token": access.token,
            "token_type": "bearer",  # nosec B105  # the OAuth token type, not a secret
            "expires_in": lifetime,
            "refresh_token": refresh.token,
            "scope": " ".join(scopes),
        }

    def valid_access_token(self, token: str) -> AccessToken | None:
        with self.lock:
            access = self.access_tokens.get(token)
            if access is None or self.clock.now() >= access.expires_at:
                return None
            return access

    # Request log

    def log_request(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.request_log.append(entry)
        return entry

    def logged_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for entry in self.request_log]
