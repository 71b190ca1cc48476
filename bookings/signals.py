from django.dispatch import receiver

from bookings.tasks import sync_account_task
from dashboard.signals import account_connected


@receiver(account_connected)
def start_first_sync(sender, account, **kwargs) -> None:
    sync_account_task.enqueue(account.pk)
