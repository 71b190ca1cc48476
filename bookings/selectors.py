"""Reads of the local copy. Every list costs a fixed number of queries, whatever its size."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from bookings.models import Booking, Direction, ReasonTemplate, Status
from dashboard.models import Account, AuditEntry

PAGE_SIZE = 25

SORTS: dict[str, tuple[str, ...]] = {
    "-session": ("-session_at", "-pk"),
    "session": ("session_at", "pk"),
    "accept_by": ("accept_by", "pk"),
    "-accept_by": ("-accept_by", "-pk"),
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
    return list(
        Account.objects.visible_to(user).annotate(
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


def inbox(*, accounts: list[Account], now: datetime | None = None, expired: bool = False):
    """Pending received bookings across accounts: those that can still be accepted,
    soonest deadline first; or (expired=True) those whose accept-by or session has passed,
    most recently lapsed first."""
    now = now or timezone.now()
    pending = Booking.objects.filter(
        account__in=[a.pk for a in accounts],
        direction=Direction.RECEIVED,
        status=Status.PENDING,
    ).only(*LIST_COLUMNS)
    lapsed = Q(accept_by__lte=now) | Q(session_at__lte=now)
    if expired:
        return pending.filter(lapsed).order_by("-accept_by", "-pk")
    # The positive form of "not lapsed": its accept_by test is answered from the inbox index,
    # where a NOT (...) makes SQLite read every pending row (PostgreSQL rewrites it itself).
    still_open = Q(accept_by__gt=now) | Q(accept_by__isnull=True)
    return pending.filter(still_open).exclude(session_at__lte=now).order_by("accept_by", "pk")
