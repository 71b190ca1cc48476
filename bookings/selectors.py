"""Reads of the local copy. Every list costs a fixed number of queries, whatever its size."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from bookings import rules
from bookings.models import Booking, ReasonTemplate, Status
from dashboard.models import Account, AuditEntry

PAGE_SIZE = 25

SORTS: dict[str, tuple[str, ...]] = {
    "-session": ("-session_at", "-pk"),
    "session": ("session_at", "pk"),
    "accept_by": ("accept_by", "pk"),
    "-accept_by": ("-accept_by", "-pk"),
    "credits": ("credits", "pk"),
    "-credits": ("-credits", "-pk"),
    "party": ("party_nickname", "pk"),
    "-party": ("-party_nickname", "-pk"),
}
DEFAULT_SORT = "-session"

# What the list template shows; keeps the raw payload and other heavy columns out of the read.
LIST_COLUMNS = (
    "id",
    "account_id",
    "service",
    "direction",
    "remote_id",
    "status",
    "duration_minutes",
    "credits",
    "created_at",
    "session_at",
    "accept_by",
    "cancelled_reason",
    "cancelled_by",
    "rejected_reason",
    "is_multiple",
    "software_type",
    "also_phonechat",
    "method",
    "phone_number",
    "skype_name",
    "action_needed",
    "party_user_id",
    "party_nickname",
    "party_last_accessed_from",
    "party_phone_number",
    "party_skype_name",
    "comments",
    "feedback_total",
    "feedback_positive",
    "feedback_neutral",
    "feedback_negative",
    "feedback_ratings",
    "feedback_disputes",
    "changed_at",
)


@dataclass(frozen=True)
class Window:
    """One page of a list, found without COUNT(*): we read one row past the page to know
    whether there is a next one, so the cost does not grow with the table."""

    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def paginate(queryset: QuerySet, *, number: int, per_page: int = PAGE_SIZE) -> Window:
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Window(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


def accounts_with_freshness(user) -> list[Account]:
    """The accounts the user may see, each with `last_synced_at` (last good sync),
    `last_sync_error` (of the latest sync, blank when it went well), `next_sync_at` and
    `can_act`, in one query."""
    acting = Account.objects.actionable_by(user).filter(pk=OuterRef("pk"))
    # no-redef: Account declares can_act, which the pages that know it set by hand, and
    # django-stubs takes an annotation of that name for a clash.
    return list(
        Account.objects.visible_to(user).annotate(  # type: ignore[no-redef]
            last_synced_at=F("sync_state__last_ok_at"),
            last_sync_error=F("sync_state__last_error"),
            next_sync_at=F("sync_state__next_sync_at"),
            can_act=Exists(acting),
        )
    )


def accounts_for_answer(user, acted_for: set[int]) -> list[Account]:
    """The accounts the user may see, each with `can_act`, for the rows of an action's answer:
    those rows are the bookings just acted on, whose accounts the action's own check found
    the user may act for (actionable_by), so that is not asked of the database again."""
    accounts = list(Account.objects.visible_to(user))
    for account in accounts:
        account.can_act = account.pk in acted_for
    return accounts


def reason_templates(accounts: list[Account]) -> dict[int, list[str]]:
    templates: dict[int, list[str]] = {a.pk: [] for a in accounts}
    rows = ReasonTemplate.objects.filter(account__in=[a.pk for a in accounts])
    for account_id, text in rows.values_list("account_id", "text"):
        templates[account_id].append(text)
    return templates


def audit_entries(
    *,
    accounts: list[Account],
    account: int | None = None,
    action: str | None = None,
    outcome: str | None = None,
):
    entries = AuditEntry.objects.filter(account__in=[a.pk for a in accounts])
    if account is not None:
        entries = entries.filter(account=account)
    if action:
        entries = entries.filter(action=action)
    if outcome:
        entries = entries.filter(outcome=outcome)
    return entries.order_by("-at", "-pk")


def booking_list(
    *,
    accounts: list[Account],
    service: str,
    direction: str,
    status: str | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Booking]:
    bookings = Booking.objects.filter(
        account__in=[a.pk for a in accounts], service=service, direction=direction
    )
    if status:
        bookings = bookings.filter(status=status)
    return bookings.only(*LIST_COLUMNS).order_by(*SORTS[sort])


def inbox(
    *,
    accounts: list[Account],
    now: datetime | None = None,
    expired: bool = False,
    sort: str | None = None,
):
    """Requests across accounts: those still open, soonest deadline first; or (expired=True)
    those `rules.is_expired` says have expired, most recently lapsed first. `sort` (a key of
    SORTS) orders them otherwise."""
    now = now or timezone.now()
    requests = Booking.objects.filter(account__in=[a.pk for a in accounts]).only(*LIST_COLUMNS)
    if expired:
        return requests.filter(rules.expired_requests(now)).order_by(*SORTS[sort or "-accept_by"])
    return requests.filter(rules.open_requests(now)).order_by(*SORTS[sort or "accept_by"])


# --- Sessions and their clashes -------------------------------------------------------------

# A booking is a session in the performer's diary once it is accepted: the performer has said
# yes and AdultWork holds the time, whether or not the client has confirmed yet (PhoneChat
# documents no confirm step at all, so its sessions may never go past Accepted). The calendar
# feed counts the same two.
SESSION_STATUSES = (Status.ACCEPTED, Status.CONFIRMED)

# What the agenda and a clash warning show of a session; contact details and the raw payload
# stay unread.
SESSION_COLUMNS = (
    "id",
    "account_id",
    "service",
    "direction",
    "status",
    "session_at",
    "duration_minutes",
    "credits",
    "party_nickname",
)

# Sessions of one account closer than this are looked for in one window rather than two: a
# few extra rows read, and one OR term fewer in the query. Any value is exact (the overlap is
# decided in Python); this only trades terms against rows.
CLASH_WINDOW_GAP = timedelta(days=1)
# Sessions last minutes or hours. Taking a week as the longest possible lets the database read
# only the week of an account's sessions before a window, not its whole history; a session
# up to this long is still found, however early it began.
LONGEST_SESSION = timedelta(days=7)

type Span = tuple[datetime, datetime]


def session_span(booking: Booking) -> Span | None:
    """[start, end) of the booking's session, or None when it has no time or no length."""
    start, end = booking.session_at, booking.session_end
    if start is None or end is None or booking.duration_minutes <= 0:
        return None
    return start, end


def spans_overlap(a: Span, b: Span) -> bool:
    """Two half-open spans share a moment. Back to back (one ends as the other starts) is no
    clash: the performer goes straight from one session to the next."""
    return max(a[0], b[0]) < min(a[1], b[1])


def _ends_at() -> ExpressionWrapper:
    """session_at + duration_minutes in SQL. The integer is wrapped as a plain IntegerField
    because Django's SQLite backend refuses to multiply a PositiveIntegerField by a duration."""
    minutes = ExpressionWrapper(F("duration_minutes"), output_field=IntegerField())
    length = ExpressionWrapper(minutes * Value(timedelta(minutes=1)), output_field=DurationField())
    return ExpressionWrapper(F("session_at") + length, output_field=DateTimeField())


def _windows(spans: list[Span]) -> list[Span]:
    """The spans merged into as few windows as CLASH_WINDOW_GAP allows."""
    windows: list[Span] = []
    for start, end in sorted(spans):
        if windows and start <= windows[-1][1] + CLASH_WINDOW_GAP:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def clashes_for(bookings: Iterable[Booking]) -> dict[int, list[Booking]]:
    """For each booking (by pk), the sessions of its own account that overlap its session,
    soonest first, each with its account: one query for the whole batch, whatever its size.

    A session is an accepted or a confirmed booking (SESSION_STATUSES): the issue asks about
    confirmed ones, and an accepted one holds the time just as firmly (the client may confirm
    it at any moment, and PhoneChat has no confirm step). Pending requests are offers and do
    not clash; gone bookings are not there. Both services and both directions count: a
    performer cannot be on webcam and on the phone at once, nor in a session bought from
    someone else. The booking itself never clashes with itself.

    The database only narrows the search to windows around the batch's sessions, per account;
    whether two sessions overlap is decided here, by spans_overlap, so that the dialog, the
    lists and the calendar agree to the microsecond.
    """
    bookings = list(bookings)
    result: dict[int, list[Booking]] = {b.pk: [] for b in bookings}
    spans = {b.pk: span for b in bookings if (span := session_span(b)) is not None}
    by_account: dict[int, list[Span]] = {}
    for booking in bookings:
        if booking.pk in spans:
            by_account.setdefault(booking.account_id, []).append(spans[booking.pk])
    if not by_account:
        return result
    near = Q()
    for account_id, account_spans in by_account.items():
        for start, end in _windows(account_spans):
            near |= Q(
                account_id=account_id,
                session_at__gt=start - LONGEST_SESSION,
                session_at__lt=end,
                ends_at__gt=start,
            )
    candidates: dict[int, list[Booking]] = {account_id: [] for account_id in by_account}
    starts: dict[int, list[datetime]] = {account_id: [] for account_id in by_account}
    for other in (
        Booking.objects.alias(ends_at=_ends_at())
        .filter(near, status__in=SESSION_STATUSES, duration_minutes__gt=0)
        .select_related("account")
        .only(*SESSION_COLUMNS, "account__nickname")
        .order_by("session_at", "pk")
    ):
        if other.session_at is not None:  # always, as `near` asks for it; for the type checker
            candidates[other.account_id].append(other)
            starts[other.account_id].append(other.session_at)
    for booking in bookings:
        if (span := spans.get(booking.pk)) is None:
            continue
        # Only the account's sessions that start in the same bounds as the query's: a week of
        # sessions is then as quick to check as a single request.
        begun = starts[booking.account_id]
        near_by = candidates[booking.account_id][
            bisect_right(begun, span[0] - LONGEST_SESSION) : bisect_left(begun, span[1])
        ]
        result[booking.pk] = [
            other
            for other in near_by
            if other.pk != booking.pk
            and (other_span := session_span(other)) is not None
            and spans_overlap(span, other_span)
        ]
    return result


def session_clashes(booking: Booking) -> list[Booking]:
    """The sessions of the booking's account that its session would overlap (see
    clashes_for): what the accept dialog warns of. One query; none without a session time."""
    return clashes_for([booking])[booking.pk]


def sessions_between(*, accounts: list[Account], start: datetime, end: datetime) -> list[Booking]:
    """The accepted and confirmed sessions of the accounts that start in [start, end),
    soonest first: the calendar's agenda, in one query."""
    return list(
        Booking.objects.filter(
            account__in=[a.pk for a in accounts],
            status__in=SESSION_STATUSES,
            session_at__gte=start,
            session_at__lt=end,
        )
        .only(*SESSION_COLUMNS)
        .order_by("session_at", "pk")
    )
