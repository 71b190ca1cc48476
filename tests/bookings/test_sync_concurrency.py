"""What the local copy says stays true while syncs, actions and other syncs run at once.

Each race is played out in a chosen order: a page is read through the gateway (noting when it
was asked for, as the sync does), something happens meanwhile, then the stale page is stored the
way the sync stores it.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.utils import timezone

from bookings.models import Booking, Direction, Service, Status, SyncRun, SyncState
from bookings.rules import Action, allowed_actions
from bookings.services import booking_act
from bookings.sync import LISTS, NEWEST_FIRST, SyncFailed, sync_account, upsert_bookings
from dashboard.adultwork import adultwork_api, fresh_access_token
from tests.conftest import connect
from tests.factories import UserFactory


def read_page(account, service: str, direction: str, page: int = 1):
    """One page as the sync asks for it, and the moment it was asked for."""
    asked_at = timezone.now()
    with adultwork_api(fresh_access_token(account)) as api:
        answer = api.list_bookings(
            service=service,
            direction=direction,
            page=page,
            per_page=100,
            order_by=NEWEST_FIRST[service],
        )
    return answer, asked_at


def store(account, page, asked_at) -> None:
    """The page stored as a sync stores it."""
    with transaction.atomic():
        upsert_bookings(account=account, records=page.bookings, known_as_of=asked_at)


def bookable(account, action: Action, service: str, direction: str) -> Booking:
    now = timezone.now()
    for booking in Booking.objects.filter(
        account=account, service=service, direction=direction
    ).order_by("pk"):
        if action in allowed_actions(booking, now):
            return booking
    raise LookupError(f"the demo data has no {service} {direction} booking to {action}")


def remote_keys(account) -> set[tuple[str, int]]:
    """Every booking AdultWork lists for the account, read page by page."""
    keys = set()
    for service, direction in LISTS:
        number, count = 1, 1
        while number <= count:
            page, _ = read_page(account, service, direction, page=number)
            keys |= {(b.service, b.remote_id) for b in page.bookings}
            number, count = number + 1, page.page_count
    return keys


# --- a stale page never undoes an action ------------------------------------------------------


def test_a_page_read_before_an_accept_and_stored_after_it_leaves_the_booking_accepted(
    performer, owner
):
    booking = bookable(performer, Action.ACCEPT, Service.WEBCAM, Direction.RECEIVED)
    page, asked_at = read_page(performer, Service.WEBCAM, Direction.RECEIVED)
    assert any(b.remote_id == booking.remote_id and b.status == "Pending" for b in page.bookings)

    result = booking_act(booking=booking, user=owner, action=Action.ACCEPT, credits=Decimal(20))
    assert result.ok, result.message
    store(performer, page, asked_at)

    booking.refresh_from_db()
    assert booking.status == Status.ACCEPTED
    assert booking.credits == Decimal(20)


def test_a_page_read_before_a_delete_does_not_bring_the_booking_back(performer, owner):
    booking = bookable(performer, Action.DELETE, Service.WEBCAM, Direction.RECEIVED)
    page, asked_at = read_page(performer, Service.WEBCAM, Direction.RECEIVED)
    assert booking.remote_id in {b.remote_id for b in page.bookings}

    result = booking_act(booking=booking, user=owner, action=Action.DELETE)
    assert result.ok, result.message
    deleted = Booking.all_objects.filter(pk=booking.pk).values().get()
    store(performer, page, asked_at)

    assert not Booking.objects.filter(pk=booking.pk).exists()
    # Kept for the audit as it was when deleted: the stale page wrote nothing over it.
    assert Booking.all_objects.filter(pk=booking.pk).values().get() == deleted
    assert deleted["gone_at"] is not None


def test_a_page_read_after_an_accept_is_stored(performer, owner, sandbox):
    booking = bookable(performer, Action.ACCEPT, Service.WEBCAM, Direction.RECEIVED)
    booking_act(booking=booking, user=owner, action=Action.ACCEPT, credits=Decimal(20))
    # Changed on AdultWork after the action, by the client cancelling.
    sandbox.patch_booking(service="webcam", booking_id=booking.remote_id, Status="Cancelled")
    page, asked_at = read_page(performer, Service.WEBCAM, Direction.RECEIVED)
    store(performer, page, asked_at)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


# --- one sync of an account at a time ---------------------------------------------------------


def test_a_sync_of_an_account_another_sync_holds_does_nothing(performer, sandbox):
    held_since = timezone.now()
    SyncState.objects.update_or_create(account=performer, defaults={"running_since": held_since})
    runs = SyncRun.objects.count()

    assert sync_account(account=performer) is None

    assert SyncRun.objects.count() == runs
    assert sandbox.requests() == []
    # The claim is the other sync's: the one that skipped leaves it alone.
    assert SyncState.objects.get(account=performer).running_since == held_since


def test_a_claim_older_than_the_lease_is_taken_over(performer, settings):
    abandoned = timezone.now() - timedelta(seconds=settings.SYNC_LEASE_SECONDS + 1)
    SyncState.objects.update_or_create(account=performer, defaults={"running_since": abandoned})

    run = sync_account(account=performer)

    assert run is not None
    assert run.ok
    assert SyncState.objects.get(account=performer).running_since is None


def test_a_claim_younger_than_the_lease_is_respected(performer, settings):
    recent = timezone.now() - timedelta(seconds=settings.SYNC_LEASE_SECONDS - 60)
    SyncState.objects.update_or_create(account=performer, defaults={"running_since": recent})
    assert sync_account(account=performer) is None


def test_a_failed_sync_gives_the_account_back(performer, sandbox):
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookings", kind="status", status=500)
    with pytest.raises(SyncFailed):
        sync_account(account=performer)
    assert SyncState.objects.get(account=performer).running_since is None
    assert sync_account(account=performer).ok


@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_one_account_at_once_store_each_booking_once(sandbox, sandbox_users):
    account = connect(
        sandbox, user=UserFactory(username="twice"), sandbox_user=sandbox_users["ScarlettRose"]
    )
    # The first page is slow, so the second sync starts while the first holds the account.
    sandbox.add_fault(path="/v1/Webcam/ReceivedBookings", kind="latency", delay=0.5)
    start = threading.Barrier(2)
    runs, errors = [], []

    def sync():
        try:
            start.wait()
            runs.append(sync_account(account=account))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(run is None for run in runs) == [False, True]
    [run] = [run for run in runs if run is not None]
    assert run.ok
    stored = list(Booking.objects.filter(account=account).values_list("service", "remote_id"))
    assert len(stored) == len(set(stored)) == run.bookings_seen
    assert set(stored) == remote_keys(account)
    assert SyncState.objects.get(account=account).running_since is None
