"""What the worker runs. The scheduler (`manage.py crontask`, django-crontask) enqueues
`enqueue_due_syncs` every SYNC_TICK_SECONDS; it enqueues one sync per account that is due and
has none queued or running."""

from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.conf import settings
from django.core.management import call_command
from django.tasks import task

from bookings import alerts, schedule
from bookings.sync import SyncFailed, sync_account
from dashboard.models import Account


@task
def sync_account_task(account_id: int, full: bool = False) -> dict:
    """Sync one account in the worker; the failure is recorded on its SyncRun and SyncState."""
    try:
        account = (
            Account.objects.select_related("managed_through")
            .filter(pk=account_id, reconnect_needed=False)
            .first()
        )
        if account is None:
            return {"skipped": "not connected"}
        try:
            run = sync_account(account=account, full=full or schedule.full_sync_due(account))
        except SyncFailed as failure:
            return {"ok": False, "error": str(failure)}
        if run is None:
            return {"skipped": "another sync of this account is running"}
        alerts.alerts_after_sync(account=account)
        return {"ok": True, "bookings_seen": run.bookings_seen, "full": run.full}
    finally:
        schedule.release(account_id)


@cron(IntervalTrigger(seconds=settings.SYNC_TICK_SECONDS))
@task
def enqueue_due_syncs() -> dict:
    return {"enqueued": schedule.enqueue_due()}


# Every sync leaves a row in the task table: an account synced every minute leaves 1,440 a day.
@cron("23 * * * *")
@task
def prune_task_results() -> None:
    call_command("prune_db_task_results", min_age_days=settings.TASK_RESULTS_KEEP_DAYS, verbosity=0)
