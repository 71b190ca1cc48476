"""Steady state: the API calls of a normal sync of an account with a long history and a few
open bookings, counted in the sandbox's request log, beside those of its first (full) sync.

The history (1,250 bookings a list) is made with the sandbox's clock set months back, so that
every one of them is over; then a few on each list are made open again, and recent: pending
received requests that can still be accepted, accepted sessions in the future on the made
lists. Both syncs run as the worker runs them, through the task (the first is full because the
account never had one)."""

import time
from datetime import datetime, timedelta

from django.utils import timezone

from bench.database import empty_bookings
from bench.remote import add_performer, api_calls, connect
from bench.report import Figure, progress
from bookings.models import SyncRun
from bookings.sync import LISTS, NEWEST_FIRST
from bookings.tasks import sync_account_task
from dashboard.adultwork import api_for
from dashboard.models import Account

HISTORY_PER_LIST = 1_250
# Open bookings per list, 10 in all; the received ones pending, the made ones accepted.
OPEN_PER_LIST = (3, 3, 2, 2)
HISTORY_AGE = timedelta(days=120)
MAX_CALLS = 4
HOUR = timedelta(hours=1)


def run(control) -> list[Figure]:
    account = account_with_history(control)
    first = synced(control, account)
    normal = synced(control, account)
    if first.run.full is not True or normal.run.full is not False:
        raise RuntimeError("expected a full first sync, then a normal one")
    progress(
        f"  first sync: {len(first.calls)} calls; normal sync: {len(normal.calls)} calls "
        f"({normal.run.pages_read} pages, {normal.run.details_read} details), "
        f"{normal.seconds * 1000:.0f} ms"
    )
    empty_bookings()
    return [
        Figure(
            "first (full) sync of 5,000 + 10 bookings: API calls",
            str(len(first.calls)),
            "calls",
        ),
        Figure(
            "normal sync after it: API calls",
            str(len(normal.calls)),
            "calls",
            f"<= {MAX_CALLS}",
            len(normal.calls) <= MAX_CALLS,
            note=(
                "API calls are the requests in the sandbox's request log (pages, details, "
                f"token calls). The normal sync stored {normal.run.pages_read} page(s) and "
                f"read {normal.run.details_read} booking(s) by their details call, in "
                f"{normal.seconds * 1000:.0f} ms; its calls: {describe(normal.calls)}."
            ),
        ),
    ]


def describe(calls: list[dict]) -> str:
    return ", ".join(
        f"{call['path'].rsplit('/', 2)[-2]} {call['path'].rsplit('/', 1)[-1]}"
        + (f" page {call['query']['PageNumber']}" if "PageNumber" in call["query"] else "")
        for call in calls
    )


class Synced:
    def __init__(self, run: SyncRun, calls: list[dict], seconds: float) -> None:
        self.run = run
        self.calls = calls
        self.seconds = seconds


def synced(control, account: Account) -> Synced:
    """One sync through the task, as a worker runs it, and the API calls it made."""
    control.clear_requests()
    started = time.perf_counter()
    result = sync_account_task.call(account.pk)
    seconds = time.perf_counter() - started
    if not result.get("ok"):
        raise RuntimeError(f"the sync did not succeed: {result}")
    run = SyncRun.objects.filter(account=account).latest("started_at")
    return Synced(run, api_calls(control), seconds)


def account_with_history(control) -> Account:
    now = timezone.now()
    control.reset(seed="empty", now=now - HISTORY_AGE)
    performer = add_performer(control, "SteadyStatePerformer")  # an account new to the copy
    for (service, direction), opened in zip(LISTS, OPEN_PER_LIST, strict=True):
        control.generate(
            user_id=performer["UserID"],
            service=service,
            direction=direction,
            count=HISTORY_PER_LIST + opened,
        )
    control.set_clock()  # real time again: the history is months old
    account = connect(control, performer)
    with api_for(account) as api:
        for (service, direction), opened in zip(LISTS, OPEN_PER_LIST, strict=True):
            newest = api.list_bookings(
                service=service,
                direction=direction,
                per_page=opened,
                order_by=NEWEST_FIRST[service],
            ).bookings
            for index, booking in enumerate(newest):
                reopen(control, booking, direction, now - timedelta(minutes=5 + index), now)
    control.clear_requests()
    return account


def reopen(control, booking, direction: str, created: datetime, now: datetime) -> None:
    """Make an old booking open and recent: pending and answerable if received, accepted
    with the session ahead if made."""
    session = now + timedelta(hours=6 if direction == "received" else 30)
    fields = {
        "CreateDate": created,
        "SessionDate": session,
        "AcceptBy": now + timedelta(hours=2) if direction == "received" else session - HOUR,
        "ConfirmedDate": None,
        "CancelledDate": None,
        "CancelledReason": None,
        "CancelledBy": None,
        "RejectedReason": None,
    }
    if direction == "received":
        fields |= {"Status": "Pending", "AcceptedDate": None, "LastUpdated": None}
    else:
        fields |= {"Status": "Accepted", "AcceptedDate": created + timedelta(minutes=1)}
    control.patch_booking(service=booking.service, booking_id=booking.remote_id, **fields)
