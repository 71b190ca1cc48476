"""When each account is synced, and the rule that keeps at most one sync of an account queued
or running, whatever the number of schedulers, workers or "Sync now" taps.

The rule is a claim on the account's SyncState row (`queued_at`), taken with one conditional
UPDATE before the task is enqueued and released when the task ends: whoever changes the row
enqueues, everyone else finds it taken.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import SyncState
from bookings.sync import full_sync_due as _full_sync_due
from dashboard.models import Account


def _lease(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SYNC_LEASE_SECONDS)


def _free(now: datetime) -> Q:
    return Q(queued_at__isnull=True) | Q(queued_at__lt=_lease(now))


def request_sync(account_id: int, *, full: bool = False) -> bool:
    """Enqueue a sync of the account unless one is queued or running; True when this call
    enqueued it."""
    from bookings.tasks import sync_account_task  # the task module imports this one

    now = timezone.now()
    SyncState.objects.get_or_create(account_id=account_id)
    if not SyncState.objects.filter(_free(now), account_id=account_id).update(queued_at=now):
        return False
    sync_account_task.enqueue(account_id, full)
    return True


def release(account_id: int) -> None:
    SyncState.objects.filter(account_id=account_id).update(queued_at=None)


def due_account_ids(now: datetime | None = None) -> list[int]:
    """Connected accounts whose next sync time has come and that have no sync queued."""
    now = now or timezone.now()
    return list(
        Account.objects.connected()
        .filter(reconnect_needed=False)
        .filter(
            Q(sync_state__isnull=True)
            | (
                (Q(sync_state__next_sync_at__isnull=True) | Q(sync_state__next_sync_at__lte=now))
                & (Q(sync_state__queued_at__isnull=True) | Q(sync_state__queued_at__lt=_lease(now)))
            )
        )
        .values_list("pk", flat=True)
    )


def enqueue_due(now: datetime | None = None) -> list[int]:
    """Enqueue a sync for every account that is due; returns the ones this call enqueued.

    Set-based, so that a tick costs a few statements whatever the number of accounts: the
    missing state rows in one insert, the claims in one update (the rows this call claimed are
    the ones stamped with its own moment), and the tasks in one transaction.
    """
    from bookings.tasks import sync_account_task  # the task module imports this one

    now = now or timezone.now()
    due = due_account_ids(now)
    if not due:
        return []
    SyncState.objects.bulk_create([SyncState(account_id=pk) for pk in due], ignore_conflicts=True)
    SyncState.objects.filter(_free(now), account_id__in=due).update(queued_at=now)
    mine = list(
        SyncState.objects.filter(account_id__in=due, queued_at=now)
        .order_by("account_id")
        .values_list("account_id", flat=True)
    )
    with transaction.atomic():
        for pk in mine:
            sync_account_task.enqueue(pk, False)
    return mine


def full_sync_due(account: Account) -> bool:
    state = SyncState.objects.filter(account=account).first()
    return _full_sync_due(state, now=timezone.now())
