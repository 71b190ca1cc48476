from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from bookings.models import FINISHED_STATUSES, Booking


class Command(BaseCommand):
    help = (
        "Delete finished bookings (rejected, confirmed, cancelled) whose session is older than "
        "BOOKING_RETENTION_DAYS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, help="override BOOKING_RETENTION_DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.BOOKING_RETENTION_DAYS if days is None else days
        if days <= 0:
            self.stdout.write("Retention is off (0 days): nothing purged.")
            return
        cutoff = timezone.now() - timedelta(days=days)
        old = Booking.objects.filter(status__in=FINISHED_STATUSES, session_at__lt=cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} finished booking(s) older than {days} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"{deleted} finished booking(s) older than {days} days deleted.")
