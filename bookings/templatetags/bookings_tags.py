from dataclasses import dataclass
from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from bookings import rules, sync
from bookings.models import credits_text
from dashboard.models import AuditEntry

register = template.Library()

# The same threshold as static/js/app.js uses while the countdown ticks.
URGENT = timedelta(minutes=30)


@register.filter
def time_left(deadline: datetime | None, now: datetime | None = None) -> str:
    """'2 h 10 min' until the deadline, or '' once it has passed."""
    if deadline is None:
        return ""
    now = now or timezone.now()
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes < 0:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    # Non-breaking spaces: "2 h 10 min" never splits across lines on a narrow screen.
    if days:
        return f"{days}\u00a0d {hours}\u00a0h"
    if hours:
        return f"{hours}\u00a0h {minutes}\u00a0min"
    return f"{minutes}\u00a0min"


@register.filter
def answer_deadline(booking) -> datetime | None:
    return rules.answer_deadline(booking)


@register.filter
def is_request(booking) -> bool:
    return rules.is_request(booking)


@register.filter
def is_expired(booking, now: datetime | None = None) -> bool:
    return rules.is_expired(booking, now or timezone.now())


@register.filter
def contact_for(booking, can_act: bool) -> str:
    return rules.contact_for(booking, can_act=bool(can_act))


@register.filter
def is_soon(deadline: datetime | None, now: datetime | None = None) -> bool:
    """Within the last 30 minutes before a deadline: the row says so loudly."""
    now = now or timezone.now()
    return deadline is not None and now < deadline <= now + URGENT


@register.simple_tag
def zone_name() -> str:
    return timezone.get_current_timezone_name()


@register.filter
def credits(amount) -> str:
    return credits_text(amount)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def allowed_actions(booking, now: datetime | None = None) -> list:
    return rules.allowed_actions(booking, now or timezone.now())


@register.filter
def action_label(action: str) -> str:
    try:
        return rules.Action(action).label
    except ValueError:
        # A change of access (a grant, a connection...), which the dashboard records.
        try:
            return AuditEntry.AccessAction(action).label
        except ValueError:
            return action


@register.filter
def is_stale(moment: datetime | None) -> bool:
    return sync.is_stale(moment, now=timezone.now())


@dataclass(frozen=True)
class ColumnSort:
    aria: str  # the column's aria-sort: "ascending", "descending" or "" when not sorted by it
    next: str  # the sort a tap on its header asks for


@register.simple_tag
def column_sort(current: str | None, key: str) -> ColumnSort:
    """How a sortable column header reads, given the list's sort: a tap sorts by the column,
    ascending, or turns it round when the list is sorted by it already."""
    if current == key:
        return ColumnSort("ascending", f"-{key}")
    if current == f"-{key}":
        return ColumnSort("descending", key)
    return ColumnSort("", key)


@dataclass(frozen=True)
class Freshness:
    oldest: datetime | None  # the least recent good sync among the accounts; None: one never
    problem: bool  # a sync failed or a connection needs renewing


@register.simple_tag
def freshness(accounts) -> Freshness:
    """One line for the freshness of several accounts: the page is as fresh as its least
    fresh account."""
    synced = [a.last_synced_at for a in accounts]
    problem = any(a.last_sync_error or a.reconnect_needed for a in accounts)
    oldest = None if not synced or None in synced else min(synced)
    return Freshness(oldest, problem)
