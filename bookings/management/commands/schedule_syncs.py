import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Max, Q
from django.utils import timezone

from bookings.tasks import sync_account_task
from dashboard.models import Account


class Command(BaseCommand):
    help = "Enqueue a sync for every account whose copy is older than SYNC_INTERVAL_SECONDS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, once: bool, **options) -> None:
        interval = settings.SYNC_INTERVAL_SECONDS
        while True:
            for account_id in stale_account_ids(timedelta(seconds=interval)):
                sync_account_task.enqueue(account_id)
                self.stdout.write(f"sync enqueued for account {account_id}")
            if once:
                return
            # A scheduler's tick, not a test timing: wakes once per interval slice.
            time.sleep(max(5, interval // 5))


def stale_account_ids(age: timedelta) -> list[int]:
    since = timezone.now() - age
    return list(
        Account.objects.filter(
            Q(connection__isnull=False) | Q(managed_through__isnull=False),
            reconnect_needed=False,
        )
        .annotate(last_started=Max("sync_runs__started_at"))
        .filter(Q(last_started__isnull=True) | Q(last_started__lt=since))
        .values_list("pk", flat=True)
    )
