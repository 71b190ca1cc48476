"""Bookings as the API writes them (JSON field names and order of the seeds), and as XML.

A booking is one record seen from two sides: the performer's received view carries the `Client`,
the client's made view the `Performer` (webcam) or `Candidate` (PhoneChat).
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape  # nosec B406  # escapes output, parses nothing
from zoneinfo import ZoneInfo

from sandbox.clock import format_datetime, format_for_people
from sandbox.models import Booking, Direction, Service, Status, User

DATACONTRACT = "http://schemas.datacontract.org/2004/07/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE_NAMESPACE = DATACONTRACT + "API.Models.Profile"
FEEDBACK_FIELDS = ("Total", "Positive", "Neutral", "Negative", "Ratings", "Disputes")

# (service, direction) -> (name of the array in list envelopes, XML element, XML namespace)
SHAPES: dict[tuple[Service, Direction], tuple[str, str, str]] = {
    (Service.WEBCAM, Direction.RECEIVED): (
        "WebcamBookings",
        "WebcamBooking",
        DATACONTRACT + "API.Models.Webcam.Received",
    ),
    (Service.WEBCAM, Direction.MADE): (
        "WebcamBookings",
        "WebcamBooking",
        DATACONTRACT + "API.Models.Webcam.Made",
    ),
    (Service.PHONECHAT, Direction.RECEIVED): (
        "Bookings",
        "ReceivedBooking",
        DATACONTRACT + "API.Models.PhoneChat.Bookings.Received",
    ),
    (Service.PHONECHAT, Direction.MADE): (
        "Bookings",
        "MadeBooking",
        DATACONTRACT + "API.Models.PhoneChat.Bookings.Made",
    ),
}


class View:
    """Renders bookings for one moment and zone; `users` resolves the other party."""

    def __init__(self, users: Mapping[int, User], now: datetime, zone: ZoneInfo) -> None:
        self.users = users
        self.now = now
        self.zone = zone

    def booking(self, booking: Booking, direction: Direction) -> dict[str, Any]:
        if booking.service is Service.WEBCAM:
            return self._webcam(booking, direction)
        return self._phonechat(booking, direction)

    def _dates(self, booking: Booking) -> dict[str, Any]:
        when = self._when
        return {
            "CreateDate": when(booking.create_date),
            "SessionDate": when(booking.session_date),
            "AcceptBy": when(booking.accept_by),
            "AcceptedDate": when(booking.accepted_date),
            "ConfirmedDate": when(booking.confirmed_date),
            "CancelledDate": when(booking.cancelled_date),
            "CancelledReason": booking.cancelled_reason,
            "CancelledBy": booking.cancelled_by,
            "RejectedReason": booking.rejected_reason,
            "LastUpdated": when(booking.last_updated),
        }

    def _when(self, moment: datetime | None) -> str | None:
        return format_datetime(moment, self.zone)

    def _webcam(self, booking: Booking, direction: Direction) -> dict[str, Any]:
        view: dict[str, Any] = {
            "WebcamBookingID": booking.booking_id,
            "Duration": booking.duration,
            "Credits": booking.credits,
            "Status": str(booking.status),
            "IsMulitple": booking.is_multiple,
            "SoftwareTypeID": booking.software_type_id,
            "SignInNameOrEmail": booking.sign_in_name_or_email,
            "AlsoPhoneChat": booking.also_phone_chat,
            **self._dates(booking),
        }
        if direction is Direction.RECEIVED:
            view["Client"] = self._webcam_party(self.users[booking.client_id])
        else:
            view["Performer"] = self._webcam_party(self.users[booking.performer_id])
        return view

    def _phonechat(self, booking: Booking, direction: Direction) -> dict[str, Any]:
        view: dict[str, Any] = {
            "BookingID": booking.booking_id,
            "Duration": booking.duration,
            "Credits": booking.credits,
            "Status": str(booking.status),
            "Method": booking.method,
            "PhoneNumber": booking.phone_number,
            "SkypeName": booking.skype_name,
            **self._dates(booking),
            "Comments": booking.comments,
        }
        client = self.users[booking.client_id]
        performer = self.users[booking.performer_id]
        if direction is Direction.RECEIVED:
            view["ActionCandidate"] = performer_next_step(
                booking, client.nickname, self.now, self.zone
            )
            view["Client"] = self._phonechat_party(client)
        else:
            view["ActionClient"] = client_next_step(
                booking, performer.nickname, self.now, self.zone
            )
            view["Candidate"] = self._phonechat_party(performer)
        return view

    @staticmethod
    def _webcam_party(user: User) -> dict[str, Any]:
        return {
            "UserID": user.user_id,
            "Nickname": user.nickname,
            "LastAccessedFrom": user.last_accessed_from,
            "SignInNameOrEmail": user.sign_in_name_or_email,
            "PhoneNumber": user.phone_number,
            **_feedback(user),
        }

    @staticmethod
    def _phonechat_party(user: User) -> dict[str, Any]:
        return {
            "UserID": user.user_id,
            "Nickname": user.nickname,
            "PhoneNumber": user.phone_number,
            "SkypeName": user.skype_name,
            **_feedback(user),
        }


def _feedback(user: User) -> dict[str, int]:
    counts = user.feedback
    return {
        "Total": counts.total,
        "Positive": counts.positive,
        "Neutral": counts.neutral,
        "Negative": counts.negative,
        "Ratings": counts.ratings,
        "Disputes": counts.disputes,
    }


def performer_next_step(
    booking: Booking, client_nickname: str, now: datetime, zone: ZoneInfo
) -> str | None:
    """`ActionCandidate`: what the performer must do now, None when nothing."""
    at = format_for_people(booking.session_date, zone)
    match booking.status:
        case Status.PENDING if booking.accept_by > now and booking.session_date > now:
            return f"Accept or reject by {format_for_people(booking.accept_by, zone)}"
        case Status.PENDING if booking.session_date <= now:
            return f"Request expired: re-invite {client_nickname}"
        case Status.ACCEPTED if booking.session_date > now:
            return f"{client_nickname} Needs to Confirm"
        case Status.CONFIRMED if booking.session_date > now:
            if booking.method == 1:
                return f"Call {client_nickname} at {at}"
            if booking.method == 2:
                return f"{client_nickname} will call you at {at}"
            return f"Skype {client_nickname} at {at}"
    return None


def client_next_step(
    booking: Booking, performer_nickname: str, now: datetime, zone: ZoneInfo
) -> str | None:
    """`ActionClient`: what the client must do now, None when nothing."""
    at = format_for_people(booking.session_date, zone)
    match booking.status:
        case Status.ACCEPTED if booking.session_date > now:
            offered = booking.offered_credits
            if offered is not None and offered != booking.credits:
                return (
                    f"Confirm the booking: {performer_nickname} asks {_amount(booking.credits)} "
                    f"credits instead of the {_amount(offered)} you offered"
                )
            return "Confirm the booking"
        case Status.PENDING | Status.ACCEPTED if booking.session_date < now:
            return "Reschedule the booking"
        case Status.CONFIRMED if booking.session_date > now:
            if booking.method == 1:
                return f"{performer_nickname} will call you at {at}"
            if booking.method == 2:
                return f"Call {performer_nickname} at {at}"
            return f"Skype {performer_nickname} at {at}"
    return None


def _amount(credits: Decimal) -> str:
    return f"{credits.normalize():f}"


def to_xml(payload: Any, root: str, namespace: str, item: str | None = None) -> str:
    """The data contract serializer's style: members in name order, `i:nil` for nulls."""
    if isinstance(payload, list):
        inner = "".join(_xml_element(item or "Item", value, item) for value in payload)
    elif isinstance(payload, dict):
        inner = "".join(_xml_element(key, payload[key], item) for key in sorted(payload))
    else:
        inner = _xml_value(payload)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<{root} xmlns:i="{XSI}" xmlns="{namespace}">{inner}</{root}>'
    )


def _xml_element(name: str, value: Any, item: str | None) -> str:
    attributes = f' xmlns="{PROFILE_NAMESPACE}"' if name in FEEDBACK_FIELDS else ""
    if value is None:
        return f'<{name}{attributes} i:nil="true" />'
    if isinstance(value, dict):
        inner = "".join(_xml_element(key, value[key], item) for key in sorted(value))
    elif isinstance(value, list):
        inner = "".join(_xml_element(item or "Item", entry, item) for entry in value)
    else:
        inner = _xml_value(value)
    return f"<{name}{attributes}>{inner}</{name}>"


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.4f}"
    return escape(str(value))
