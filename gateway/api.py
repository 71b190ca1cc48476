"""AdultWorkApi: the REST API, as one user's access token sees it."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from . import parsing
from .records import Booking, BookingPage, DeleteResult, Direction, Identity, Service
from .transport import Deadline, Secret, SessionOwner, new_session, read_answer, send

_SECTION: dict[Service, str] = {"webcam": "Webcam", "phonechat": "PhoneChat"}
_SIDE: dict[Direction, str] = {"received": "Received", "made": "Made"}

# The /v1/Groups/... twins the documentation lists; a group manager has no other (API-NOTES.md).
_GROUP_TWINS = frozenset(
    {
        "/v1/Webcam/MadeBookings",
        "/v1/PhoneChat/MadeBookings",
        "/v1/Webcam/MadeBookingDetails",
        "/v1/Webcam/ReceivedBookingDetails",
        "/v1/PhoneChat/MadeBookingDetails",
    }
)

_CANCEL_PATHS: dict[tuple[Service, Direction], str] = {
    ("webcam", "received"): "/v1/Webcam/CancelReceivedBooking",
    ("webcam", "made"): "/v1/Webcam/CancelMadeBooking",
    ("phonechat", "made"): "/v1/PhoneChat/CancelMadeBooking",
}

_DELETE_PATHS: dict[tuple[Service, Direction], str] = {
    ("webcam", "received"): "/v1/Webcam/DeleteReceivedBookings",
    ("webcam", "made"): "/v1/Webcam/DeleteMadeBookings",
    ("phonechat", "received"): "/v1/PhoneChat/DeleteReceivedBooking",  # singular, as documented
    ("phonechat", "made"): "/v1/PhoneChat/DeleteMadeBookings",
}

_MAX_PER_PAGE = 100


class AdultWorkApi(SessionOwner):
    """One connection to the AdultWork API: one session, one access token.

    Not thread-safe (neither is requests.Session): give each thread or task its own.
    """

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str,
        time_zone: str = "Europe/London",
        timeout: float = 10.0,
        retries: int = 2,
        user_agent: str = "aw-bookings",
        deadline: Deadline | None = None,
    ) -> None:
        """`deadline`: every call ends by then, and a GET is not tried again (one try within
        what is left is all a web request can wait for)."""
        access_token = Secret(access_token)  # rebound: no frame of ours holds it plain
        self._base_url = base_url.rstrip("/")
        self._access_token = access_token
        self._tz = ZoneInfo(time_zone)
        self._deadline = deadline
        self._session = new_session(
            timeout=timeout,
            retries=retries if deadline is None else 0,
            user_agent=user_agent,
            # A Secret in the session's headers stays one in requests' and urllib3's frames.
            headers={"Authorization": Secret(f"bearer {access_token}")},
        )

    def __repr__(self) -> str:
        return f"<AdultWorkApi {self._base_url}>"

    # --- reads --------------------------------------------------------------------------------

    def verify_credentials(self) -> Identity:
        return self._get("/v1/account/verifyCredentials", {}, parsing.parse_identity)

    def list_bookings(
        self,
        *,
        service: Service,
        direction: Direction,
        page: int = 1,
        per_page: int = 100,
        start_date: date | None = None,
        order_by: str | None = None,
        member_id: int | None = None,
    ) -> BookingPage:
        """One page of bookings; ``member_id`` reads a group member's as their group manager."""
        if page < 1:
            raise ValueError("page numbers start at 1")
        if not 1 <= per_page <= _MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {_MAX_PER_PAGE}")
        path, params = _as_member(_path(service, f"{_SIDE[direction]}Bookings"), member_id)
        params |= {"BookingsPerPage": per_page, "PageNumber": page}
        if start_date is not None:
            params["StartDate"] = parsing.format_date(start_date)
        if order_by is not None:
            params["OrderBy"] = order_by
        return self._get(path, params, self._page_parser(direction))

    def booking_details(
        self,
        *,
        service: Service,
        direction: Direction,
        booking_id: int,
        member_id: int | None = None,
    ) -> Booking:
        path, params = _as_member(_path(service, f"{_SIDE[direction]}BookingDetails"), member_id)
        params["BookingID"] = booking_id
        return self._get(path, params, self._booking_parser(direction))

    # --- actions: each answers the whole updated booking ---------------------------------------

    def accept(self, *, service: Service, booking_id: int, credits: Decimal) -> Booking:
        _check_credits(credits)
        fields = {"BookingID": booking_id, "Credits": credits}
        return self._act(_path(service, "AcceptReceivedBooking"), "received", fields)

    def reject(self, *, booking_id: int, reason: str) -> Booking:
        fields = {"BookingID": booking_id, "Reason": reason}
        return self._act("/v1/Webcam/RejectReceivedBooking", "received", fields)

    def cancel(
        self, *, service: Service, direction: Direction, booking_id: int, reason: str
    ) -> Booking:
        path = _CANCEL_PATHS.get((service, direction))
        if path is None:
            raise ValueError(
                f"AdultWork documents no way to cancel a {direction} {service} booking"
            )
        return self._act(path, direction, {"BookingID": booking_id, "Reason": reason})

    def confirm(self, *, booking_id: int) -> Booking:
        return self._act("/v1/Webcam/ConfirmMadeBooking", "made", {"BookingID": booking_id})

    def reschedule(self, *, service: Service, booking_id: int) -> Booking:
        """Book again with the same settings; answers the NEW booking, five minutes ahead."""
        return self._act(_path(service, "RescheduleMadeBooking"), "made", {"BookingID": booking_id})

    def reinvite(self, *, booking_id: int, reason: str | None = None) -> Booking:
        fields: dict[str, object] = {"BookingID": booking_id}
        if reason is not None:
            # Left out, not null: without it AdultWork writes its own default reason.
            fields["Reason"] = reason
        return self._act("/v1/PhoneChat/ReInvite", "received", fields)

    def delete(
        self, *, service: Service, direction: Direction, booking_ids: Sequence[int]
    ) -> list[DeleteResult]:
        if not booking_ids:
            return []
        fields = {"BookingIDs": ",".join(str(int(booking_id)) for booking_id in booking_ids)}
        return self._post(_DELETE_PATHS[(service, direction)], fields, parsing.parse_delete_results)

    # --- plumbing -----------------------------------------------------------------------------

    def _act(self, path: str, direction: Direction, fields: dict[str, object]) -> Booking:
        return self._post(path, fields, self._booking_parser(direction))

    def _get[T](self, path: str, params: dict[str, Any], parse: Callable[[Any], T]) -> T:
        response = send(
            self._session,
            "GET",
            self._base_url + path,
            params=params,
            redact=self._redact,
            deadline=self._deadline,
        )
        return read_answer(response, parse)

    def _post[T](self, path: str, fields: Mapping[str, object], parse: Callable[[Any], T]) -> T:
        response = send(
            self._session,
            "POST",
            self._base_url + path,
            data=parsing.encode_body(fields),
            headers={"Content-Type": "application/json; charset=utf-8"},
            redact=self._redact,
            deadline=self._deadline,
        )
        return read_answer(response, parse)

    @property
    def _redact(self) -> tuple[str]:
        return (self._access_token,)

    def _booking_parser(self, direction: Direction) -> Callable[[Any], Booking]:
        return lambda data: parsing.parse_booking(data, direction=direction, tz=self._tz)

    def _page_parser(self, direction: Direction) -> Callable[[Any], BookingPage]:
        return lambda data: parsing.parse_booking_page(data, direction=direction, tz=self._tz)


def _path(service: Service, operation: str) -> str:
    return f"/v1/{_SECTION[service]}/{operation}"


def _as_member(path: str, member_id: int | None) -> tuple[str, dict[str, Any]]:
    """The path and parameters to read ``path`` as the group manager of ``member_id``."""
    if member_id is None:
        return path, {}
    if path not in _GROUP_TWINS:
        raise ValueError(f"AdultWork documents no group manager's version of {path}")
    return "/v1/Groups" + path.removeprefix("/v1"), {"UserID": member_id}


def _check_credits(credits: Decimal) -> None:
    # A float would carry binary noise (8.1 is 8.0999...) into what the client is charged.
    if not isinstance(credits, Decimal):
        raise TypeError(f"credits must be a Decimal, not {type(credits).__name__}")
    if not credits.is_finite() or credits < 0:
        raise ValueError("credits must be a finite amount, not negative")
