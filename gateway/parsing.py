"""Pure functions between AdultWork's wire format and our records; no HTTP here.

The remote's PascalCase names live in this module and nowhere else.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from .errors import UnreadableAnswer
from .records import (
    Booking,
    BookingPage,
    DeleteResult,
    Direction,
    Identity,
    Party,
    Service,
    TokenSet,
)

_OTHER_PARTY_KEYS = ("Client", "Performer", "Candidate")
# The documentation says access tokens last 20 minutes; used only if an answer omits expires_in.
_DOCUMENTED_TOKEN_LIFETIME = 20 * 60


# --- JSON -------------------------------------------------------------------------------------


def load_json(content: bytes | str) -> Any:
    """Decode an answer body, keeping every non-integer number as an exact Decimal."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise UnreadableAnswer("AdultWork sent an empty answer.")
    if stripped.startswith("<"):
        raise UnreadableAnswer(f"AdultWork answered with {_markup_kind(stripped)}, not JSON.")
    try:
        return json.loads(stripped, parse_float=Decimal, parse_constant=_reject_constant)
    except ValueError:
        raise UnreadableAnswer("AdultWork sent an answer this app cannot read.") from None


def _markup_kind(text: str) -> str:
    head = text[:200].lower()
    return "a web page" if "<html" in head or "<!doctype html" in head else "XML"


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; a credit amount must never become one.
    raise ValueError(name)


def encode_body(fields: Mapping[str, object]) -> bytes:
    """A flat JSON object for a POST, writing Decimals digit for digit (json cannot)."""
    members = (f"{json.dumps(name)}: {_encode_value(value)}" for name, value in fields.items())
    return ("{" + ", ".join(members) + "}").encode()


def _encode_value(value: object) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number AdultWork can take")
        return format(value, "f")
    return json.dumps(value)


# --- dates and times --------------------------------------------------------------------------


def parse_datetime(value: object, tz: ZoneInfo) -> datetime | None:
    """An AdultWork date-time as an aware datetime in ``tz``.

    The remote writes local wall-clock times without an offset. Around clock changes:
    a time in the autumn fold is taken as its first occurrence (fold=0); a time in the spring
    gap, which no clock showed, is moved forward by the gap (01:30 becomes 02:30 in London).
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UnreadableAnswer(f"AdultWork sent a date this app cannot read: {value!r}.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UnreadableAnswer(f"AdultWork sent a date this app cannot read: {value!r}.") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(tz)
    return localize(parsed, tz)


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, with the clock-change rules of parse_datetime."""
    # A round trip through UTC is what moves a gap time forward; real times come back unchanged.
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def format_request_datetime(value: datetime, tz: ZoneInfo) -> str:
    """A date-time as AdultWork reads it in a request: ``YYYY-MM-DD HH:MM`` on ``tz``'s clock."""
    if value.tzinfo is None:
        raise ValueError("an aware datetime is needed: a naive one has no defined moment")
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def format_date(value: date) -> str:
    """A date filter as AdultWork reads it: ``yyyy-mm-dd``."""
    return value.strftime("%Y-%m-%d")


# --- records ----------------------------------------------------------------------------------


def parse_booking(obj: object, *, direction: Direction, tz: ZoneInfo) -> Booking:
    """One booking object, webcam or PhoneChat, as a Booking."""
    data = _require_object(obj, "a booking")
    service: Service = "webcam" if "WebcamBookingID" in data else "phonechat"
    id_key = "WebcamBookingID" if service == "webcam" else "BookingID"
    dt = _datetime_reader(data, tz)
    return Booking(
        service=service,
        direction=direction,
        remote_id=_required(data, id_key, _int),
        status=_required(data, "Status", _str),
        duration_minutes=_required(data, "Duration", _int),
        credits=_required(data, "Credits", _decimal),
        created_at=dt("CreateDate"),
        session_at=dt("SessionDate"),
        accept_by=dt("AcceptBy"),
        accepted_at=dt("AcceptedDate"),
        confirmed_at=dt("ConfirmedDate"),
        cancelled_at=dt("CancelledDate"),
        last_updated=dt("LastUpdated"),
        cancelled_reason=_optional(data, "CancelledReason", _str),
        cancelled_by=_optional(data, "CancelledBy", _str),
        rejected_reason=_optional(data, "RejectedReason", _str),
        is_multiple=_optional(data, "IsMulitple", _bool),  # sic: the remote's spelling
        software_type=_optional(data, "SoftwareTypeID", _int),
        sign_in_name_or_email=_optional(data, "SignInNameOrEmail", _str),
        also_phonechat=_optional(data, "AlsoPhoneChat", _bool),
        method=_optional(data, "Method", _int),
        phone_number=_optional(data, "PhoneNumber", _str),
        skype_name=_optional(data, "SkypeName", _str),
        comments=_optional(data, "Comments", _str),
        action_needed=_action_needed(data),
        other_party=_other_party(data),
        raw=data,
    )


def parse_booking_page(obj: object, *, direction: Direction, tz: ZoneInfo) -> BookingPage:
    """A list envelope: PageCount, PageNumber and one array of bookings under any name."""
    data = _require_object(obj, "a page of bookings")
    items = _the_one_array(data)
    return BookingPage(
        bookings=[parse_booking(item, direction=direction, tz=tz) for item in items],
        page_number=_required(data, "PageNumber", _int),
        page_count=_required(data, "PageCount", _int),
    )


def parse_identity(obj: object) -> Identity:
    data = _require_object(obj, "the account's details")
    return Identity(
        user_id=_required(data, "UserID", _int),
        nickname=_optional(data, "Nickname", _str),
        group_id=_optional(data, "GroupID", _int),
        group_name=_optional(data, "GroupName", _str),
        is_group_manager=_optional(data, "IsGroupManager", _bool) or False,
    )


def parse_delete_results(obj: object) -> list[DeleteResult]:
    if not isinstance(obj, list):
        raise UnreadableAnswer("AdultWork's answer to a delete was not a list of bookings.")
    return [_delete_result(item) for item in obj]


def parse_token_set(obj: object, *, previous_refresh_token: str | None = None) -> TokenSet:
    """A token endpoint answer.

    ``previous_refresh_token``: kept when a refresh answer carries no new one, since a server
    that does not rotate leaves the old one valid.
    """
    data = _require_object(obj, "the token answer")
    refresh_token = _optional(data, "refresh_token", _str) or previous_refresh_token
    if not refresh_token:
        raise UnreadableAnswer("AdultWork's token answer has no refresh token.")
    expires_in = _optional(data, "expires_in", _int)
    return TokenSet(
        access_token=_required(data, "access_token", _str),
        refresh_token=refresh_token,
        token_type=_optional(data, "token_type", _str) or "bearer",
        expires_in=_DOCUMENTED_TOKEN_LIFETIME if expires_in is None else expires_in,
        scope=_optional(data, "scope", _str),
    )


def _delete_result(obj: object) -> DeleteResult:
    data = _require_object(obj, "a deleted booking")
    return DeleteResult(
        booking_id=_required(data, "BookingID", _int),
        deleted=_required(data, "Deleted", _bool),
        message=_optional(data, "Message", _str),
    )


def _other_party(data: dict[str, Any]) -> Party | None:
    present = [key for key in _OTHER_PARTY_KEYS if data.get(key) is not None]
    if not present:
        return None
    if len(present) > 1:
        raise UnreadableAnswer("AdultWork sent a booking with more than one other party.")
    return _party(data[present[0]])


def _party(obj: object) -> Party:
    data = _require_object(obj, "the other party of a booking")
    count = _counter(data)
    return Party(
        user_id=_required(data, "UserID", _int),
        nickname=_optional(data, "Nickname", _str) or "",
        last_accessed_from=_optional(data, "LastAccessedFrom", _str),
        sign_in_name_or_email=_optional(data, "SignInNameOrEmail", _str),
        phone_number=_optional(data, "PhoneNumber", _str),
        skype_name=_optional(data, "SkypeName", _str),
        feedback_total=count("Total"),
        feedback_positive=count("Positive"),
        feedback_neutral=count("Neutral"),
        feedback_negative=count("Negative"),
        ratings=count("Ratings"),
        disputes=count("Disputes"),
    )


def _counter(data: dict[str, Any]) -> Callable[[str], int]:
    # Feedback counts are not shown on every page (received PhoneChat omits some): none is 0.
    return lambda key: _optional(data, key, _int) or 0


def _action_needed(data: dict[str, Any]) -> str | None:
    return _optional(data, "ActionCandidate", _str) or _optional(data, "ActionClient", _str)


def _datetime_reader(data: dict[str, Any], tz: ZoneInfo) -> Callable[[str], datetime | None]:
    return lambda key: parse_datetime(data.get(key), tz)


def _the_one_array(data: dict[str, Any]) -> list[Any]:
    # The array's name is undocumented (the sandbox says WebcamBookings or Bookings), so rely on
    # the envelope holding exactly one.
    arrays = [value for value in data.values() if isinstance(value, list)]
    if len(arrays) != 1:
        found = "no list" if not arrays else f"{len(arrays)} lists"
        raise UnreadableAnswer(f"AdultWork sent a page of bookings with {found} in it.")
    return arrays[0]


# --- field readers ----------------------------------------------------------------------------


def _require_object(obj: object, what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise UnreadableAnswer(f"AdultWork sent {what} in a shape this app cannot read.")
    return obj


def _required[T](data: dict[str, Any], key: str, read: Callable[[object], T | None]) -> T:
    value = _optional(data, key, read)
    if value is None:
        raise UnreadableAnswer(f"AdultWork sent an answer without its {key}.")
    return value


def _optional[T](data: dict[str, Any], key: str, read: Callable[[object], T | None]) -> T | None:
    value = data.get(key)
    if value is None:
        return None
    result = read(value)
    if result is None:
        # The value stays out of the message: it could be a token.
        raise UnreadableAnswer(f"AdultWork sent a {key} this app cannot read.")
    return result


# Each reader answers None for a value of the wrong type; _optional turns that into an error.


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None
