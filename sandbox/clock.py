"""The sandbox clock and the remote's way of writing times.

Inside, every time is an aware UTC datetime. Outside, the API writes naive local times in the
sandbox's zone (`2018-01-20T12:34:56.789`, `2018-01-01T11:00`), as the reference's samples do.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def truncate_to_milliseconds(moment: datetime) -> datetime:
    # The remote stores milliseconds; keeping no more makes every written time read back exactly.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Clock:
    """Real UTC time by default; frozen at a set moment, and moved on by `advance`.

    Not locked itself: the state holds its lock around every use.
    """

    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._offset = timedelta(0)

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        base = self._fixed if self._fixed is not None else datetime.now(UTC)
        return truncate_to_milliseconds(base + self._offset)

    def set(self, now: datetime | None = None, advance_seconds: float | None = None) -> None:
        """Freeze at `now`, then move on by `advance_seconds`; neither: back to real time."""
        if now is not None:
            self._fixed = as_utc(now)
            self._offset = timedelta(0)
        elif advance_seconds is None:
            self._fixed = None
            self._offset = timedelta(0)
        if advance_seconds is not None:
            if self._fixed is not None:
                self._fixed += timedelta(seconds=advance_seconds)
            else:
                self._offset += timedelta(seconds=advance_seconds)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime handed to the control API is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def format_datetime(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """`2018-01-01T11:00`, `2018-01-01T11:00:05`, `2018-01-20T12:34:56.789`: no more than needed."""
    if moment is None:
        return None
    local = to_local(moment, zone)
    if local.microsecond:
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    if local.second:
        return local.strftime("%Y-%m-%dT%H:%M:%S")
    return local.strftime("%Y-%m-%dT%H:%M")


def format_for_people(moment: datetime, zone: ZoneInfo) -> str:
    """The UK way, as the booking pages write it: `22/01/2018 00:00`."""
    return to_local(moment, zone).strftime("%d/%m/%Y %H:%M")


def parse_datetime(text: str, zone: ZoneInfo) -> datetime:
    """ISO 8601; without an offset the time is local to the sandbox, as the API writes it."""
    parsed = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return truncate_to_milliseconds(parsed.astimezone(UTC))


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
