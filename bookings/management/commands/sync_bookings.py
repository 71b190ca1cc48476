from django.core.management.base import BaseCommand, CommandError

from bookings.sync import SyncFailed, sync_account
from dashboard.models import Account


class Command(BaseCommand):
    help = "Read every list of every connected AdultWork account into the local copy."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--account", type=int, help="only this account (its id)")
        parser.add_argument(
            "--full", action="store_true", help="re-read every page, not only the open ones"
        )

    def handle(self, *args, account: int | None, full: bool, **options) -> None:
        accounts = Account.objects.connected().select_related("managed_through")
        if account is not None:
            accounts = accounts.filter(pk=account)
            if not accounts.exists():
                raise CommandError(f"No connected account has the id {account}.")
        failures = []
        for each in accounts:
            try:
                run = sync_account(account=each, full=full)
            except SyncFailed as failure:
                failures.append(str(failure))
                self.stderr.write(self.style.ERROR(f"Failed: {failure}"))
                continue
            if run is None:
                self.stdout.write(f"{each.nickname}: skipped, another sync of it is running")
                continue
            self.stdout.write(
                f"{each.nickname}: {run.bookings_seen} bookings in {run.pages_read} pages"
            )
        if failures:
            raise CommandError(
                f"{len(failures)} account(s) failed; the bookings already stored are kept."
            )
