"""What may be done to a booking, and when: the prerequisites of API-NOTES.md's action table.

Pure functions, free of the HTTP layer, so a property test can hold them against the dashboard's
own rules. Each answers None when the action is allowed, else the sentence the API sends back.
Comparisons are strict, as the reference words them: "in the future" is `> now`, "not past" is
`>= now`, "not in the future" (and "passed") is `<= now` / `< now` as noted per rule.

`balance` is the client's credit balance; None means unknown and is treated as enough, which is
the dashboard's position (it cannot read balances).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sandbox.models import Direction, Service, Status

FINISHED = frozenset({Status.REJECTED, Status.CONFIRMED, Status.CANCELLED})


class BookingFacts(Protocol):
    """The fields the rules read; the sandbox's Booking has them, an adapter can supply them."""

    @property
    def status(self) -> str: ...
    @property
    def session_date(self) -> datetime: ...
    @property
    def accept_by(self) -> datetime: ...
    @property
    def credits(self) -> Decimal: ...


type Rule = Callable[..., str | None]


def _not_status(booking: BookingFacts, wanted: Status, verb: str) -> str | None:
    if booking.status != wanted:
        return (
            f"Only a {wanted.lower()} booking can be {verb}; this booking is "
            f"{str(booking.status).lower()}."
        )
    return None


def _short_of_credits(booking: BookingFacts, balance: Decimal | None) -> str | None:
    if balance is not None and balance < booking.credits:
        return (
            f"The client does not have enough credits for this booking "
            f"({_credits_text(booking.credits)} needed)."
        )
    return None


def _credits_text(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def may_accept(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Pending, AcceptBy in the future, SessionDate in the future."""
    if refusal := _not_status(booking, Status.PENDING, "accepted"):
        return refusal
    if not booking.accept_by > now:
        return "The time to accept this booking has run out."
    if not booking.session_date > now:
        return "The session time of this booking has passed."
    return None


def may_reject(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Pending (any time)."""
    return _not_status(booking, Status.PENDING, "rejected")


def may_cancel_received(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Accepted, SessionDate not past."""
    if refusal := _not_status(booking, Status.ACCEPTED, "cancelled by the performer"):
        return refusal
    if not booking.session_date >= now:
        return "The session time of this booking has passed, so it can no longer be cancelled."
    return None


def may_confirm(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Accepted, SessionDate in the future, the client has the credits."""
    if refusal := _not_status(booking, Status.ACCEPTED, "confirmed"):
        return refusal
    if not booking.session_date > now:
        return "The session time of this booking has passed, so it can no longer be confirmed."
    return _short_of_credits(booking, balance)


def may_cancel_made(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Not Cancelled or Rejected; a Confirmed one only while its SessionDate is not past."""
    if booking.status in (Status.CANCELLED, Status.REJECTED):
        return f"This booking is already {str(booking.status).lower()}."
    if booking.status == Status.CONFIRMED and not booking.session_date >= now:
        return "This booking was confirmed and its session time has passed, so it stands."
    return None


def may_reschedule_webcam(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """No prerequisite is documented: any made booking can seed a new one."""
    return None


def may_reschedule_phonechat(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """SessionDate passed (`< now`) and the client has the credits."""
    if not booking.session_date < now:
        return "Only a booking whose session time has passed can be rescheduled."
    return _short_of_credits(booking, balance)


def may_reinvite(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Pending and SessionDate not in the future (`<= now`): an expired request."""
    if refusal := _not_status(booking, Status.PENDING, "re-invited"):
        return refusal
    if not booking.session_date <= now:
        return "Only an expired request can be re-invited; this session is still to come."
    return None


def may_delete(
    booking: BookingFacts, now: datetime, *, balance: Decimal | None = None
) -> str | None:
    """Rejected, Confirmed or Cancelled."""
    if booking.status not in FINISHED:
        return (
            "Only rejected, confirmed or cancelled bookings can be deleted; this booking is "
            f"{str(booking.status).lower()}."
        )
    return None


# (service, direction, action) -> rule, named with the project's action words. PhoneChat reject,
# cancel (received) and confirm are not documented; the sandbox assumes they follow webcam's.
ACTION_RULES: dict[tuple[Service, Direction, str], Rule] = {
    (Service.WEBCAM, Direction.RECEIVED, "accept"): may_accept,
    (Service.WEBCAM, Direction.RECEIVED, "reject"): may_reject,
    (Service.WEBCAM, Direction.RECEIVED, "cancel"): may_cancel_received,
    (Service.WEBCAM, Direction.RECEIVED, "delete"): may_delete,
    (Service.WEBCAM, Direction.MADE, "confirm"): may_confirm,
    (Service.WEBCAM, Direction.MADE, "cancel"): may_cancel_made,
    (Service.WEBCAM, Direction.MADE, "reschedule"): may_reschedule_webcam,
    (Service.WEBCAM, Direction.MADE, "delete"): may_delete,
    (Service.PHONECHAT, Direction.RECEIVED, "accept"): may_accept,
    (Service.PHONECHAT, Direction.RECEIVED, "reject"): may_reject,
    (Service.PHONECHAT, Direction.RECEIVED, "cancel"): may_cancel_received,
    (Service.PHONECHAT, Direction.RECEIVED, "reinvite"): may_reinvite,
    (Service.PHONECHAT, Direction.RECEIVED, "delete"): may_delete,
    (Service.PHONECHAT, Direction.MADE, "confirm"): may_confirm,
    (Service.PHONECHAT, Direction.MADE, "cancel"): may_cancel_made,
    (Service.PHONECHAT, Direction.MADE, "reschedule"): may_reschedule_phonechat,
    (Service.PHONECHAT, Direction.MADE, "delete"): may_delete,
}
