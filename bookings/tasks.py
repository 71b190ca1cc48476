from django.tasks import task

from bookings.sync import SyncFailed, sync_account
from dashboard.models import Account


@task
def sync_account_task(account_id: int) -> dict:
    """Sync one account in the worker; the failure is recorded on its SyncRun."""
    account = Account.objects.filter(pk=account_id, reconnect_needed=False).first()
    if account is None:
        return {"skipped": True}
    try:
        run = sync_account(account=account)
    except SyncFailed as failure:
        return {"ok": False, "error": str(failure)}
    return {"ok": True, "bookings_seen": run.bookings_seen}
