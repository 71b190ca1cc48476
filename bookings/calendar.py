"""The calendar feed: a user's accepted and confirmed sessions as iCalendar (RFC 5545).

Two queries whatever the number of bookings: the token's owner, then the bookings with
their accounts. Times are written in UTC; calendar apps show them in the viewer's zone.
"""

from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet
from icalendar import Calendar, Event

from bookings.models import Booking, Status, credits_text
from dashboard.models import Account, Preferences

# Recent sessions stay in the calendar for a month, as a record of what took place.
PAST_DAYS = 30
FEED_STATUSES = (Status.ACCEPTED, Status.CONFIRMED)
PRODID = "-//AW Bookings//Calendar feed//EN"
UID_DOMAIN = "aw-bookings"
# What each event needs, and no more: the raw payload and contact details stay unread.
FEED_COLUMNS = (
    "id",
    "account__nickname",
    "service",
    "status",
    "session_at",
    "duration_minutes",
    "credits",
    "party_nickname",
    "changed_at",
)


def feed_preferences(*, token: str) -> Preferences | None:
    """The preferences (with their user) whose calendar link this is, or None."""
    if not token:
        # Every user without a link has a blank token: a blank one must match no one.
        return None
    return (
        Preferences.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )


def feed_bookings(*, user, now: datetime) -> QuerySet[Booking]:
    """Accepted and confirmed sessions of every account the user may see, from a month ago."""
    return (
        Booking.objects.filter(
            account__in=Account.objects.visible_to(user),
            status__in=FEED_STATUSES,
            session_at__gte=now - timedelta(days=PAST_DAYS),
        )
        .select_related("account")
        .only(*FEED_COLUMNS)
        .order_by("session_at", "pk")
    )


def feed_ics(*, bookings, discreet: bool, now: datetime) -> bytes:
    """The feed as iCalendar bytes. Discreet: no nickname, service or credits anywhere."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Sessions" if discreet else "AW Bookings sessions")
    calendar.add("x-wr-timezone", "UTC")
    for booking in bookings:
        calendar.add_component(_event(booking, discreet=discreet, now=now))
    return calendar.to_ical()


def _event(booking: Booking, *, discreet: bool, now: datetime) -> Event:
    assert booking.session_at is not None  # nosec B101  # type narrowing; feed_bookings has it
    start = booking.session_at.astimezone(UTC)
    duration = f"{booking.duration_minutes} minutes"
    if discreet:
        summary, description = "Session", duration
    else:
        party = booking.party_nickname or "someone"
        summary = (
            f"{booking.get_service_display()} session with {party} ({booking.account.nickname})"
        )
        description = f"{duration}, {credits_text(booking.credits)} credits"
    event = Event()
    # Stable per booking, so that a calendar app updates the event rather than adding one.
    event.add("uid", f"booking-{booking.pk}@{UID_DOMAIN}")
    event.add("dtstamp", (booking.changed_at or now).astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=booking.duration_minutes))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CONFIRMED" if booking.status == Status.CONFIRMED else "TENTATIVE")
    # Shared calendars show a private event as busy time only.
    event.add("class", "PRIVATE")
    return event
