"""The week agenda: the accepted and confirmed sessions of every account the user may see, day
by day in the viewer's time zone, with the sessions of one account that overlap marked.

The ICS feed (bookings/calendar.py) carries the same sessions to calendar apps.
"""

import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta, tzinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bookings import selectors
from bookings.models import Booking

ISO_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
# Weeks whose first and last moments are datetimes in every zone (UTC-12 to UTC+14): year 1's
# first week would start before 1 January of year 1 in UTC, and year 9999's last would end after
# the last day Python knows.
FIRST_YEAR, LAST_YEAR = MINYEAR + 1, MAXYEAR - 1


@dataclass(frozen=True)
class Week:
    """An ISO week (Monday to Sunday), as `?week=2026-W48` names it."""

    monday: date

    @classmethod
    def containing(cls, day: date) -> "Week":
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, text: str) -> "Week | None":
        """The week `YYYY-Www` names (the value of an <input type="week">), or None."""
        match = ISO_WEEK.fullmatch(text)
        if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return None
        try:
            return cls(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        except ValueError:  # week 00, or 53 in a year of 52
            return None

    @property
    def iso(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year:04d}-W{number:02d}"

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> "Week | None":
        return self._within(Week(self.monday - timedelta(days=7)))

    @property
    def next(self) -> "Week | None":
        return self._within(Week(self.monday + timedelta(days=7)))

    @staticmethod
    def _within(week: "Week") -> "Week | None":
        return week if FIRST_YEAR <= week.monday.isocalendar().year <= LAST_YEAR else None

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) in the zone: a week is 167 or 169 hours when the
        clocks change in it."""
        start = datetime.combine(self.monday, time.min, tzinfo=zone)
        end = datetime.combine(self.monday + timedelta(days=7), time.min, tzinfo=zone)
        return start, end


@dataclass(frozen=True)
class Day:
    date: date
    sessions: list[Booking]
    is_today: bool


def _week_asked(request: HttpRequest, today: date) -> Week:
    """The week of `?week=`, or this week; a week that cannot be read is replaced by this one,
    with a message, as the lists do with their filters."""
    asked = request.GET.get("week", "")
    week = Week.parse(asked) if asked else None
    if asked and week is None:
        messages.warning(request, "That week could not be read, so this week is shown.")
    return week or Week.containing(today)


def _days(week: Week, sessions: list[Booking], *, zone: tzinfo, today: date) -> list[Day]:
    """The week's seven days, each with the sessions that start on it in the viewer's zone."""
    by_day: dict[date, list[Booking]] = {day: [] for day in week.days}
    for session in sessions:
        by_day[timezone.localtime(session.session_at, zone).date()].append(session)
    return [Day(day, found, day == today) for day, found in by_day.items()]


@login_required
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    zone = timezone.get_current_timezone()
    today = timezone.localdate(timezone=zone)
    week = _week_asked(request, today)
    start, end = week.bounds(zone)
    accounts = selectors.accounts_with_freshness(request.user)
    sessions = selectors.sessions_between(accounts=accounts, start=start, end=end)
    return render(
        request,
        "bookings/calendar.html",
        {
            "week": week,
            "is_this_week": week == Week.containing(today),
            "days": _days(week, sessions, zone=zone, today=today),
            "clashes": selectors.clashes_for(sessions),
            "accounts": accounts,
            "accounts_by_id": {a.pk: a for a in accounts},
            "show_account": len(accounts) > 1,
        },
    )
