"""The sandbox over real HTTP: one server for the session, a fresh world at a fixed moment per
test, and small helpers to call the API as one user."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from sandbox.control import SandboxControl
from sandbox.server import SandboxServer

# A Tuesday in March before the clocks change: London time is UTC, so local times read plainly.
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
LOCAL_NOW = NOW.replace(tzinfo=None)
ALL_SCOPES = "account_webcam_bookings account_phonechat_bookings account_information"

SCARLETT, JADE, RUBY, IVY = 1001, 1002, 1003, 1004
MANAGER = 1000
JOSEPHENE, BOOKING_USER, NIGHT_OWL, PENNY = 2001, 2002, 2003, 2006

LIST_PATHS = {
    ("webcam", "received"): "/v1/Webcam/ReceivedBookings",
    ("webcam", "made"): "/v1/Webcam/MadeBookings",
    ("phonechat", "received"): "/v1/PhoneChat/ReceivedBookings",
    ("phonechat", "made"): "/v1/PhoneChat/MadeBookings",
}
DETAIL_PATHS = {
    ("webcam", "received"): "/v1/Webcam/ReceivedBookingDetails",
    ("webcam", "made"): "/v1/Webcam/MadeBookingDetails",
    ("phonechat", "received"): "/v1/PhoneChat/ReceivedBookingDetails",
    ("phonechat", "made"): "/v1/PhoneChat/MadeBookingDetails",
}
ARRAY = {"webcam": "WebcamBookings", "phonechat": "Bookings"}
ID_FIELD = {"webcam": "WebcamBookingID", "phonechat": "BookingID"}


class Api:
    """Calls to the API as one signed-in user (or none)."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.base_url + path, params=params, headers=self.headers(), timeout=5)

    def post(self, path: str, body: Any) -> requests.Response:
        return requests.post(self.base_url + path, json=body, headers=self.headers(), timeout=5)

    def bookings(self, service: str, direction: str, **params: Any) -> list[dict[str, Any]]:
        """Every booking on one side, walking all pages."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.get(
                LIST_PATHS[(service, direction)], BookingsPerPage=100, PageNumber=page, **params
            )
            assert answer.status_code == 200, answer.text
            envelope = answer.json()
            found += envelope[ARRAY[service]]
            if page >= envelope["PageCount"]:
                return found
            page += 1

    def find(
        self, service: str, direction: str, test: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The first booking on one side that passes `test`."""
        for booking in self.bookings(service, direction):
            if test(booking):
                return booking
        raise LookupError(f"no {direction} {service} booking passes the test")


def local(text: str | None) -> datetime | None:
    """An API time (naive, London) as a naive datetime comparable with LOCAL_NOW."""
    return None if text is None else datetime.fromisoformat(text)


def booking_id(booking: dict[str, Any]) -> int:
    return booking.get("WebcamBookingID", booking.get("BookingID"))


@pytest.fixture(scope="session")
def server() -> Iterator[SandboxServer]:
    server = SandboxServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def control(server: SandboxServer) -> SandboxControl:
    control = SandboxControl(server.url)
    control.reset(now=NOW)
    return control


@pytest.fixture
def as_user(server: SandboxServer, control: SandboxControl) -> Callable[..., Api]:
    def sign_in(user_id: int, scope: str = ALL_SCOPES) -> Api:
        return Api(server.url, control.issue_token(user_id=user_id, scope=scope)["access_token"])

    return sign_in


@pytest.fixture
def scarlett(as_user: Callable[..., Api]) -> Api:
    return as_user(SCARLETT)
