"""What may be done to a booking, and when: the documented prerequisites, as pure functions;
when a request has expired (`is_expired`); and what a viewer may see of a client's contact
details (`contact_for`).

The buttons shown, the check before each remote call and the sandbox all follow these rules; a
property test holds them against the sandbox's own. Comparisons follow the reference's words:
"in the future" is `> now`, "not past" is `>= now`, "not in the future" is `<= now`, and a
session that has "passed" is `< now`.

What the dashboard cannot know locally (whether a client has the credits, whether the performer
is online) is left for AdultWork to refuse.
"""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.db.models import Q

from bookings.models import FINISHED_STATUSES, Direction, Service, Status


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    RESCHEDULE = "reschedule"
    REINVITE = "reinvite"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]

    @property
    def submit_label(self) -> str:
        return SUBMIT_LABELS[self]


ACTION_LABELS = {
    Action.ACCEPT: "Accept",
    Action.REJECT: "Reject",
    Action.CANCEL: "Cancel",
    Action.CONFIRM: "Confirm",
    Action.RESCHEDULE: "Reschedule",
    Action.REINVITE: "Re-invite",
    Action.DELETE: "Delete",
}
# The words on the button that sends an action, where they say more than its label.
SUBMIT_LABELS = ACTION_LABELS | {
    Action.CANCEL: "Cancel booking",
    Action.RESCHEDULE: "Make new booking",
}
PAST_TENSE = {
    Action.ACCEPT: "accepted",
    Action.REJECT: "rejected",
    Action.CANCEL: "cancelled",
    Action.CONFIRM: "confirmed",
    Action.RESCHEDULE: "rescheduled",
    Action.REINVITE: "re-invited",
    Action.DELETE: "deleted",
}

PENDING, ACCEPTED, REJECTED, CONFIRMED, CANCELLED = (
    Status.PENDING,
    Status.ACCEPTED,
    Status.REJECTED,
    Status.CONFIRMED,
    Status.CANCELLED,
)


class BookingFacts(Protocol):
    """What the rules read of a booking; the local Booking model has these fields."""

    service: str
    direction: str
    status: str
    session_at: datetime | None
    accept_by: datetime | None


# --- Expiry: when a request can no longer be answered ----------------------------------------


def is_request(booking: BookingFacts) -> bool:
    """A received booking still Pending: a request to accept or reject."""
    return booking.direction == Direction.RECEIVED and booking.status == Status.PENDING


def answer_deadline(booking: BookingFacts) -> datetime | None:
    """When a request stops being one to accept: its accept-by, or its session if sooner.
    None when AdultWork gave neither."""
    moments = [m for m in (booking.accept_by, booking.session_at) if m is not None]
    return min(moments, default=None)


def is_expired(booking: BookingFacts, now: datetime) -> bool:
    """A request whose accept-by or session time has come: the inbox moves it to "Expired".
    A request with neither time set never expires here (AdultWork decides)."""
    deadline = answer_deadline(booking)
    return is_request(booking) and deadline is not None and deadline <= now


def expired_requests(now: datetime) -> Q:
    """`is_expired` as a database filter."""
    lapsed = Q(accept_by__lte=now) | Q(session_at__lte=now)
    return Q(direction=Direction.RECEIVED, status=Status.PENDING) & lapsed


def open_requests(now: datetime) -> Q:
    """Requests that are not `is_expired`, as a database filter. Written in the positive form:
    its accept_by test is answered from the inbox index, where a NOT (...) makes SQLite read
    every pending row (PostgreSQL rewrites it itself)."""
    still_open = Q(accept_by__gt=now) | Q(accept_by__isnull=True)
    return (
        Q(direction=Direction.RECEIVED, status=Status.PENDING)
        & still_open
        & ~Q(session_at__lte=now)
    )


# --- Contact details: what a viewer may see -------------------------------------------------


class ContactFacts(Protocol):
    service: str
    method: int | None
    method_text: str
    phone_number: str
    skype_name: str


def mask(value: str) -> str:
    """Enough to recognise, not enough to use: the last two characters."""
    if not value:
        return ""
    return "•" * max(len(value) - 2, 4) + value[-2:]


def contact_for(booking: ContactFacts, *, can_act: bool) -> str:
    """How a PhoneChat session is held, as the user may see it: the method in words, then the
    phone number and Skype name, whole for those who may act for the account (its owner, and
    staff granted the operator or admin role) and masked for viewers. Empty when there is none."""
    if booking.service != Service.PHONECHAT or not booking.method:
        return ""
    shown = str if can_act else mask
    details = [shown(v) for v in (booking.phone_number, booking.skype_name) if v]
    return " · ".join([booking.method_text, *details])


# --- Actions --------------------------------------------------------------------------------

type Rule = Callable[[BookingFacts, datetime], str | None]


def _status_must_be(booking: BookingFacts, wanted: str, verb: str) -> str | None:
    if booking.status != wanted:
        return (
            f"Only a {wanted.lower()} booking can be {verb}; this one is {booking.status.lower()}."
        )
    return None


def _in_future(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


def _not_past(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment >= now


def accept(booking: BookingFacts, now: datetime) -> str | None:
    if refusal := _status_must_be(booking, PENDING, "accepted"):
        return refusal
    if not _in_future(booking.accept_by, now):
        return "The time to accept this booking has run out."
    if not _in_future(booking.session_at, now):
        return "The session time of this booking has passed."
    return None


def reject(booking: BookingFacts, now: datetime) -> str | None:
    return _status_must_be(booking, PENDING, "rejected")


def cancel_received(booking: BookingFacts, now: datetime) -> str | None:
    if refusal := _status_must_be(booking, ACCEPTED, "cancelled"):
        return refusal
    if not _not_past(booking.session_at, now):
        return "The session time has passed, so this booking can no longer be cancelled."
    return None


def confirm(booking: BookingFacts, now: datetime) -> str | None:
    if refusal := _status_must_be(booking, ACCEPTED, "confirmed"):
        return refusal
    if not _in_future(booking.session_at, now):
        return "The session time has passed, so this booking can no longer be confirmed."
    return None


def cancel_made(booking: BookingFacts, now: datetime) -> str | None:
    if booking.status in (CANCELLED, REJECTED):
        return f"This booking is already {booking.status.lower()}."
    if booking.status == CONFIRMED and not _not_past(booking.session_at, now):
        return "This booking was confirmed and its session time has passed, so it stands."
    return None


def reschedule_webcam(booking: BookingFacts, now: datetime) -> str | None:
    # No prerequisite is documented: any made webcam booking can seed a new one.
    return None


def reschedule_phonechat(booking: BookingFacts, now: datetime) -> str | None:
    if booking.session_at is None or not booking.session_at < now:
        return "Only a booking whose session time has passed can be rescheduled."
    return None


def reinvite(booking: BookingFacts, now: datetime) -> str | None:
    if refusal := _status_must_be(booking, PENDING, "re-invited"):
        return refusal
    if booking.session_at is None or not booking.session_at <= now:
        return "Only an expired request can be re-invited; this session is still to come."
    return None


def delete(booking: BookingFacts, now: datetime) -> str | None:
    if booking.status not in FINISHED_STATUSES:
        return (
            "Only rejected, confirmed or cancelled bookings can be deleted; this one is "
            f"{booking.status.lower()}."
        )
    return None


# (service, direction) -> the actions the API offers there, in the order buttons appear.
RULES: dict[tuple[str, str], dict[Action, Rule]] = {
    ("webcam", "received"): {
        Action.ACCEPT: accept,
        Action.REJECT: reject,
        Action.CANCEL: cancel_received,
        Action.DELETE: delete,
    },
    ("webcam", "made"): {
        Action.CONFIRM: confirm,
        Action.RESCHEDULE: reschedule_webcam,
        Action.CANCEL: cancel_made,
        Action.DELETE: delete,
    },
    ("phonechat", "received"): {
        Action.ACCEPT: accept,
        Action.REINVITE: reinvite,
        Action.DELETE: delete,
    },
    ("phonechat", "made"): {
        Action.RESCHEDULE: reschedule_phonechat,
        Action.CANCEL: cancel_made,
        Action.DELETE: delete,
    },
}


def refusal(action: Action | str, booking: BookingFacts, now: datetime) -> str | None:
    """None when the action may be done now, else the reason it may not, for the user."""
    rule = RULES[(booking.service, booking.direction)].get(Action(action))
    if rule is None:
        return f"{Action(action).label} is not something AdultWork offers on this booking."
    return rule(booking, now)


def allowed_actions(booking: BookingFacts, now: datetime) -> list[Action]:
    return [
        action
        for action, rule in RULES[(booking.service, booking.direction)].items()
        if rule(booking, now) is None
    ]
