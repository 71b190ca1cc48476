"""The typed records the gateway hands out: snake_case, Decimal credits, aware datetimes."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

Service = Literal["webcam", "phonechat"]
Direction = Literal["received", "made"]


@dataclass(frozen=True, slots=True)
class Party:
    """The other side of a booking: the remote's Client, Performer or Candidate."""

    user_id: int
    nickname: str
    last_accessed_from: str | None
    sign_in_name_or_email: str | None
    phone_number: str | None
    skype_name: str | None
    feedback_total: int
    feedback_positive: int
    feedback_neutral: int
    feedback_negative: int
    ratings: int
    disputes: int


@dataclass(frozen=True, slots=True)
class Booking:
    service: Service
    direction: Direction
    remote_id: int
    status: str  # Pending | Accepted | Rejected | Confirmed | Cancelled, kept open for new values
    duration_minutes: int
    credits: Decimal
    created_at: datetime | None
    session_at: datetime | None
    accept_by: datetime | None
    accepted_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    last_updated: datetime | None
    cancelled_reason: str | None
    cancelled_by: str | None
    rejected_reason: str | None
    # Webcam only.
    is_multiple: bool | None
    software_type: int | None
    sign_in_name_or_email: str | None
    also_phonechat: bool | None
    # PhoneChat only.
    method: int | None
    phone_number: str | None
    skype_name: str | None
    comments: str | None
    action_needed: str | None  # the remote's ActionCandidate (received) or ActionClient (made)
    other_party: Party | None
    # The booking object as received; non-integer numbers in it are Decimal, so a JSON column
    # storing it needs a Decimal-aware encoder (Django's DjangoJSONEncoder).
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class BookingPage:
    bookings: list[Booking]
    page_number: int
    page_count: int


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: int
    nickname: str | None
    group_id: int | None
    group_name: str | None
    is_group_manager: bool


@dataclass(frozen=True, slots=True)
class TokenSet:
    # repr=False: a TokenSet ends up in logs and tracebacks, the tokens must not.
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    token_type: str
    expires_in: int
    scope: str | None


@dataclass(frozen=True, slots=True)
class DeleteResult:
    booking_id: int
    deleted: bool
    message: str | None
