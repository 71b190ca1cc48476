"""The records of the sandbox's world: users, bookings, OAuth clients, codes and tokens.

Attributes are snake_case Python; the PascalCase names the remote uses live in `render` (output)
and in `PATCHABLE_FIELDS` (input of the control API), so each name is spelled in one place.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    CONFIRMED = "Confirmed"
    CANCELLED = "Cancelled"


class Service(StrEnum):
    WEBCAM = "webcam"
    PHONECHAT = "phonechat"


class Direction(StrEnum):
    RECEIVED = "received"
    MADE = "made"


class Role(StrEnum):
    PERFORMER = "performer"
    CLIENT = "client"
    MANAGER = "manager"


SCOPE_WEBCAM = "account_webcam_bookings"
SCOPE_PHONECHAT = "account_phonechat_bookings"
SCOPE_INFORMATION = "account_information"
ALL_SCOPES = (SCOPE_WEBCAM, SCOPE_PHONECHAT, SCOPE_INFORMATION)
SERVICE_SCOPES = {Service.WEBCAM: SCOPE_WEBCAM, Service.PHONECHAT: SCOPE_PHONECHAT}


@dataclass(slots=True)
class Feedback:
    total: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    ratings: int = 0
    disputes: int = 0


@dataclass(slots=True)
class User:
    user_id: int
    nickname: str
    password: str
    role: Role
    balance: Decimal
    group_id: int | None = None
    group_name: str | None = None
    is_group_manager: bool = False
    last_accessed_from: str | None = None
    sign_in_name_or_email: str | None = None
    phone_number: str | None = None
    skype_name: str | None = None
    feedback: Feedback = field(default_factory=Feedback)


@dataclass(slots=True)
class Booking:
    """One booking, seen as received by `performer_id` and as made by `client_id`."""

    service: Service
    booking_id: int
    client_id: int
    performer_id: int
    duration: int
    credits: Decimal
    status: Status
    create_date: datetime
    session_date: datetime
    accept_by: datetime
    # What the client first offered: an accept at another price makes the client's next step
    # say so, as the API reference promises a warning.
    offered_credits: Decimal | None = None
    accepted_date: datetime | None = None
    confirmed_date: datetime | None = None
    cancelled_date: datetime | None = None
    cancelled_reason: str | None = None
    cancelled_by: str | None = None
    rejected_reason: str | None = None
    last_updated: datetime | None = None
    # Webcam only.
    is_multiple: bool = False
    software_type_id: int = 3
    sign_in_name_or_email: str | None = None
    also_phone_chat: bool = False
    # PhoneChat only.
    method: int = 1
    phone_number: str | None = None
    skype_name: str | None = None
    comments: str | None = None
    # Deleting hides a booking from one side only.
    hidden_from_client: bool = False
    hidden_from_performer: bool = False

    def hidden_from(self, direction: Direction) -> bool:
        if direction is Direction.RECEIVED:
            return self.hidden_from_performer
        return self.hidden_from_client

    def owner_id(self, direction: Direction) -> int:
        return self.performer_id if direction is Direction.RECEIVED else self.client_id


@dataclass(slots=True)
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    user_id: int
    scopes: tuple[str, ...]
    expires_at: datetime
    code_challenge: str | None = None
    used: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    user_id: int
    scopes: tuple[str, ...]
    client_id: str
    expires_at: datetime


@dataclass(slots=True)
class RefreshToken:
    token: str
    user_id: int
    scopes: tuple[str, ...]
    client_id: str
    expires_at: datetime
    # Rotation: a refresh token works once; the one it was exchanged for replaces it.
    used: bool = False


# PascalCase name -> (attribute, kind), for changes made through the control API.
PATCHABLE_FIELDS: dict[str, tuple[str, str]] = {
    "Duration": ("duration", "int"),
    "Credits": ("credits", "decimal"),
    "Status": ("status", "status"),
    "CreateDate": ("create_date", "datetime"),
    "SessionDate": ("session_date", "datetime"),
    "AcceptBy": ("accept_by", "datetime"),
    "AcceptedDate": ("accepted_date", "datetime?"),
    "ConfirmedDate": ("confirmed_date", "datetime?"),
    "CancelledDate": ("cancelled_date", "datetime?"),
    "CancelledReason": ("cancelled_reason", "str?"),
    "CancelledBy": ("cancelled_by", "str?"),
    "RejectedReason": ("rejected_reason", "str?"),
    "LastUpdated": ("last_updated", "datetime?"),
    "IsMulitple": ("is_multiple", "bool"),
    "SoftwareTypeID": ("software_type_id", "int"),
    "SignInNameOrEmail": ("sign_in_name_or_email", "str?"),
    "AlsoPhoneChat": ("also_phone_chat", "bool"),
    "Method": ("method", "int"),
    "PhoneNumber": ("phone_number", "str?"),
    "SkypeName": ("skype_name", "str?"),
    "Comments": ("comments", "str?"),
}
