"""Reading the API's parameters: query strings for GETs, JSON bodies for POSTs.

Names are matched without regard to case, as ASP.NET's model binding does. Every refusal is a
400 whose message names the parameter.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.models import Service
from sandbox.web import ApiError, Request

WHOLE_NUMBER = re.compile(r"^[0-9]{1,18}$")
MAX_REASON = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50

ORDERS: dict[Service, tuple[str, ...]] = {
    Service.WEBCAM: (
        "createddate-desc",
        "createddate-asc",
        "acceptdate-asc",
        "acceptdate-desc",
        "nickname-asc",
        "nickname-desc",
    ),
    Service.PHONECHAT: (
        "date-desc",
        "date-asc",
        "nickname-asc",
        "nickname-desc",
        "sessiondate-asc",
        "sessiondate-desc",
    ),
}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass(frozen=True, slots=True)
class ListParams:
    start_date: date | None
    order_by: str
    per_page: int
    page: int


def _present(request: Request, name: str) -> str | None:
    """A query value, None when absent or blank (blank binds to null in ASP.NET)."""
    value = request.param(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def list_params(request: Request, service: Service) -> ListParams:
    orders = ORDERS[service]
    return ListParams(
        start_date=_start_date(_present(request, "StartDate")),
        order_by=_order_by(_present(request, "OrderBy"), orders),
        per_page=_bounded(
            _present(request, "BookingsPerPage"),
            "BookingsPerPage",
            DEFAULT_PER_PAGE,
            f"a whole number from 1 to {MAX_PER_PAGE}",
            high=MAX_PER_PAGE,
        ),
        page=_bounded(_present(request, "PageNumber"), "PageNumber", 1, "a whole number from 1"),
    )


def _start_date(value: str | None) -> date | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise bad("The StartDate parameter must be a date written yyyy-mm-dd.")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise bad("The StartDate parameter must be a date written yyyy-mm-dd.") from error


def _order_by(value: str | None, orders: tuple[str, ...]) -> str:
    if value is None:
        return orders[0]
    if value.lower() not in orders:
        raise bad(f"The OrderBy parameter must be one of: {', '.join(orders)}.")
    return value.lower()


def _bounded(
    value: str | None, name: str, default: int, wording: str, high: int | None = None
) -> int:
    if value is None:
        return default
    if not WHOLE_NUMBER.match(value) or int(value) < 1 or (high is not None and int(value) > high):
        raise bad(f"The {name} parameter must be {wording}.")
    return int(value)


def query_id(request: Request, name: str) -> int:
    """A required whole-number query parameter (BookingID, UserID)."""
    value = _present(request, name)
    if value is None:
        raise bad(f"The {name} parameter is required.")
    if not WHOLE_NUMBER.match(value):
        raise bad(f"The {name} parameter must be a whole number.")
    return int(value)


class Body:
    """A POST's JSON object, read by case-insensitive member name."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {str(name).lower(): value for name, value in data.items()}

    @classmethod
    def of(cls, request: Request) -> "Body":
        data = request.json()
        if data is None:
            raise bad("The request body must be a JSON object.")
        if not isinstance(data, dict):
            raise bad("The request body must be a JSON object.")
        return cls(data)

    def get(self, name: str) -> Any:
        return self._data.get(name.lower())

    def has(self, name: str) -> bool:
        return name.lower() in self._data and self._data[name.lower()] is not None

    def booking_id(self) -> int:
        value = self.get("BookingID")
        if value is None:
            raise bad("BookingID is required.")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("BookingID must be a whole number.")
        return value

    def credits(self) -> Decimal:
        value = self.get("Credits")
        if value is None:
            raise bad("Credits is required: the credits you want for this booking.")
        amount = _decimal(value)
        if amount is None or not amount.is_finite():
            raise bad("Credits must be a number, such as 8 or 8.5.")
        if amount < 0:
            raise bad("Credits cannot be negative.")
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            raise bad("Credits can have at most 4 decimal places.")
        return amount

    def reason(self, *, required: bool) -> str | None:
        value = self.get("Reason")
        if value is not None and not isinstance(value, str):
            raise bad("Reason must be text.")
        text = (value or "").strip()
        if not text:
            if required:
                raise bad("Reason is required: tell the other party why.")
            return None
        if len(text) > MAX_REASON:
            raise bad(f"Reason can be at most {MAX_REASON} characters long.")
        return text

    def booking_ids(self) -> list[int]:
        value = self.get("BookingIDs")
        if not isinstance(value, str) or not value.strip():
            raise bad('BookingIDs is required: a comma-separated list of booking IDs, like "1,2".')
        parts = [part.strip() for part in value.split(",")]
        if not all(WHOLE_NUMBER.match(part) for part in parts):
            raise bad("BookingIDs must be a comma-separated list of whole numbers.")
        return [int(part) for part in parts]


def _decimal(value: Any) -> Decimal | None:
    # JSON.NET binds a number or a numeric string to a decimal; so does the sandbox.
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None
