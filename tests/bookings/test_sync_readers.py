"""A sync reads an account's lists side by side (SYNC_READERS) and stores what they read in
its own thread."""

import dataclasses
import threading
from datetime import timedelta

import pytest

import bookings.sync
from bookings.models import Booking, Direction, Service, SyncRun
from bookings.sync import sync_account, upsert_answers
from dashboard.adultwork import TokenCaller
from tests.bookings.test_sync_concurrency import read_page
from tests.conftest import connect


@pytest.fixture
def performer(sandbox, sandbox_users, owner):
    return connect(sandbox, user=owner, sandbox_user=sandbox_users["ScarlettRose"])


def stored() -> list[tuple]:
    return list(
        Booking.objects.order_by("service", "remote_id").values_list(
            "service", "direction", "remote_id", "status"
        )
    )


def test_two_readers_have_two_lists_with_adultwork_at_once(performer, settings, monkeypatch):
    settings.SYNC_READERS = 2
    # The first two calls wait for each other: read one after the other, they never meet
    # and the barrier breaks.
    both_asked = threading.Barrier(2, timeout=10)
    calls, in_flight, most = [0], [0], [0]
    lock = threading.Lock()
    call = TokenCaller.call

    def meeting_call(self, request):
        with lock:
            calls[0] += 1
            first_two = calls[0] <= 2
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            if first_two:
                both_asked.wait()
            return call(self, request)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(TokenCaller, "call", meeting_call)

    run = sync_account(account=performer)

    assert run.ok, run.error
    assert most[0] == 2


@pytest.mark.parametrize("readers", [1, 2, 4])
def test_every_booking_is_stored_once_whatever_the_number_of_readers(performer, settings, readers):
    settings.SYNC_READERS = 1
    settings.ADULTWORK_PAGE_SIZE = 5  # several pages a list, so that readers interleave
    sync_account(account=performer, full=True)
    one_reader = stored()
    Booking.all_objects.all().delete()
    settings.SYNC_READERS = readers

    run = sync_account(account=performer, full=True)

    assert stored() == one_reader
    assert run.bookings_seen == len(one_reader)
    lists = set(Booking.objects.values_list("service", "direction"))
    assert lists == {(s, d) for s in Service.values for d in Direction.values}


def test_a_store_that_fails_stops_the_readers_and_the_sync(performer, settings, monkeypatch):
    settings.SYNC_READERS = 2
    settings.ADULTWORK_PAGE_SIZE = 5

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bookings.sync, "upsert_answers", broken)

    with pytest.raises(RuntimeError):
        sync_account(account=performer)

    assert not [t for t in threading.enumerate() if t.name.startswith("sync-read")]
    assert SyncRun.objects.get().error == "The sync stopped unexpectedly; see the server log."


def test_a_booking_twice_in_one_batch_is_stored_once_as_known_last(performer):
    page, asked_at = read_page(performer, Service.WEBCAM, Direction.RECEIVED)
    stale = [dataclasses.replace(record, comments="stale") for record in page.bookings]
    later = asked_at + timedelta(seconds=1)

    # The later answer first: the batch's order is the order the readers delivered in.
    upsert_answers(account=performer, answers=[(page.bookings, later), (stale, asked_at)])

    rows = Booking.objects.filter(service=Service.WEBCAM, direction=Direction.RECEIVED)
    assert rows.count() == len(page.bookings)
    assert "stale" not in {row.comments for row in rows}
    assert {row.known_as_of for row in rows} == {later}
