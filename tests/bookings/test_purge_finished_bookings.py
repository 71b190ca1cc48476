from datetime import timedelta

from django.core.management import call_command

from bookings.models import Booking
from tests.factories import BookingFactory


def test_finished_bookings_older_than_the_retention_are_purged(account, now, settings, capsys):
    settings.BOOKING_RETENTION_DAYS = 30
    old = now - timedelta(days=31)
    BookingFactory(account=account, status="Cancelled", session_at=old, party_nickname="Gone")
    BookingFactory(account=account, status="Confirmed", session_at=old, party_nickname="Gone2")
    BookingFactory(account=account, status="Pending", session_at=old, party_nickname="Open")
    BookingFactory(account=account, status="Rejected", session_at=now, party_nickname="Recent")
    call_command("purge_finished_bookings")
    assert sorted(Booking.objects.values_list("party_nickname", flat=True)) == ["Open", "Recent"]
    assert "2 finished booking(s)" in capsys.readouterr().out


def test_a_dry_run_counts_and_deletes_nothing(account, now, capsys):
    BookingFactory(account=account, status="Cancelled", session_at=now - timedelta(days=400))
    call_command("purge_finished_bookings", dry_run=True)
    assert "1 finished booking(s)" in capsys.readouterr().out
    assert Booking.objects.count() == 1


def test_zero_days_keeps_everything(account, now, settings):
    settings.BOOKING_RETENTION_DAYS = 0
    BookingFactory(account=account, status="Cancelled", session_at=now - timedelta(days=4000))
    call_command("purge_finished_bookings")
    assert Booking.objects.count() == 1
