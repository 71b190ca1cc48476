"""What an open inbox or list needs to follow the local copy: a version of everything it shows,
read in one query, so that a poll that finds nothing new is a 304 that costs almost nothing;
and the count of requests awaiting an answer, for the title and the inbox link."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.utils import timezone

from bookings.models import Alert, Booking
from bookings.rules import open_requests
from dashboard.models import Account

# A page alert not taken by an open page within this long is stale: no page shows it later.
PAGE_ALERT_FRESH = timedelta(minutes=30)


@dataclass(frozen=True)
class LiveState:
    """The version of what a user's pages show, and how many requests await an answer."""

    version: str
    needs_answer: int
    # A page alert waits: the next poll is answered in full, to hand it over.
    alert_waiting: bool = False

    def etag(self, path: str) -> str:
        # A weak tag: the page is the same to a reader, not byte for byte (times, nonces).
        text = f"{path}|{self.version}|{self.alert_waiting}"
        digest = hashlib.blake2b(text.encode(), digest_size=12)
        return f'W/"{digest.hexdigest()}"'


def live_state(user, *, now: datetime | None = None) -> LiveState:
    """One query: per account the user may see, its newest change, its sync state and its
    requests awaiting an answer; and whether a page alert waits for the user."""
    now = now or timezone.now()
    bookings = Booking.all_objects.filter(account=OuterRef("pk"))
    waiting = (
        Booking.objects.filter(open_requests(now), account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    alerts = Alert.objects.filter(
        user=user,
        channel=Alert.Channel.PAGE,
        delivered_at__isnull=True,
        created_at__gte=now - PAGE_ALERT_FRESH,
    )
    rows = list(
        Account.objects.visible_to(user)
        .annotate(
            changed=Subquery(bookings.order_by("-changed_at").values("changed_at")[:1]),
            waiting=Subquery(waiting),
            synced=F("sync_state__last_ok_at"),
            error=F("sync_state__last_error"),
            alert=Exists(alerts),
        )
        .order_by("pk")
        .values_list("pk", "changed", "waiting", "synced", "error", "reconnect_needed", "alert")
    )
    version = repr([row[:6] for row in rows])
    return LiveState(
        version=version,
        needs_answer=sum(row[2] or 0 for row in rows),
        alert_waiting=any(row[6] for row in rows),
    )
