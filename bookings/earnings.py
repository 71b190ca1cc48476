"""Earnings: what the requests an account received were worth, week by week, and the
counter-offers it sent. Reads of the local copy, each in one query whatever its size."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db.models import Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from bookings.models import Booking, Direction, Service, Status
from bookings.rules import expired_requests, open_requests
from dashboard.models import Account, AuditEntry

WEEKS = 12
ZERO = Decimal(0)

# An accept's audit entry (bookings.services.booking_act) holds the credits asked. The credits
# the client offered must be recorded beside them for an accept to be told a counter-offer:
# once AdultWork has answered, the booking's row holds only the credits agreed.
ASKED_KEY = "credits"
OFFERED_KEY = "offered"


@dataclass(frozen=True)
class Week:
    """The credits of the requests received for sessions in one week."""

    start: date  # the Monday
    offered: Decimal = ZERO
    accepted: Decimal = ZERO
    confirmed: Decimal = ZERO
    lost: Decimal = ZERO
    awaiting: Decimal = ZERO


@dataclass(frozen=True)
class Totals:
    offered: Decimal
    accepted: Decimal
    confirmed: Decimal
    lost: Decimal
    awaiting: Decimal


@dataclass(frozen=True)
class CounterOffer:
    """An accept sent for credits other than those the client offered."""

    at: datetime
    account_id: int | None
    account_nickname: str
    booking: str  # the audit log's words for it, which outlive the booking
    offered: Decimal
    agreed: Decimal


def week_starts(*, now: datetime, zone: tzinfo, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the window, oldest first, the last being this week's in `zone`."""
    today = timezone.localtime(now, zone).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def is_lost(now: datetime) -> Q:
    """Rejected, cancelled, or expired unanswered: credits offered that nobody will earn."""
    return Q(status__in=(Status.REJECTED, Status.CANCELLED)) | expired_requests(now)


def weekly_earnings(
    *,
    accounts: Iterable[Account],
    now: datetime | None = None,
    zone: tzinfo | None = None,
    weeks: int = WEEKS,
) -> list[Week]:
    """The window's weeks, oldest first, each with its figures (zero for a week without a
    session), summed in the database in one query whatever the number of bookings.

    - A week is an ISO week, Monday 00:00 to the next Monday 00:00, in the viewer's time zone
      (`zone`, by default the one the middleware activates, in which the lists show times).
    - The window is the current week and the 11 before it. The current week counts whole,
      sessions still to come included: what the account can expect this week.
    - Only received bookings count: they are what clients pay the account. A made booking is
      the account booking someone else, which costs credits rather than earning them.
    - Every figure is bucketed by the week of the booking's session, and each booking counts
      once, by its status now. One date for every figure, so that a week's figures add up:
      offered = accepted + confirmed + lost + awaiting. By the date of each status change they
      would not: AdultWork gives no date of rejection, and a request made in one week and
      confirmed in the next would sit in both. A booking without a session date is left out.
    - offered: the credits of every request received, whatever became of it;
      accepted: accepted by the account, not (yet) confirmed by the client (status Accepted;
      one whose session passed unconfirmed stays here, as AdultWork still calls it Accepted);
      confirmed: confirmed by the client (status Confirmed): the credits earned;
      lost: rejected, cancelled (by either side, even once confirmed), or expired, as the inbox
      has it (`rules.expired_requests`);
      awaiting: Pending requests that can still be accepted (`rules.open_requests`).
    - Credits are what AdultWork states now: after a counter-offer, the credits agreed.
    - A booking deleted from AdultWork or no longer returned by it (`gone_at`) still counts:
      deleting a finished booking tidies a list, it does not undo what the booking earned.
    """
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    starts = week_starts(now=now, zone=zone, weeks=weeks)
    rows = (
        # Gone bookings too: see above.
        Booking.all_objects.filter(
            # Every service, named: the lists' index (service, direction, account, session_at)
            # then reads only the window's rows, not every booking of the accounts.
            service__in=Service.values,
            account__in=[a.pk for a in accounts],
            direction=Direction.RECEIVED,
            session_at__gte=local_midnight(starts[0], zone),
            session_at__lt=local_midnight(starts[-1] + timedelta(weeks=1), zone),
        )
        .annotate(week=TruncWeek("session_at", tzinfo=zone))
        .values("week")
        .annotate(
            offered=Sum("credits"),
            accepted=Sum("credits", filter=Q(status=Status.ACCEPTED)),
            confirmed=Sum("credits", filter=Q(status=Status.CONFIRMED)),
            lost=Sum("credits", filter=is_lost(now)),
            awaiting=Sum("credits", filter=open_requests(now)),
        )
        .order_by("week")
    )
    found = {
        timezone.localtime(row.pop("week"), zone).date(): {k: v or ZERO for k, v in row.items()}
        # Plain dicts, which django-stubs types as TypedDicts that cannot pop their week.
        for row in cast(Iterable[dict[str, Any]], rows)
    }
    return [Week(start=start, **found.get(start, {})) for start in starts]


def totals(weeks: list[Week]) -> Totals:
    return Totals(
        offered=sum((w.offered for w in weeks), ZERO),
        accepted=sum((w.accepted for w in weeks), ZERO),
        confirmed=sum((w.confirmed for w in weeks), ZERO),
        lost=sum((w.lost for w in weeks), ZERO),
        awaiting=sum((w.awaiting for w in weeks), ZERO),
    )


def counter_offers(*, accounts: Iterable[Account], since: datetime) -> list[CounterOffer]:
    """Accepts sent from the dashboard since `since` that asked for other credits than the
    client offered, newest first, in one query.

    The offer is known only from the accept's audit entry: once AdultWork has answered, the
    booking's row holds the credits agreed, the offer overwritten. An entry that does not
    record the offer is left out, as nothing says whether it was a counter-offer. "Agreed" is
    what AdultWork accepted the booking at: the credits asked, as its answer was "done".
    """
    entries = AuditEntry.objects.filter(
        account__in=[a.pk for a in accounts],
        action="accept",
        outcome=AuditEntry.Outcome.DONE,
        at__gte=since,
        inputs__has_key=OFFERED_KEY,
    ).order_by("-at", "-pk")
    found = []
    for entry in entries:
        offered, asked = _amount(entry.inputs, OFFERED_KEY), _amount(entry.inputs, ASKED_KEY)
        if offered is not None and asked is not None and offered != asked:
            found.append(
                CounterOffer(
                    at=entry.at,
                    account_id=entry.account_id,
                    account_nickname=entry.account_nickname,
                    booking=entry.target,
                    offered=offered,
                    agreed=asked,
                )
            )
    return found


def _amount(inputs: dict, key: str) -> Decimal | None:
    """An amount of the audit log's inputs, which it keeps as text; None when unreadable."""
    try:
        amount = Decimal(str(inputs.get(key)))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
